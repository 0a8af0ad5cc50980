package dev.slipstream.client;

import static dev.slipstream.client.VirtualTimeTest.assertThatFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.support.EventRecorder;
import dev.slipstream.client.support.ManualScheduler;
import dev.slipstream.client.support.RawWebSocketServer;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real Phoenix V2 websocket server on loopback. */
class ClientIntegrationTest {
    private final EventRecorder events = new EventRecorder();
    private TestPhoenixServer server;
    private SlipstreamClient client;

    @BeforeEach
    void start() {
        server = new TestPhoenixServer();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private SlipstreamClient.Builder builder() {
        return SlipstreamClient.builder(server.uri()).eventListener(events);
    }

    @Test
    void connectsJoinsPushesAndMatchesTheReply() {
        client = builder().params(Map.of("token", "abc", "nested", Map.of("a", 1))).build();
        client.connect().join();
        Payload joined = client.join("room:lobby", Payload.json("{\"user\":\"u1\"}")).join();
        Payload.Reply reply = client.push("room:lobby", "new_msg", Payload.json("{\"body\":\"hi\"}")).join();

        assertThat(joined).isEqualTo(Payload.empty());
        assertThat(reply.isOk()).isTrue();
        assertThat(reply.response()).isEqualTo(Payload.json("{\"body\":\"hi\"}"));
        Message join = server.messages("phx_join").get(0);
        Message push = server.messages("new_msg").get(0);
        assertThat(join.joinRef()).isEqualTo(join.ref());
        assertThat(join.payload()).isEqualTo(Payload.json("{\"user\":\"u1\"}"));
        assertThat(push.joinRef()).isEqualTo(join.ref());
        assertThat(push.ref()).isNotEqualTo(join.ref());
        Map<String, ?> query = server.queries().get(0);
        assertThat(query.keySet()).containsExactlyInAnyOrder("token", "nested[a]", "vsn");
        assertThat(server.queries().get(0).get("vsn")).containsExactly("2.0.0");
        assertThat(events.last(ClientEvent.ConnectStarted.class).uri())
                .contains("/socket/websocket?", "token=***", "nested%5Ba%5D=***").endsWith("&vsn=2.0.0")
                .doesNotContain("abc");
        assertThat(client.isJoined("room:lobby")).isTrue();
        assertThat(events.last(ClientEvent.ReplyReceived.class).status()).isEqualTo("ok");
    }

    @Test
    void sixteenThreadsPushingConcurrentlyEachGetTheirOwnReply() throws Exception {
        client = builder().build();
        client.connect().join();
        client.join("room:lobby").join();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<Payload.Reply>> futures = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        futures.add(client.push("room:lobby", "echo",
                                Payload.json("{\"id\":\"" + thread + "-" + i + "\"}")));
                    }
                    List<String> ids = new ArrayList<>();
                    for (CompletableFuture<Payload.Reply> f : futures) {
                        ids.add(f.get(10, TimeUnit.SECONDS).response().asJson().json().get("id").asText());
                    }
                    return ids;
                }));
            }
            go.countDown();
            for (int t = 0; t < 16; t++) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    expected.add(t + "-" + i);
                }
                assertThat(results.get(t).get(20, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.messages("echo")).hasSize(1600);
        assertThat(server.messages("echo").stream().map(Message::ref).distinct().count()).isEqualTo(1600);
    }

    @Test
    void aCrashedChannelIsClosedAndRejoinedWithBackoff() {
        List<String> calls = new CopyOnWriteArrayList<>();
        client = builder().module(new ClientModule() {
            @Override
            public void joined(SlipstreamClient c, String topic, Payload response) {
                calls.add("joined " + topic);
            }

            @Override
            public void topicClosed(SlipstreamClient c, String topic, TopicCloseReason reason) {
                calls.add("closed " + topic + " " + reason.kind());
            }
        }).build();
        client.connect().join();
        client.join("room:lobby").join();
        Message join = server.messages("phx_join").get(0);

        server.lastSession().send(Message.of(join.joinRef(), join.joinRef(), "room:lobby", "phx_error",
                Payload.json("{\"reason\":\"channel_crash\"}")));

        await().until(() -> server.messages("phx_join").size() == 2);
        await().until(() -> client.isJoined("room:lobby"));
        assertThat(calls).containsExactly("joined room:lobby", "closed room:lobby CRASHED", "joined room:lobby");
        assertThat(events.last(ClientEvent.RejoinScheduled.class).delay()).isEqualTo(Duration.ofMillis(100));
        Message rejoin = server.messages("phx_join").get(1);
        assertThat(rejoin.joinRef()).isEqualTo(rejoin.ref()).isNotEqualTo(join.joinRef());
        Payload.Reply reply = client.push("room:lobby", "ping", Payload.empty()).join();
        assertThat(server.messages("ping").get(0).joinRef()).isEqualTo(rejoin.joinRef());
        assertThat(reply.isOk()).isTrue();
    }

    @Test
    void phxCloseIsFinalAndPendingPushesOfTheTopicFail() {
        server.script((s, m) -> {
            if (!m.event().equals("slow")) {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().build();
        client.connect().join();
        client.join("room:lobby").join();
        CompletableFuture<Payload.Reply> pending = client.push("room:lobby", "slow", Payload.empty());
        await().until(() -> server.messages("slow").size() == 1);
        String jr = server.messages("phx_join").get(0).joinRef();

        server.lastSession().send(Message.of(jr, jr, "room:lobby", "phx_close", Payload.empty()));

        assertThatFailsWith(pending, TopicClosedException.class);
        await().until(() -> events.count(ClientEvent.TopicClosed.class) == 1);
        assertThat(events.last(ClientEvent.TopicClosed.class).reason().kind())
                .isEqualTo(TopicCloseReason.Kind.SERVER_CLOSED);
        assertThat(client.isJoined("room:lobby")).isFalse();
        assertThatFailsWith(client.push("room:lobby", "x", Payload.empty()), TopicNotJoinedException.class);
        assertThat(events.count(ClientEvent.RejoinScheduled.class)).isZero();
    }

    @Test
    void aServerSideCloseIsReconnectedWithFreshParamsAndTopicsRejoined() {
        AtomicInteger tokens = new AtomicInteger();
        AtomicInteger joinParams = new AtomicInteger();
        client = builder().params(() -> Map.of("token", "t" + tokens.incrementAndGet())).build();
        client.connect().join();
        client.join("room:lobby", () -> Payload.json("{\"n\":" + joinParams.incrementAndGet() + "}")).join();

        server.lastSession().close(1001, "");

        await().until(() -> server.messages("phx_join").size() == 2);
        await().until(() -> client.isJoined("room:lobby"));
        assertThat(events.last(ClientEvent.Disconnected.class).reason().kind())
                .isEqualTo(DisconnectReason.Kind.SERVER_CLOSED);
        assertThat(events.last(ClientEvent.Disconnected.class).reason().closeCode()).isEqualTo(1001);
        assertThat(server.queries().get(0).get("token")).containsExactly("t1");
        assertThat(server.queries().get(1).get("token")).containsExactly("t2");
        assertThat(server.messages("phx_join").get(1).payload()).isEqualTo(Payload.json("{\"n\":2}"));
    }

    @Test
    void aClientSideDisconnectIsNotReconnected() {
        ManualScheduler time = new ManualScheduler();
        client = builder().scheduler(time).build();
        client.connect().join();
        client.join("room:lobby").join();

        client.disconnect().join();

        assertThat(events.last(ClientEvent.Disconnected.class).reason().kind())
                .isEqualTo(DisconnectReason.Kind.CLIENT_REQUESTED);
        assertThat(events.last(ClientEvent.Disconnected.class).reason().closeCode()).isEqualTo(1000);
        time.advance(Duration.ofMinutes(10));
        assertThat(events.count(ClientEvent.ReconnectScheduled.class)).isZero();
        assertThat(server.upgrades()).isEqualTo(1);
        assertThat(client.isConnected()).isFalse();
        await().until(() -> !server.lastSession().isOpen());
        assertThatFailsWith(client.push("room:lobby", "x", Payload.empty()), NotConnectedException.class);

        // phoenix.js keeps the topics: the next connect rejoins them.
        client.connect().join();
        await().until(() -> client.isJoined("room:lobby"));
    }

    @Test
    void pushesWaitingForRepliesFailWhenTheConnectionDrops() {
        server.script((s, m) -> {
            if (!m.event().equals("slow")) {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().build();
        client.connect().join();
        client.join("room:lobby").join();
        CompletableFuture<Payload.Reply> pending = client.push("room:lobby", "slow", Payload.empty());
        await().until(() -> server.messages("slow").size() == 1);

        server.lastSession().close(1011, "");

        ConnectionLostException lost = assertThatFailsWith(pending, ConnectionLostException.class);
        assertThat(lost.reason().closeCode()).isEqualTo(1011);
    }

    @Test
    void a403UpgradeIsToldApartFromA404AndARefusedConnection() throws IOException {
        server.rejectUpgradesWith(403);
        client = builder().reconnect(false).build();
        ConnectFailedException forbidden = assertThatFailsWith(client.connect(), ConnectFailedException.class);
        assertThat(forbidden.kind()).isEqualTo(ConnectFailedException.Kind.REJECTED);
        assertThat(forbidden.httpStatus()).hasValue(403);
        client.close();

        server.rejectUpgradesWith(0);
        client = SlipstreamClient.builder("ws://127.0.0.1:" + server.port() + "/nowhere").reconnect(false).build();
        ConnectFailedException notFound = assertThatFailsWith(client.connect(), ConnectFailedException.class);
        assertThat(notFound.httpStatus()).hasValue(404);
        client.close();

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        client = SlipstreamClient.builder("ws://127.0.0.1:" + closedPort + "/socket").reconnect(false).build();
        ConnectFailedException refused = assertThatFailsWith(client.connect(), ConnectFailedException.class);
        assertThat(refused.kind()).isEqualTo(ConnectFailedException.Kind.NETWORK);
        assertThat(refused.httpStatus()).isEmpty();
    }

    @Test
    void binaryPayloadsTravelBothWays() {
        List<Payload> received = new CopyOnWriteArrayList<>();
        client = builder().module(new ClientModule() {
            @Override
            public void message(SlipstreamClient c, String topic, String event, Payload payload) {
                received.add(payload);
            }
        }).build();
        client.connect().join();
        client.join("room:lobby").join();

        Payload.Reply reply = client.push("room:lobby", "bin", Payload.binary(new byte[] {1, 2, 3})).join();
        assertThat(reply.response().asBinary().toByteArray()).containsExactly(1, 2, 3);
        assertThat(server.messages("bin").get(0).payload().asBinary().toByteArray()).containsExactly(1, 2, 3);

        server.lastSession().push("room:lobby", "blob", Payload.binary(new byte[] {9, 8}));
        await().until(() -> received.size() == 1);
        assertThat(received.get(0).asBinary().toByteArray()).containsExactly(9, 8);
    }

    @Test
    void framesOfAnOlderJoinAreDroppedAndUnknownRepliesReported() {
        List<String> messages = new CopyOnWriteArrayList<>();
        client = builder().module(new ClientModule() {
            @Override
            public void message(SlipstreamClient c, String topic, String event, Payload payload) {
                messages.add(event);
            }
        }).build();
        client.connect().join();
        client.join("room:lobby").join();
        TestPhoenixServer.Session s = server.lastSession();

        s.send(Message.of("999", null, "room:lobby", "stale", Payload.empty()));
        s.send(Message.reply(null, "4242", "room:lobby", "ok", Payload.empty()));
        s.send(Message.broadcast("room:lobby", "fresh", Payload.empty()));
        s.push("room:lobby", "pushed", Payload.empty());
        s.send(Message.broadcast("room:other", "elsewhere", Payload.empty()));

        await().until(() -> messages.size() == 2);
        assertThat(messages).containsExactly("fresh", "pushed");
        await().until(() -> events.count(ClientEvent.MessageDropped.class) == 2);
        assertThat(events.of(ClientEvent.MessageDropped.class).get(0).event()).isEqualTo("stale");
        assertThat(events.last(ClientEvent.UnmatchedReply.class).ref()).isEqualTo("4242");
    }

    @Test
    void leaveSendsPhxLeaveWithTheJoinRefThenTheTopicIsClosed() {
        List<String> left = new CopyOnWriteArrayList<>();
        client = builder().module(new ClientModule() {
            @Override
            public void left(SlipstreamClient c, String topic) {
                left.add(topic);
            }
        }).build();
        client.connect().join();
        client.join("room:lobby").join();

        client.leave("room:lobby").join();

        Message leave = server.messages("phx_leave").get(0);
        assertThat(leave.joinRef()).isEqualTo(server.messages("phx_join").get(0).ref());
        assertThat(client.isJoined("room:lobby")).isFalse();
        await().until(() -> left.size() == 1);
        assertThatFailsWith(client.push("room:lobby", "x", Payload.empty()), TopicNotJoinedException.class);
        assertThat(events.count(ClientEvent.TopicLeft.class)).isEqualTo(1);
    }

    @Test
    void aRefusedJoinFailsWithTheServersResponse() {
        server.script((s, m) -> {
            if (m.event().equals("phx_join")) {
                s.reply(m, "error", Payload.json("{\"reason\":\"unauthorized\"}"));
            } else {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().build();
        client.connect().join();
        JoinRefusedException refused = assertThatFailsWith(client.join("room:secret"), JoinRefusedException.class);
        assertThat(refused.response()).isEqualTo(Payload.json("{\"reason\":\"unauthorized\"}"));
        assertThat(client.isJoined("room:secret")).isFalse();
    }

    @Test
    void pushesFailFastWhenNotConnectedOrNotJoined() {
        client = builder().build();
        assertThatFailsWith(client.join("room:lobby"), NotConnectedException.class);
        client.connect().join();
        assertThatFailsWith(client.push("room:lobby", "x", Payload.empty()), TopicNotJoinedException.class);
    }

    @Test
    void bufferedPushesWaitForTheJoinUpToTheBound() {
        CopyOnWriteArrayList<Message> heldJoins = new CopyOnWriteArrayList<>();
        server.script((s, m) -> {
            if (m.event().equals("phx_join")) {
                heldJoins.add(m);
            } else {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().pushBufferSize(2).build();
        client.connect().join();
        CompletableFuture<Payload> join = client.join("room:lobby");
        await().until(() -> heldJoins.size() == 1);
        CompletableFuture<Payload.Reply> a = client.push("room:lobby", "a", Payload.empty());
        CompletableFuture<Payload.Reply> b = client.push("room:lobby", "b", Payload.empty());
        CompletableFuture<Payload.Reply> c = client.push("room:lobby", "c", Payload.empty());
        assertThatFailsWith(c, PushBufferFullException.class);
        assertThat(a).isNotDone();

        server.lastSession().reply(heldJoins.get(0), "ok", Payload.empty());

        join.join();
        assertThat(a.join().isOk()).isTrue();
        assertThat(b.join().isOk()).isTrue();
        assertThat(server.messages("a").get(0).joinRef()).isEqualTo(heldJoins.get(0).ref());
    }

    @Test
    void anOversizedMessageClosesWith1009AndReconnects() {
        client = builder().maxMessageBytes(1000).build();
        client.connect().join();
        client.join("room:lobby").join();

        server.lastSession().push("room:lobby", "big", Payload.json("{\"x\":\"" + "a".repeat(5000) + "\"}"));

        await().until(() -> events.count(ClientEvent.MessageTooLarge.class) == 1);
        assertThat(events.last(ClientEvent.MessageTooLarge.class).limit()).isEqualTo(1000);
        await().until(() -> events.count(ClientEvent.Disconnected.class) == 1);
        assertThat(events.last(ClientEvent.Disconnected.class).reason().kind())
                .isEqualTo(DisconnectReason.Kind.MESSAGE_TOO_LARGE);
        await().until(() -> server.upgrades() == 2 && client.isJoined("room:lobby"));
    }

    @Test
    void aThrowingCallbackIsReportedAndTheClientCarriesOn() {
        client = builder().module(new ClientModule() {
            @Override
            public void joined(SlipstreamClient c, String topic, Payload response) {
                throw new IllegalStateException("boom");
            }
        }).build();
        client.connect().join();
        client.join("room:lobby").join();
        await().until(() -> events.count(ClientEvent.CallbackFailed.class) == 1);
        assertThat(events.last(ClientEvent.CallbackFailed.class).callback()).isEqualTo("joined");
        assertThat(events.last(ClientEvent.CallbackFailed.class).error()).hasMessage("boom");
        assertThat(client.push("room:lobby", "ping", Payload.empty()).join().isOk()).isTrue();
    }

    @Test
    void secretsNeverShowInToStringEventsOrExceptions() {
        server.rejectUpgradesWith(403);
        client = builder().params(Map.of("token", "s3cret-param")).header("Authorization", "Bearer s3cret-header")
                .reconnect(false).build();
        ConnectFailedException e = assertThatFailsWith(client.connect(), ConnectFailedException.class);
        assertThat(e.getMessage()).contains("token=***").doesNotContain("s3cret");
        assertThat(client.toString()).doesNotContain("s3cret");
        assertThat(events.all().toString()).doesNotContain("s3cret").contains("token=***");
        assertThat(server.queries().get(0).get("token")).containsExactly("s3cret-param");
    }

    @Test
    void protocolV1IsSelectable() {
        client = builder().protocolV1().build();
        client.connect().join();
        assertThat(server.queries().get(0).get("vsn")).containsExactly("1.0.0");
    }

    @Test
    void moduleCallbacksRunOneAtATimeOnTheClientsExecutorWithAHandleToAct() {
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        client = builder().module(new ClientModule() {
            private void enter(String what) {
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                calls.add(what + " on " + Thread.currentThread().getName());
                concurrent.decrementAndGet();
            }

            @Override
            public void started(SlipstreamClient c) {
                enter("started");
                c.connect();
            }

            @Override
            public void connected(SlipstreamClient c) {
                enter("connected");
                c.join("room:lobby");
            }

            @Override
            public void joined(SlipstreamClient c, String topic, Payload response) {
                enter("joined");
                c.push(topic, "hello", Payload.json("{\"n\":1}"));
            }

            @Override
            public void reply(SlipstreamClient c, String topic, String ref, Payload.Reply reply) {
                enter("reply");
            }
        }).build();
        await().until(() -> calls.size() == 4);
        assertThat(calls).allMatch(s -> s.contains("slipstream-client-"));
        assertThat(maxConcurrent.get()).isEqualTo(1);
        assertThat(server.messages("hello")).hasSize(1);
    }

    @Test
    void aJoinMadeWhileConnectingIsSentOnceConnected() {
        client = builder().build();
        client.connect();
        Payload response = client.join("room:early").join();
        assertThat(response).isEqualTo(Payload.empty());
        assertThat(client.isJoined("room:early")).isTrue();
    }

    @Test
    void anUndecodableFrameIsReportedAndTheConnectionStays() {
        client = builder().build();
        client.connect().join();
        client.join("room:lobby").join();
        server.lastSession().sendText("this is not a phoenix frame");
        await().until(() -> events.count(ClientEvent.DecodeFailed.class) == 1);
        assertThat(client.push("room:lobby", "ping", Payload.empty()).join().isOk()).isTrue();
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void closeFailsWhatIsPendingAndRefusesFurtherWork() {
        List<String> hooks = new CopyOnWriteArrayList<>();
        server.script((s, m) -> {
            if (!m.event().equals("slow")) {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().module(new ClientModule() {
            @Override
            public void stopped(SlipstreamClient c) {
                hooks.add("stopped");
            }
        }).build();
        client.connect().join();
        client.join("room:lobby").join();
        CompletableFuture<Payload.Reply> pending = client.push("room:lobby", "slow", Payload.empty());
        await().until(() -> server.messages("slow").size() == 1);

        client.close();

        assertThatFailsWith(pending, ClientClosedException.class);
        assertThatFailsWith(client.connect(), ClientClosedException.class);
        assertThat(hooks).containsExactly("stopped");
        assertThat(events.last(ClientEvent.Disconnected.class).reason().kind())
                .isEqualTo(DisconnectReason.Kind.CLIENT_REQUESTED);
        await().until(() -> !server.lastSession().isOpen());
    }

    @Test
    void aLinkDroppedWithoutACloseFrameIsReconnected() throws IOException {
        try (RawWebSocketServer abrupt = new RawWebSocketServer()) {
            client = SlipstreamClient.builder("ws://127.0.0.1:" + abrupt.port() + "/socket").eventListener(events)
                    .build();
            client.connect();
            await().until(() -> events.count(ClientEvent.Disconnected.class) >= 1
                    && events.count(ClientEvent.ReconnectScheduled.class) >= 1);
            DisconnectReason reason = events.of(ClientEvent.Disconnected.class).get(0).reason();
            assertThat(reason.kind()).isIn(DisconnectReason.Kind.TRANSPORT_ERROR, DisconnectReason.Kind.SERVER_CLOSED);
            assertThat(reason.closeCode()).isEqualTo(1006);
            await().until(() -> abrupt.upgrades() >= 2);
        }
    }

    @Test
    void bufferedPushesWaitAcrossAReconnectAndGoOutAfterTheRejoin() {
        ManualScheduler time = new ManualScheduler();
        client = builder().scheduler(time).heartbeatInterval(Duration.ZERO).pushBufferSize(10).build();
        client.connect().join();
        client.join("room:lobby").join();
        server.rejectUpgradesWith(503);
        server.lastSession().close(1012, "restart");
        await().until(() -> events.count(ClientEvent.ReconnectScheduled.class) == 1);

        CompletableFuture<Payload.Reply> buffered = client.push("room:lobby", "later", Payload.json("{\"n\":1}"));
        await().until(() -> events.count(ClientEvent.PushBuffered.class) == 1);
        server.rejectUpgradesWith(0);
        time.advance(Duration.ofMillis(10));

        assertThat(buffered.join().response()).isEqualTo(Payload.json("{\"n\":1}"));
        Message rejoin = server.messages("phx_join").get(1);
        assertThat(server.messages("later").get(0).joinRef()).isEqualTo(rejoin.ref());
    }

    @Test
    void withoutRejoinAfterReconnectTopicsAreClosedOnDisconnect() {
        client = builder().rejoinAfterReconnect(false).build();
        client.connect().join();
        client.join("room:lobby").join();

        server.lastSession().close(1001, "");

        await().until(() -> events.count(ClientEvent.Connected.class) == 2);
        await().until(() -> events.count(ClientEvent.TopicClosed.class) == 1);
        assertThat(server.messages("phx_join")).hasSize(1);
        assertThat(client.isJoined("room:lobby")).isFalse();
    }

    @Test
    void manyThreadsJoiningPushingAndLeavingTheirOwnTopicsAllFinish() throws Exception {
        client = builder().build();
        client.connect().join();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String topic = "room:" + t;
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int round = 0; round < 5; round++) {
                        client.join(topic).get(10, TimeUnit.SECONDS);
                        List<CompletableFuture<Payload.Reply>> replies = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            replies.add(client.push(topic, "echo", Payload.json("{\"i\":" + i + "}")));
                        }
                        for (int i = 0; i < 20; i++) {
                            Payload.Reply r = replies.get(i).get(10, TimeUnit.SECONDS);
                            if (r.isOk() && r.response().asJson().json().get("i").asInt() == i) {
                                ok++;
                            }
                        }
                        client.leave(topic).get(10, TimeUnit.SECONDS);
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(100);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < 8; t++) {
            assertThat(client.isJoined("room:" + t)).isFalse();
        }
        assertThat(server.messages("phx_join")).hasSize(40);
        assertThat(server.messages("phx_leave")).hasSize(40);
    }
}
