package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failures inside handlers become what Phoenix sends, and are recorded in {@link FakePhoenixServer#errors()}. */
@Timeout(30)
class ErrorPathsTest {
    private static final String JOIN = "[\"1\",\"1\",\"room:1\",\"phx_join\",{}]";
    private static final String JOINED = "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]";

    private static final ChannelHandler HANDLER = new ChannelHandler() {
        @Override
        public JoinResult join(String topic, Payload params, ChannelSocket socket) {
            if (params.asJson().json().has("fail_later")) {
                return JoinResult.later(CompletableFuture.failedFuture(new IllegalStateException("no")));
            }
            if (params.asJson().json().has("bad_reply")) {
                return JoinResult.ok(java.util.List.of(1));
            }
            return JoinResult.ok();
        }

        @Override
        public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
            switch (event) {
                case "fail_later":
                    return HandleResult.later(CompletableFuture.failedFuture(new IllegalStateException("later")));
                case "info_stop":
                    socket.send("stop");
                    return HandleResult.noReply();
                case "info_reply":
                    socket.send("reply");
                    return HandleResult.noReply();
                default:
                    return null;
            }
        }

        @Override
        public HandleResult handleInfo(Object message, ChannelSocket socket) {
            return message.equals("stop") ? HandleResult.stop() : HandleResult.ok();
        }
    };

    @Test
    void failedDeferredJoinsAndInvalidRepliesCrashTheJoin() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().channel("room:*", HANDLER).start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{\"fail_later\":true}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{\"reason\":\"join crashed\"},\"status\":\"error\"}]");
            c.exchange("[\"2\",\"2\",\"room:1\",\"phx_join\",{\"bad_reply\":true}]",
                    "[\"2\",\"2\",\"room:1\",\"phx_reply\",{\"response\":{\"reason\":\"join crashed\"},\"status\":\"error\"}]");
            assertThat(server.errors()).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(ChannelException.class));
            assertThat(server.errors().get(1)).hasRootCauseMessage("join reply must be a JSON object (a map), got [1]");
        }
    }

    @Test
    void failedDeferredResultsAndNullResultsCrashTheChannel() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().channel("room:*", HANDLER).start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN, JOINED);
            c.exchange("[\"1\",\"2\",\"room:1\",\"fail_later\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            c.exchange(JOIN, JOINED);
            c.exchange("[\"1\",\"3\",\"room:1\",\"whatever\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            assertThat(server.errors()).hasSize(2);
            assertThat(server.errors().get(1)).hasRootCauseMessage("handleIn(\"whatever\") on room:1 returned null");
        }
    }

    @Test
    void handleInfoMayStopButNotReply() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().channel("room:*", HANDLER).start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN, JOINED);
            c.exchange("[\"1\",\"2\",\"room:1\",\"info_stop\",{}]", "[\"1\",\"1\",\"room:1\",\"phx_close\",{}]");
            c.exchange(JOIN, JOINED);
            c.exchange("[\"1\",\"3\",\"room:1\",\"info_reply\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            assertThat(server.errors()).singleElement().satisfies(e ->
                    assertThat(e).hasMessageContaining("there is no message to reply to"));
        }
    }

    @Test
    void aConnectHandlerThatThrowsRefusesWith500() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .connectHandler(r -> {
                    throw new IllegalStateException("boom");
                })
                .start()) {
            assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(500);
            assertThat(server.errors()).singleElement().satisfies(e -> assertThat(e).hasRootCauseMessage("boom"));
        }
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .connectHandler(r -> ConnectResult.later(CompletableFuture.failedFuture(new IllegalStateException("x"))))
                .start()) {
            assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(500);
        }
    }

    @Test
    void pushPayloadsMustBeObjectsOrBinary() {
        try (FakePhoenixServer server = FakePhoenixServer.builder().start()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.broadcast("t", "e", java.util.List.of(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("broadcast payload must be a JSON object or binary");
            server.broadcast("t", "e", Map.of());
            server.broadcast("t", "e", new byte[] {1});
        }
    }
}
