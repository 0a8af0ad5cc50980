package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.script.Join;
import dev.slipstream.testing.script.Push;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scripted mode without JUnit's extension, checked frame by frame on the wire: what the test's answers become is
 * exactly what Phoenix would send.
 */
@Timeout(30)
class ScriptedModeWireTest {

    @Test
    void theTestsAnswersAreExactPhoenixFrames() throws Exception {
        try (ScriptedServer server = ScriptedServer.builder().assertTimeout(Duration.ofSeconds(5)).start()) {
            CompletableFuture<WsClient> connecting = CompletableFuture.supplyAsync(() -> {
                try {
                    return WsClient.connect(server.server(), "vsn=2.0.0&token=abc");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(server.acceptConnect().request().param("token")).isEqualTo("abc");
            try (WsClient client = connecting.get()) {
                client.send("[\"3\",\"3\",\"room:lobby\",\"phx_join\",{\"user\":\"u1\"}]");
                Join join = server.assertJoin("room:lobby", Map.of("user", "u1"));
                ScriptedChannel room = join.accept(Map.of("welcome", true));
                client.expect("[\"3\",\"3\",\"room:lobby\",\"phx_reply\",{\"response\":{\"welcome\":true},\"status\":\"ok\"}]");

                client.send("[\"3\",\"4\",\"room:lobby\",\"new_msg\",{\"body\":\"hi\"}]");
                Push push = room.assertPush("new_msg", "{\"body\":\"hi\"}");
                assertThat(push.ref()).isEqualTo("4");
                push.reply(Reply.ok(Map.of("id", 7)));
                client.expect("[\"3\",\"4\",\"room:lobby\",\"phx_reply\",{\"response\":{\"id\":7},\"status\":\"ok\"}]");

                room.push("hello", Map.of("a", 1));
                client.expect("[\"3\",null,\"room:lobby\",\"hello\",{\"a\":1}]");
                server.broadcast("room:lobby", "news", Map.of("b", 2));
                client.expect("[null,null,\"room:lobby\",\"news\",{\"b\":2}]");

                room.crash();
                client.expect("[\"3\",\"3\",\"room:lobby\",\"phx_error\",{\"reason\":\"channel_crash\"}]");

                client.send("[\"5\",\"5\",\"room:lobby\",\"phx_join\",{}]");
                server.assertJoin("room:lobby").reject(Map.of("reason", "unauthorized"));
                client.expect("[\"5\",\"5\",\"room:lobby\",\"phx_reply\",{\"response\":{\"reason\":\"unauthorized\"},"
                        + "\"status\":\"error\"}]");

                client.send("[\"6\",\"6\",\"room:other\",\"phx_join\",{}]");
                server.assertJoin("room:other").accept().close();
                client.expect("[\"6\",\"6\",\"room:other\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                        "[\"6\",\"6\",\"room:other\",\"phx_close\",{}]");

                client.send("[null,\"7\",\"phoenix\",\"heartbeat\",{}]");
                assertThat(server.assertHeartbeat().ref()).isEqualTo("7");
                client.expect("[null,\"7\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");

                server.disconnect(4000);
                assertThat(client.awaitClose()).isEqualTo(4000);
                assertThat(server.takeFailures()).isEmpty();
            }
        }
    }

    @Test
    void stubbedTopicsAnswerByThemselvesAndStayVisible() throws Exception {
        ChannelHandler echo = new ChannelHandler() {
            @Override
            public JoinResult join(String topic, dev.slipstream.protocol.Payload params, ChannelSocket socket) {
                return JoinResult.ok();
            }

            @Override
            public HandleResult handleIn(String event, dev.slipstream.protocol.Payload payload,
                    ChannelSocket socket) {
                return HandleResult.reply(Reply.ok(payload));
            }
        };
        try (ScriptedServer server = ScriptedServer.builder().assertTimeout(Duration.ofSeconds(5))
                        .channel("echo:*", echo).acceptConnects().start();
                WsClient client = WsClient.connect(server.server(), "vsn=2.0.0")) {
            client.exchange("[\"1\",\"1\",\"echo:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"echo:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            client.exchange("[\"1\",\"2\",\"echo:1\",\"ping\",{\"x\":1}]",
                    "[\"1\",\"2\",\"echo:1\",\"phx_reply\",{\"response\":{\"x\":1},\"status\":\"ok\"}]");
            Join join = server.acceptConnect().assertJoin("echo:1");
            assertThat(join.isAnswered()).isTrue();
            Push push = server.assertPush("echo:1", "ping", Map.of("x", 1));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> push.reply(Reply.ok()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("answered by the channel registered for \"echo:*\"");
        }
    }
}
