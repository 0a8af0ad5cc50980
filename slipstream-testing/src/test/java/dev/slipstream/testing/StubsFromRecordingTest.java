package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.record.RecordingProxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code slipstream record} generalises what it saw into stub files, as the testing README documents, over real
 * websockets through the proxy: values taken from the request become placeholders, answers that agree become one
 * rule (with the recorded request as its example), answers that depend on the payload become one rule per payload,
 * a number counting up becomes {@code {{counter}}}, values that change for the same request become volatile paths,
 * a message several connections received at once is a broadcast of the latest sender (and not a push to the others),
 * a refused connect becomes a refusing rule; and the stubs replay it to a client that did not record.
 */
@Timeout(60)
class StubsFromRecordingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    /** A backend of the kind the README's tutorial records. */
    private static ChannelHandler room() {
        AtomicInteger ids = new AtomicInteger();
        return new ChannelHandler() {
            @Override
            public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                return JoinResult.ok(JsonNodeFactory.instance.objectNode().put("topic", topic)
                        .put("user", params.asJson().json().path("user").asText()));
            }

            @Override
            public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                JsonNode p = payload.asJson().json();
                switch (event) {
                    case "new_msg":
                        socket.broadcast("new_msg", payload);
                        return HandleResult.ok(Map.of("id", ids.incrementAndGet()));
                    case "lookup":
                        return HandleResult.ok(Map.of("name", p.path("id").asInt() == 1 ? "one" : "two"));
                    default: // "time"
                        return HandleResult.ok(JsonNodeFactory.instance.objectNode().put("at", System.nanoTime())
                                .put("zone", "UTC"));
                }
            }
        };
    }

    @Test
    void aRecordingBecomesStubsThatGeneraliseOnlyAsDocumented() throws Exception {
        RecordingProxy.Recording recording;
        try (FakePhoenixServer backend = FakePhoenixServer.builder().channel("room:*", room())
                .connectHandler(request -> request.params().containsKey("user") ? ConnectResult.accept()
                        : ConnectResult.reject(403, ""))
                .start();
                RecordingProxy proxy = RecordingProxy.builder(backend.socketUri()).port(0).output(out).start()) {
            assertThat(WsClient.refusedStatus(URI.create(proxy.uri() + "?vsn=2.0.0&guest=1"))).isEqualTo(403);
            try (WsClient a = WsClient.connect(URI.create(proxy.uri() + "?vsn=2.0.0&user=a"));
                    WsClient b = WsClient.connect(URI.create(proxy.uri() + "?vsn=2.0.0&user=b"))) {
                a.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"user\":\"a\"}]",
                        "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"topic\":\"room:lobby\",\"user\":\"a\"},\"status\":\"ok\"}]");
                b.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"user\":\"b\"}]",
                        "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"topic\":\"room:lobby\",\"user\":\"b\"},\"status\":\"ok\"}]");
                for (int i = 1; i <= 2; i++) {
                    String msg = "{\"body\":\"m" + i + "\"}";
                    a.exchange("[\"1\",\"" + (i + 1) + "\",\"room:lobby\",\"new_msg\"," + msg + "]",
                            "[null,null,\"room:lobby\",\"new_msg\"," + msg + "]",
                            "[\"1\",\"" + (i + 1) + "\",\"room:lobby\",\"phx_reply\",{\"response\":{\"id\":" + i
                                    + "},\"status\":\"ok\"}]");
                    b.expect("[null,null,\"room:lobby\",\"new_msg\"," + msg + "]");
                }
                a.exchange("[\"1\",\"4\",\"room:lobby\",\"lookup\",{\"id\":1}]",
                        "[\"1\",\"4\",\"room:lobby\",\"phx_reply\",{\"response\":{\"name\":\"one\"},\"status\":\"ok\"}]");
                a.exchange("[\"1\",\"5\",\"room:lobby\",\"lookup\",{\"id\":2}]",
                        "[\"1\",\"5\",\"room:lobby\",\"phx_reply\",{\"response\":{\"name\":\"two\"},\"status\":\"ok\"}]");
                for (int ref = 6; ref <= 7; ref++) {
                    a.send("[\"1\",\"" + ref + "\",\"room:lobby\",\"time\",{}]");
                    assertThat(a.next()).contains("\"zone\":\"UTC\"");
                }
            }
            recording = proxy.stop();
        }

        assertThat(recording.notes()).isEmpty();
        JsonNode connect = read(recording.stubs().resolve("00-connect.json"));
        assertThat(connect.get("connect")).isEqualTo(JSON.readTree("""
                [ {"params": {"guest": "1"}, "refuse": {"status": 403}, "example": {"guest": "1"}},
                  {"accept": {}, "example": {"user": "a"}} ]"""));
        JsonNode channel = read(recording.stubs().resolve("01-room_lobby.json")).get("channels").get(0);
        assertThat(channel.get("topic").asText()).isEqualTo("room:lobby");
        // Both joins got their own values back: one rule, its reply built from the join.
        assertThat(channel.get("join")).isEqualTo(JSON.readTree("""
                [ {"reply": {"status": "ok", "response": {"user": "{{params.user}}", "topic": "{{topic}}"}},
                   "example": {"user": "a"}} ]"""));
        assertThat(channel.get("events")).isEqualTo(JSON.readTree("""
                [ {"event": "new_msg", "reply": {"status": "ok", "response": {"id": "{{counter}}"}},
                   "then": [ {"broadcast": "new_msg", "payload": "{{payload}}", "before_reply": true} ],
                   "example": {"body": "m1"}},
                  {"event": "lookup", "payload": {"id": 1}, "reply": {"status": "ok", "response": {"name": "one"}}},
                  {"event": "lookup", "payload": {"id": 2}, "reply": {"status": "ok", "response": {"name": "two"}}},
                  {"event": "time", "reply": {"status": "ok", "response": {"at": %s, "zone": "UTC"}}} ]"""
                .formatted(channel.at("/events/3/reply/response/at").asText())));
        assertThat(channel.get("volatile")).isEqualTo(JSON.readTree("[\"$.at\"]"));

        // The stubs answer a client the recording never saw: another user, the counter from 1 again.
        try (FakePhoenixServer replay = FakePhoenixServer.builder().stubs(recording.stubs().toString()).start();
                WsClient c = WsClient.connect(URI.create(replay.uri() + "?vsn=2.0.0&user=c"))) {
            assertThat(WsClient.refusedStatus(URI.create(replay.uri() + "?vsn=2.0.0&guest=1"))).isEqualTo(403);
            c.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"user\":\"c\"}]",
                    "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"topic\":\"room:lobby\",\"user\":\"c\"},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"room:lobby\",\"new_msg\",{\"body\":\"hey\"}]",
                    "[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hey\"}]",
                    "[\"1\",\"2\",\"room:lobby\",\"phx_reply\",{\"response\":{\"id\":1},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"3\",\"room:lobby\",\"lookup\",{\"id\":2}]",
                    "[\"1\",\"3\",\"room:lobby\",\"phx_reply\",{\"response\":{\"name\":\"two\"},\"status\":\"ok\"}]");
        }
    }

    private static JsonNode read(Path file) throws Exception {
        return JSON.readTree(Files.readString(file));
    }
}
