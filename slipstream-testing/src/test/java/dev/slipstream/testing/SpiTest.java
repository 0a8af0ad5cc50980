package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SPI a scripted mode builds on: asynchronous decisions, deferred replies, handleInfo, terminate, listeners. */
@Timeout(30)
class SpiTest {
    private static final String HEARTBEAT = "[null,\"9\",\"phoenix\",\"heartbeat\",{}]";
    private static final String HEARTBEAT_REPLY = "[null,\"9\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]";

    @Test
    void connectDecidedLater() throws Exception {
        BlockingQueue<CompletableFuture<ConnectResult>> pending = new LinkedBlockingQueue<>();
        try (FakePhoenixServer server = FakePhoenixServer.builder().connectHandler(request -> {
            CompletableFuture<ConnectResult> f = new CompletableFuture<>();
            pending.add(f);
            return ConnectResult.later(f);
        }).start()) {
            CompletableFuture<WsClient> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return WsClient.connect(server, "vsn=2.0.0&token=t");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            pending.poll(5, TimeUnit.SECONDS).complete(ConnectResult.accept(Map.of("user", "u")).withSocketId("s:1"));
            try (WsClient c = accepted.get(5, TimeUnit.SECONDS)) {
                c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
                assertThat(server.awaitConnection(WsClient.WAIT).socketId()).contains("s:1");
            }
            CompletableFuture<Integer> refused = CompletableFuture.supplyAsync(() -> {
                try {
                    return WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            pending.poll(5, TimeUnit.SECONDS).complete(ConnectResult.reject(429, "slow down"));
            assertThat(refused.get(5, TimeUnit.SECONDS)).isEqualTo(429);
        }
    }

    @Test
    void aPendingJoinHoldsTheConnectionAndItsReplyPrecedesPushes() throws Exception {
        CompletableFuture<JoinResult> decision = new CompletableFuture<>();
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                        socket.send("after_join");
                        return JoinResult.later(decision);
                    }

                    @Override
                    public HandleResult handleInfo(Object message, ChannelSocket socket) {
                        socket.push("welcome", Map.of("m", message.toString()));
                        return HandleResult.noReply();
                    }
                })
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.send("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]");
            c.send(HEARTBEAT);
            c.expectNothing(Duration.ofMillis(200)); // Phoenix's transport blocks on join/3, heartbeats included
            decision.complete(JoinResult.ok(Map.of("late", true)));
            c.expect("[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{\"late\":true},\"status\":\"ok\"}]",
                    "[\"1\",null,\"room:1\",\"welcome\",{\"m\":\"after_join\"}]", HEARTBEAT_REPLY);
            // The recording keeps arrival order: the heartbeat came in before the join reply went out.
            ServerConnection conn = server.awaitConnection(WsClient.WAIT);
            await().atMost(WsClient.WAIT).until(() -> conn.recording().size() == 5);
            assertThat(conn.recording()).extracting(f -> f.direction() + " " + f.message().event()).containsExactly(
                    "IN phx_join", "IN heartbeat", "OUT phx_reply", "OUT welcome", "OUT phx_reply");
        }
    }

    @Test
    void deferredResultsKeepTheChannelBusyButNotTheConnection() throws Exception {
        CompletableFuture<HandleResult> slow = new CompletableFuture<>();
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                        return JoinResult.ok();
                    }

                    @Override
                    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                        return event.equals("slow") ? HandleResult.later(slow) : HandleResult.ok(payload);
                    }
                })
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.send("[\"1\",\"2\",\"room:1\",\"slow\",{}]");
            c.send("[\"1\",\"3\",\"room:1\",\"fast\",{\"f\":1}]");
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            c.expectNothing(Duration.ofMillis(100));
            slow.complete(HandleResult.error(Map.of("late", 1)));
            c.expect("[\"1\",\"2\",\"room:1\",\"phx_reply\",{\"response\":{\"late\":1},\"status\":\"error\"}]",
                    "[\"1\",\"3\",\"room:1\",\"phx_reply\",{\"response\":{\"f\":1},\"status\":\"ok\"}]");
        }
    }

    @Test
    void replyRefsAnswerLaterFromAnyThreadAndInAnyOrder() throws Exception {
        BlockingQueue<ReplyRef> refs = new LinkedBlockingQueue<>();
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                        return JoinResult.ok();
                    }

                    @Override
                    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                        refs.add(socket.replyRef());
                        return HandleResult.noReply();
                    }
                })
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.send("[\"1\",\"2\",\"room:1\",\"a\",{}]").send("[\"1\",\"3\",\"room:1\",\"b\",{}]");
            ReplyRef a = refs.poll(5, TimeUnit.SECONDS);
            ReplyRef b = refs.poll(5, TimeUnit.SECONDS);
            assertThat(a.ref()).isEqualTo("2");
            b.reply(Reply.ok(new byte[] {1, 2}));
            a.reply(Reply.error(Map.of("no", true)));
            c.expect("<binary 17 bytes> hex=0101010602" + "31" + "33" + "726f6f6d3a31" + "6f6b" + "0102",
                    "[\"1\",\"2\",\"room:1\",\"phx_reply\",{\"response\":{\"no\":true},\"status\":\"error\"}]");
        }
    }

    @Test
    void pushInsideJoinCrashesTheJoinAsInPhoenix() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", (topic, params, socket) -> {
                    socket.push("too_early", Map.of());
                    return JoinResult.ok();
                })
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{\"reason\":\"join crashed\"},\"status\":\"error\"}]");
            assertThat(server.errors()).singleElement().satisfies(e ->
                    assertThat(e.getCause()).hasMessageContaining("Phoenix forbids pushing before the join reply"));
        }
    }

    @Test
    void terminatePushesFollowTheLeaveReplyAndClose() throws Exception {
        List<TerminateReason> reasons = new CopyOnWriteArrayList<>();
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channelFactory("room:*", () -> new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                        return JoinResult.ok();
                    }

                    @Override
                    public void terminate(TerminateReason reason, ChannelSocket socket) {
                        reasons.add(reason);
                        socket.push("you_left", Map.of());
                    }
                })
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"room:1\",\"phx_leave\",{}]",
                    "[\"1\",\"2\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_close\",{}]",
                    "[\"1\",null,\"room:1\",\"you_left\",{}]");
            c.exchange("[\"3\",\"3\",\"room:1\",\"phx_join\",{}]",
                    "[\"3\",\"3\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            // A duplicate join kills the old channel without terminate, as in Phoenix.
            c.exchange("[\"4\",\"4\",\"room:1\",\"phx_join\",{}]",
                    "[\"4\",\"4\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"3\",\"3\",\"room:1\",\"phx_close\",{}]");
            c.closeNormally();
            await().atMost(WsClient.WAIT).until(() -> reasons.size() == 2);
            assertThat(reasons).containsExactly(TerminateReason.LEFT, TerminateReason.CLOSED);
        }
    }

    @Test
    void listenersSeeTheLifecycleOfEveryConnection() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ServerListener listener = new ServerListener() {
            @Override
            public void onOpen(ServerConnection c) {
                events.add("open " + c.vsn());
            }

            @Override
            public void onRefused(ConnectRequest request, int status) {
                events.add("refused " + status);
            }

            @Override
            public void onInbound(ServerConnection c, Message m) {
                events.add("in " + m.event());
            }

            @Override
            public void onOutbound(ServerConnection c, Message m) {
                events.add("out " + m.event());
            }

            @Override
            public void onUndecodable(ServerConnection c, dev.slipstream.protocol.Frame f,
                    dev.slipstream.protocol.DecodeException e) {
                events.add("undecodable");
            }

            @Override
            public void onClose(ServerConnection c, int code, boolean byServer) {
                events.add("close " + code + " " + byServer);
            }
        };
        try (FakePhoenixServer server = FakePhoenixServer.builder().listener(listener)
                .channel("room:*", (topic, params, socket) -> JoinResult.ok()).start()) {
            try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
                c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
                c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                        "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
                c.closeNormally();
                assertThat(c.awaitClose()).isEqualTo(1000);
            }
            // Events are ordered per connection; across connections, wait for the first to be over.
            await().atMost(WsClient.WAIT).until(() -> events.contains("close 1000 false"));
            try (WsClient c = WsClient.connect(server, "")) {
                c.send("nope");
                c.awaitClose();
            }
            WsClient.refusedStatus(URI.create(server.uri() + "?vsn=9.0.0"));
            await().atMost(WsClient.WAIT).until(() -> events.size() == 10);
            assertThat(events).containsExactly("open 2.0.0", "in heartbeat", "out phx_reply", "in phx_join",
                    "out phx_reply", "close 1000 false", "open 1.0.0", "undecodable", "close 1011 true",
                    "refused 403");
        }
    }
}
