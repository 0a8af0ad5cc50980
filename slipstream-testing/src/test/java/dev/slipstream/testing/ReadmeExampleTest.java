package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's five-line example, compiled and run. */
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

    private static WsClient connectYourClient(String uri) throws Exception {
        WsClient c = WsClient.connect(java.net.URI.create(uri));
        c.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{}]",
                "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"welcome\":\"room:lobby\"},\"status\":\"ok\"}]");
        return c;
    }
}
