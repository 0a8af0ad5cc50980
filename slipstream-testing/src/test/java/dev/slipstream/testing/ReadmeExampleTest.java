package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.record.RecordingProxy;
import dev.slipstream.testing.verify.DriftCheck;
import dev.slipstream.testing.verify.DriftReport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's examples (five lines; script, exercise, verify; record and check for drift), compiled and run. */
@Timeout(30)
class ReadmeExampleTest {
    @Test
    void fiveLines() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", (topic, params, socket) -> JoinResult.ok(Map.of("welcome", topic)))
                .start()) {
            try (WsClient client = connectYourClient(server.uri() + "?vsn=2.0.0")) {
                server.broadcast("room:lobby", "new_msg", Map.of("body", "hi"));
                client.expect("[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hi\"}]");
            }
        }
    }

    @Test
    void scriptExerciseVerify() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        // --- the README's "Script, exercise, verify" ---
        FakePhoenixServer server = FakePhoenixServer.builder()
                .connectHandler(request -> "secret".equals(request.param("token"))
                        ? ConnectResult.accept(Map.of("user", "u1")).withSocketId("user_socket:u1")
                        : ConnectResult.reject())
                .channel("room:*", new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                        socket.send("after_join");
                        return JoinResult.ok();
                    }

                    @Override
                    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                        switch (event) {
                            case "new_msg": socket.broadcast("new_msg", payload); return HandleResult.ok();
                            case "slow":    ReplyRef ref = socket.replyRef();
                                            worker.submit(() -> ref.reply(Reply.ok(Map.of("done", true))));
                                            return HandleResult.noReply();
                            case "bye":     return HandleResult.stop(Reply.ok());
                            default:        return HandleResult.error(Map.of("reason", "unknown"));
                        }
                    }

                    @Override
                    public HandleResult handleInfo(Object message, ChannelSocket socket) {
                        socket.track(socket.assigns().get("user").toString(), Map.of("online_at", 1));
                        socket.push("presence_state", socket.presenceList());
                        return HandleResult.noReply();
                    }
                })
                .start();
        try (server; WsClient client = WsClient.connect(java.net.URI.create(server.uri() + "?vsn=2.0.0&token=secret"))) {
            client.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            assertThat(client.next()).contains("presence_diff");
            assertThat(client.next()).contains("presence_state");
            client.exchange("[\"1\",\"2\",\"room:lobby\",\"slow\",{}]",
                    "[\"1\",\"2\",\"room:lobby\",\"phx_reply\",{\"response\":{\"done\":true},\"status\":\"ok\"}]");

            ServerConnection c = server.awaitConnection(Duration.ofSeconds(5));
            assertThat(c.joinedTopics()).containsExactly("room:lobby");
            assertThat(c.recording()).isNotEmpty();
            c.push("room:lobby", "ping", Map.of());
            client.expect("[\"1\",null,\"room:lobby\",\"ping\",{}]");
            c.crashChannel("room:lobby");
            client.expect("[\"1\",\"1\",\"room:lobby\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            assertThat(WsClient.refusedStatus(java.net.URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(403);
            server.disconnect("user_socket:u1");
            client.expect("closed code=1001");
            assertThat(server.errors()).isEmpty();
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void recordThenCheckForDrift() throws Exception {
        try (FakePhoenixServer backend = dev.slipstream.testing.demo.DemoChannels.install(FakePhoenixServer.builder())
                .start()) {
            // --- the README's "Record a real backend, check it for drift" ---
            Path folder = Files.createTempDirectory("recording");
            URI upstream = URI.create("ws://127.0.0.1:" + backend.port() + "/socket");
            try (RecordingProxy proxy = RecordingProxy.builder(upstream).output(folder).start()) {
                runYourClient(proxy.uri());                 // ws://127.0.0.1:PORT/socket/websocket
                proxy.stop();                               // closes the connections, writes folder/session.jsonl
            }
            DriftReport report = DriftCheck.builder(upstream)
                    .volatilePath("$.id")                   // never compared: ids, timestamps
                    .build()
                    .checkSession(folder.resolve("session.jsonl"));
            assertThat(report.drifts()).isEmpty();
            // --- end ---
            assertThat(report.checks()).isEqualTo(3);
        }
    }

    private static void runYourClient(URI uri) throws Exception {
        try (WsClient c = WsClient.connect(URI.create(uri + "?vsn=2.0.0"))) {
            c.exchange("[\"1\",\"1\",\"echo:lobby\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"echo:lobby\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"echo:lobby\",\"echo\",{\"id\":7}]",
                    "[\"1\",\"2\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"id\":7},\"status\":\"ok\"}]");
        }
    }

    private static WsClient connectYourClient(String uri) throws Exception {
        WsClient c = WsClient.connect(java.net.URI.create(uri));
        c.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{}]",
                "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"welcome\":\"room:lobby\"},\"status\":\"ok\"}]");
        return c;
    }
}
