package dev.slipstream.junit5;

import static dev.slipstream.testing.script.PayloadMatcher.bytes;
import static dev.slipstream.testing.script.PayloadMatcher.matching;
import static dev.slipstream.testing.script.PayloadMatcher.partial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.junit5.support.WireClient;
import dev.slipstream.protocol.Message;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.ConnectAttempt;
import dev.slipstream.testing.script.Join;
import dev.slipstream.testing.script.Push;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedConnection;
import dev.slipstream.testing.script.ScriptedServer;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every scripted helper against a real websocket client, through {@code @SlipstreamTest}. */
@SlipstreamTest
@Timeout(30)
class ScriptedExchangeTest {

    @Test
    void connectJoinPushReply(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri(), "token", "t1")) {
            ScriptedConnection connection = server.acceptConnect();
            assertThat(connection.request().param("token")).isEqualTo("t1");
            String joinRef = client.join("room:lobby", Map.of("user", "u1"));

            Join join = server.assertJoin("room:lobby", Map.of("user", "u1"));
            assertThat(join.joinRef()).isEqualTo(joinRef);
            ScriptedChannel room = join.accept(Map.of("history", List.of()));
            Message joined = client.awaitReply(joinRef);
            assertThat(joined.payload().asReply().isOk()).isTrue();
            assertThat(joined.payload().asReply().response().asJson().json().get("history").isArray()).isTrue();

            String ref = client.push("room:lobby", "new_msg", Map.of("body", "hi", "at", 1));
            Push push = room.assertPush("new_msg", partial(Map.of("body", "hi")));
            assertThat(push.ref()).isEqualTo(ref);
            room.reply(push, Reply.ok(Map.of("id", 7)));
            Message reply = client.awaitReply(ref);
            assertThat(reply.joinRef()).isEqualTo(joinRef);
            assertThat(reply.payload().asReply().response().asJson().json().get("id").asInt()).isEqualTo(7);

            room.push("new_msg", Map.of("body", "welcome"));
            Message pushed = client.awaitEvent("room:lobby", "new_msg");
            assertThat(pushed.joinRef()).isEqualTo(joinRef);
            server.broadcast("room:lobby", "announce", "{\"text\":\"hello all\"}");
            Message broadcast = client.awaitEvent("room:lobby", "announce");
            assertThat(broadcast.joinRef()).isNull();
        }
    }

    @Test
    void everyPayloadMatcher(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri())) {
            ScriptedConnection connection = server.acceptConnect();
            client.join("room:1", Map.of());
            ScriptedChannel room = connection.assertJoin("room:1").accept();
            client.push("room:1", "a", Map.of("body", "hi there", "n", 1));
            client.push("room:1", "a", Map.of("body", "again", "n", 1));
            client.push("room:1", "b", "{\"n\": 2.0}");
            client.push("room:1", "c", new byte[] {1, 2, 3});
            client.push("room:1", "d", new Greeting("hello", 3));

            room.assertPush("a", p -> assertThat(p.get("body").asText()).startsWith("hi"));
            room.assertPush("b", Map.of("n", 2));
            room.assertPush("c", bytes(new byte[] {1, 2, 3}));
            room.assertPush("d", new Greeting("hello", 3));
            room.assertPush("a", matching("n is 1", p -> p.get("n").asInt() == 1));
        }
    }

    record Greeting(String text, int times) {}

    @Test
    void joinRejectedAndCrashed(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri())) {
            server.acceptConnect();
            String first = client.join("room:secret", Map.of());
            server.assertJoin("room:secret").reject(Map.of("reason", "unauthorized"));
            assertThat(client.awaitReply(first).payload().asReply().status()).isEqualTo("error");

            String second = client.join("room:crash", Map.of());
            server.assertJoin("room:crash").crash();
            assertThat(client.awaitReply(second).payload().asReply().response().asJson().json().get("reason").asText())
                    .isEqualTo("join crashed");
        }
    }

    @Test
    void leavesHeartbeatsAndClientDisconnects(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri())) {
            server.acceptConnect();
            client.join("room:1", Map.of());
            ScriptedChannel room = server.assertJoin("room:1").accept();
            String hb = client.heartbeat();
            assertThat(server.assertHeartbeat().ref()).isEqualTo(hb);
            assertThat(client.awaitReply(hb).payload().asReply().isOk()).isTrue();

            room.refuteLeave();
            client.leave("room:1");
            room.assertLeave();
            client.awaitEvent("room:1", "phx_close");

            server.refuteDisconnect(Duration.ofMillis(50));
            client.close(1000);
            assertThat(server.assertDisconnect()).isEqualTo(1000);
        }
    }

    @Test
    void serverActions(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri())) {
            server.acceptConnect();
            client.join("room:1", Map.of());
            client.join("room:2", Map.of());
            server.assertJoin("room:1").accept();
            server.assertJoin("room:2").accept();
            server.crash("room:1");
            assertThat(client.awaitEvent("room:1", "phx_error").payload().asJson().json().get("reason").asText())
                    .isEqualTo("channel_crash");
            server.close("room:2");
            client.awaitEvent("room:2", "phx_close");
            assertThatThrownBy(() -> server.crash("room:never")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("room:never");
            server.disconnect(1001);
            assertThat(client.awaitClosed()).isEqualTo(1001);
        }
    }

    @Test
    void rejectConnectAndAssertConnect(ScriptedServer server) {
        try (WireClient refused = WireClient.connect(server.uri(), "token", "bad")) {
            assertThat(server.rejectConnect().param("token")).isEqualTo("bad");
            assertThatThrownBy(() -> refused.opening().join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(WebSocketHandshakeException.class);
        }
        try (WireClient client = WireClient.connect(server.uri(), "token", "good")) {
            ConnectAttempt attempt = server.assertConnect();
            assertThat(attempt.request().param("token")).isEqualTo("good");
            ScriptedConnection c = attempt.accept(Map.of("user_id", "u1"));
            assertThat(c.serverConnection().assigns()).containsEntry("user_id", "u1");
            client.awaitOpen();
            server.refuteConnect(Duration.ofMillis(50));
        }
    }

    @Test
    void repliesGivenBeforeTheServerHandlesThePushAreSent(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri())) {
            server.acceptConnect();
            String joinRef = client.join("room:1", Map.of());
            String ref = client.push("room:1", "early", Map.of());
            Join join = server.assertJoin("room:1");
            join.accept();
            Push push = server.assertPush("room:1", "early");
            push.reply(Reply.error(Map.of("reason", "nope")));
            push.reply(Reply.ok(new byte[] {9}));
            assertThat(client.awaitReply(joinRef).payload().asReply().isOk()).isTrue();
            assertThat(client.awaitReply(ref).payload().asReply().status()).isEqualTo("error");
            assertThat(client.awaitReply(ref).payload().asReply().response().asBinary().toByteArray())
                    .containsExactly(9);
        }
    }

    @Test
    void faults(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri())) {
            ScriptedConnection first = server.acceptConnect();
            client.join("room:1", Map.of());
            server.assertJoin("room:1").accept();
            server.ignoreHeartbeats(true);
            client.heartbeat();
            server.assertHeartbeat();
            server.ignoreHeartbeats(false);
            server.delayReplies(Duration.ofMillis(50));
            assertThat(client.awaitReply(client.heartbeat()).payload().asReply().isOk()).isTrue();
            server.delayReplies(Duration.ZERO);
            server.drop();
            assertThat(client.awaitClosed()).isEqualTo(1006);
            first.refuteDisconnect(); // the server dropped it: not a disconnect by the client
        }
        try (WireClient client = WireClient.connect(server.uri())) {
            server.acceptConnect();
            client.awaitOpen();
            server.sendMalformedFrame();
            // The client cannot decode it and gives up on the connection.
            assertThat(client.awaitClosed()).isEqualTo(1006);
        }
        server.refuseConnections(503);
        try (WireClient refused = WireClient.connect(server.uri())) {
            assertThatThrownBy(() -> refused.opening().join()).hasCauseInstanceOf(WebSocketHandshakeException.class);
        }
        server.acceptConnections();
        server.restart();
        try (WireClient again = WireClient.connect(server.uri())) {
            server.acceptConnect();
            again.awaitOpen();
        }
    }
}
