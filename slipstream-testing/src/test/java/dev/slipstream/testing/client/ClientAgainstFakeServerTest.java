package dev.slipstream.testing.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.PushTimeoutException;
import dev.slipstream.client.ReceivedMessage;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SyncClient;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.PhoenixVersion;
import dev.slipstream.testing.RecordedFrame;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.demo.DemoChannels;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our client ({@code slipstream-client}) against our fake Phoenix server with the demo channels of
 * {@code real-phoenix-frames.md}, over real loopback websockets, in Phoenix 1.8 and 1.7 modes and with the V2 and V1
 * serializers where they apply. Every wait is bounded; generous bounds because the build machine is loaded.
 */
@Timeout(60)
public class ClientAgainstFakeServerTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private FakePhoenixServer server;
    private final List<ClientEvent> events = new CopyOnWriteArrayList<>();

    /** Phoenix version and serializer: every combination. */
    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of(PhoenixVersion.V1_8, true),
                Arguments.of(PhoenixVersion.V1_8, false),
                Arguments.of(PhoenixVersion.V1_7, true),
                Arguments.of(PhoenixVersion.V1_7, false));
    }

    /** Binary frames exist in V2 only. */
    static Stream<Arguments> versions() {
        return Stream.of(Arguments.of(PhoenixVersion.V1_8), Arguments.of(PhoenixVersion.V1_7));
    }

    /** On a failure, prints what the client saw and every frame the server recorded, to diagnose it from the log. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.TestWatcher dumpOnFailure = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            StringBuilder out = new StringBuilder("=== client events and server frames of " + context.getDisplayName()
                    + " " + context.getRequiredTestMethod().getName() + "\n");
            events.stream().filter(e -> !(e instanceof ClientEvent.FrameSent || e instanceof ClientEvent.FrameReceived
                    || e instanceof ClientEvent.CallbackStarted || e instanceof ClientEvent.CallbackFinished))
                    .forEach(e -> out.append("  ").append(e).append('\n'));
            if (server != null) {
                server.connectionHistory().forEach(c -> c.recording()
                        .forEach(f -> out.append("  ").append(c.id()).append(' ').append(f).append('\n')));
            }
            System.err.print(out);
        }
    };

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    private FakePhoenixServer start(PhoenixVersion version, Consumer<FakePhoenixServer.Builder> extra) {
        FakePhoenixServer.Builder b = DemoChannels.install(FakePhoenixServer.builder()).phoenixVersion(version);
        extra.accept(b);
        server = b.start();
        return server;
    }

    private FakePhoenixServer start(PhoenixVersion version) {
        return start(version, b -> {});
    }

    /** The transport under test: the default (the JDK's websocket) here; subclasses run every case on another. */
    protected dev.slipstream.client.transport.Transport transport() {
        return null;
    }

    private SlipstreamClient.Builder builder(boolean v2, Map<String, ?> params) {
        SlipstreamClient.Builder b = SlipstreamClient.builder(server.socketUri())
                .params(params)
                .pushTimeout(WAIT)
                .connectTimeout(WAIT)
                .reconnectBackoff(dev.slipstream.client.Backoff.of(attempt -> Duration.ofMillis(50)))
                .rejoinBackoff(dev.slipstream.client.Backoff.of(attempt -> Duration.ofMillis(50)))
                .eventListener(events::add);
        if (!v2) {
            b.protocolV1();
        }
        if (transport() != null) {
            b.transport(transport());
        }
        return b;
    }

    private SlipstreamClient client(boolean v2, Map<String, ?> params) {
        SlipstreamClient c = builder(v2, params).build();
        toClose.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure, got success");
    }

    private static JsonNode json(Payload p) {
        return p.asJson().json();
    }

    private static Payload obj(String text) {
        return Payload.json(text);
    }

    private List<RecordedFrame> in(ServerConnection c, String topic) {
        return c.recording().stream()
                .filter(f -> f.direction() == RecordedFrame.Direction.IN && f.message() != null
                        && topic.equals(f.message().topic()))
                .toList();
    }

    private List<Message> out(ServerConnection c, String topic) {
        return c.recording().stream()
                .filter(f -> f.direction() == RecordedFrame.Direction.OUT && f.message() != null
                        && topic.equals(f.message().topic()))
                .map(RecordedFrame::message)
                .toList();
    }

    private <E extends ClientEvent> List<E> events(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    // --- connect, join, replies --------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("modes")
    void joinsAndRepliesAsPhoenixWould(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        Payload joined = get(c.join("echo:lobby", obj("{\"x\":1}")));
        assertThat(joined.asJson().text()).isEqualTo("{\"joined\":\"echo:lobby\",\"params\":{\"x\":1}}");

        Payload.Reply echo = get(c.push("echo:lobby", "echo", obj("{\"hi\":\"there\"}")));
        assertThat(echo.isOk()).isTrue();
        assertThat(echo.response().asJson().text()).isEqualTo("{\"hi\":\"there\"}");
        Payload.Reply error = get(c.push("echo:lobby", "error", obj("{\"why\":\"asked\"}")));
        assertThat(error.status()).isEqualTo("error");
        assertThat(error.response().asJson().text()).isEqualTo("{\"why\":\"asked\"}");
        Payload.Reply unknown = get(c.push("echo:lobby", "nosuchevent", obj("{\"z\":0}")));
        assertThat(json(unknown.response()).get("reason").asText()).isEqualTo("unknown event");

        assertThat(failure(c.join("echo:private", obj("{\"password\":\"wrong\"}"))))
                .isInstanceOfSatisfying(JoinRefusedException.class, e -> assertThat(json(e.response())
                        .get("reason").asText()).isEqualTo("unauthorized"));
        assertThat(get(c.join("echo:private", obj("{\"password\":\"secret\"}"))).asJson().text())
                .contains("\"joined\":\"echo:private\"");
        assertThat(failure(c.join("echo:join_crash")))
                .isInstanceOfSatisfying(JoinRefusedException.class, e -> assertThat(json(e.response())
                        .get("reason").asText()).isEqualTo("join crashed"));
        assertThat(failure(c.join("nomatch:1")))
                .isInstanceOfSatisfying(JoinRefusedException.class, e -> assertThat(json(e.response())
                        .get("reason").asText()).isEqualTo("unmatched topic"));
        assertThat(c.isJoined("echo:lobby")).isTrue();
        assertThat(c.isJoined("nomatch:1")).isFalse();
        // The only handler error the server recorded is the join that raised on purpose.
        assertThat(server.errors()).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("echo:join_crash"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void noReplyEndsInAPushTimeout(PhoenixVersion version, boolean v2) {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:lobby"));
        CompletableFuture<Payload.Reply> noreply = c.push("echo:lobby", "noreply", Payload.empty(), Duration.ofMillis(300));
        assertThat(failure(noreply)).isInstanceOf(PushTimeoutException.class);
        // The connection and channel are still fine afterwards.
        assertThat(get(c.push("echo:lobby", "echo", obj("{\"a\":1}"))).isOk()).isTrue();
    }

    // --- ordering of broadcasts, pushes and replies ------------------------------------------------------------

    /** Records, in order, what the module sees: "msg:event" and "reply:event-ref". */
    static final class OrderModule implements ClientModule {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void message(SlipstreamClient client, String topic, String event, Payload payload) {
            seen.add("msg:" + topic + ":" + event + ":" + (payload.isBinary() ? "bin" : payload.asJson().text()));
        }

        @Override
        public void reply(SlipstreamClient client, String topic, String ref, Payload.Reply reply) {
            seen.add("reply:" + topic + ":" + reply.status());
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void broadcastAndPushBackArriveBeforeTheReply(PhoenixVersion version, boolean v2) {
        start(version);
        OrderModule m1 = new OrderModule();
        OrderModule m2 = new OrderModule();
        SlipstreamClient a = builder(v2, Map.of()).module(m1).build();
        SlipstreamClient b = builder(v2, Map.of()).module(m2).build();
        toClose.add(a);
        toClose.add(b);
        get(a.connect());
        get(b.connect());
        get(a.join("echo:room"));
        get(b.join("echo:room"));

        get(a.push("echo:room", "broadcast", obj("{\"b\":1}")));
        await().atMost(WAIT).until(() -> m1.seen.size() >= 2 && m2.seen.contains("msg:echo:room:broadcast:{\"b\":1}"));
        assertThat(m1.seen).containsExactly("msg:echo:room:broadcast:{\"b\":1}", "reply:echo:room:ok");
        m1.seen.clear();
        m2.seen.clear();

        get(a.push("echo:room", "broadcast_from", obj("{\"f\":1}")));
        await().atMost(WAIT).until(() -> m2.seen.contains("msg:echo:room:broadcast:{\"f\":1}"));
        get(a.push("echo:room", "push_back", obj("{\"p\":1}")));
        await().atMost(WAIT).until(() -> m1.seen.size() >= 3);
        // broadcast_from skips the sender; push_back reaches the sender only, before its reply.
        assertThat(m1.seen).containsExactly("reply:echo:room:ok", "msg:echo:room:pushed:{\"p\":1}", "reply:echo:room:ok");
        assertThat(m2.seen).containsExactly("msg:echo:room:broadcast:{\"f\":1}");

        // A broadcast from outside any channel reaches both.
        server.broadcast("echo:room", "news", Map.of("n", 1));
        await().atMost(WAIT).until(() -> m1.seen.contains("msg:echo:room:news:{\"n\":1}")
                && m2.seen.contains("msg:echo:room:news:{\"n\":1}"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void ticksArriveAfterTheReplyInOrder(PhoenixVersion version, boolean v2) {
        start(version);
        OrderModule m = new OrderModule();
        SlipstreamClient c = builder(v2, Map.of()).module(m).build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:ticks"));
        get(c.push("echo:ticks", "start_ticks", obj("{\"ms\":20,\"count\":3}")));
        await().atMost(WAIT).until(() -> m.seen.size() >= 4);
        assertThat(m.seen).containsExactly("reply:echo:ticks:ok", "msg:echo:ticks:tick:{\"n\":1}",
                "msg:echo:ticks:tick:{\"n\":2}", "msg:echo:ticks:tick:{\"n\":3}");
    }

    // --- channel lifecycle ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("modes")
    void crashIsRejoinedWithAFreshJoinRefAndFreshParams(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        AtomicInteger asked = new AtomicInteger();
        get(c.join("echo:c", () -> obj("{\"n\":" + asked.incrementAndGet() + "}")));
        ServerConnection conn = server.awaitConnection(WAIT);
        c.push("echo:c", "crash", Payload.empty());
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        assertThat(events(ClientEvent.TopicClosed.class)).singleElement()
                .satisfies(e -> assertThat(e.reason().kind()).isEqualTo(TopicCloseReason.Kind.CRASHED));
        assertThat(asked).hasValue(2);
        List<Message> joins = in(conn, "echo:c").stream().map(RecordedFrame::message)
                .filter(m -> m.event().equals("phx_join")).toList();
        assertThat(joins).hasSize(2);
        assertThat(json(joins.get(1).payload()).get("n").asInt()).isEqualTo(2);
        if (v2) {
            for (Message j : joins) {
                assertThat(j.joinRef()).isEqualTo(j.ref());
            }
            assertThat(joins.get(1).joinRef()).isNotEqualTo(joins.get(0).joinRef());
        }
        Message error = out(conn, "echo:c").stream().filter(m -> m.event().equals("phx_error")).findFirst().orElseThrow();
        assertThat(json(error.payload()).toString())
                .isEqualTo(version == PhoenixVersion.V1_8 ? "{\"reason\":\"channel_crash\"}" : "{}");
        assertThat(get(c.push("echo:c", "echo", obj("{\"after\":\"crash\"}"))).isOk()).isTrue();
        assertThat(conn.joinedTopics()).containsExactly("echo:c");
    }

    @ParameterizedTest
    @MethodSource("modes")
    void stopAndStopReplyCloseTheTopicForGood(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:s"));
        get(c.join("echo:s2"));
        CompletableFuture<Payload.Reply> stop = c.push("echo:s", "stop", Payload.empty());
        await().atMost(WAIT).until(() -> !c.isJoined("echo:s"));
        // No reply comes for a stop: the pending push ends (typed) instead of hanging.
        assertThat(failure(stop)).isInstanceOf(dev.slipstream.client.TopicClosedException.class);
        Payload.Reply stopReply = get(c.push("echo:s2", "stop_reply", obj("{\"bye\":1}")));
        assertThat(stopReply.response().asJson().text()).isEqualTo("{\"bye\":1}");
        await().atMost(WAIT).until(() -> !c.isJoined("echo:s2"));
        assertThat(events(ClientEvent.TopicClosed.class)).extracting(e -> e.reason().kind())
                .containsExactly(TopicCloseReason.Kind.SERVER_CLOSED, TopicCloseReason.Kind.SERVER_CLOSED);
        ServerConnection conn = server.awaitConnection(WAIT);
        // No rejoin: the rejoin backoff is 50 ms; nothing is joined again for well beyond that.
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> in(conn, "echo:s").stream()
                .filter(f -> f.message().event().equals("phx_join")).count() == 1);
        assertThat(events(ClientEvent.RejoinScheduled.class)).isEmpty();
        assertThat(failure(c.push("echo:s", "echo", Payload.empty())))
                .isInstanceOf(dev.slipstream.client.TopicNotJoinedException.class);
    }

    @ParameterizedTest
    @MethodSource("modes")
    void leaveSendsTheJoinRefAndEndsCleanly(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:l"));
        get(c.leave("echo:l"));
        ServerConnection conn = server.awaitConnection(WAIT);
        await().atMost(WAIT).until(() -> conn.joinedTopics().isEmpty());
        assertThat(c.isJoined("echo:l")).isFalse();
        assertThat(events(ClientEvent.TopicLeft.class)).hasSize(1);
        assertThat(events(ClientEvent.TopicClosed.class)).isEmpty();
        List<Message> sent = in(conn, "echo:l").stream().map(RecordedFrame::message).toList();
        assertThat(sent).extracting(Message::event).containsExactly("phx_join", "phx_leave");
        if (v2) {
            assertThat(sent.get(1).joinRef()).isEqualTo(sent.get(0).ref());
        }
        await().atMost(WAIT).until(() -> out(conn, "echo:l").size() == 3);
        assertThat(out(conn, "echo:l")).extracting(Message::event).containsExactly("phx_reply", "phx_reply", "phx_close");
        // Joining again after a leave works.
        get(c.join("echo:l"));
        assertThat(get(c.push("echo:l", "echo", Payload.empty())).isOk()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void joiningAJoinedTopicAgainEndsWithOneLiveChannel(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:dup", obj("{\"n\":1}")));
        CompletableFuture<Payload> second = c.join("echo:dup", obj("{\"n\":2}"));
        Payload response;
        try {
            response = second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            response = null; // the client may refuse a second join of a joined topic; then the first stays
        }
        ServerConnection conn = server.awaitConnection(WAIT);
        // Whatever the client chose, it and the server agree: the topic is joined, pushes get replies.
        assertThat(get(c.push("echo:dup", "echo", obj("{\"still\":1}"))).isOk()).isTrue();
        assertThat(c.isJoined("echo:dup")).isTrue();
        assertThat(conn.joinedTopics()).containsExactly("echo:dup");
        long joins = in(conn, "echo:dup").stream().filter(f -> f.message().event().equals("phx_join")).count();
        if (response != null) {
            // A second phx_join gets the new params' response; no second phx_join gets the first one.
            assertThat(json(response).get("params").get("n").asInt()).isEqualTo((int) joins);
        }
        assertThat(events(ClientEvent.TopicClosed.class)).isEmpty();
    }

    // --- binary ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("versions")
    void binaryReplyPushAndBroadcast(PhoenixVersion version) {
        start(version);
        OrderModule m = new OrderModule();
        List<ReceivedBinary> bins = new CopyOnWriteArrayList<>();
        SlipstreamClient c = builder(true, Map.of()).module(new ClientModule() {
            @Override
            public void message(SlipstreamClient client, String topic, String event, Payload payload) {
                m.message(client, topic, event, payload);
                if (payload.isBinary()) {
                    bins.add(new ReceivedBinary(event, payload.asBinary().toByteArray()));
                }
            }

            @Override
            public void reply(SlipstreamClient client, String topic, String ref, Payload.Reply reply) {
                m.reply(client, topic, ref, reply);
            }
        }).build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:lobby"));
        Payload.Reply reply = get(c.push("echo:lobby", "binary", Payload.binary(new byte[] {1, 2, 3, (byte) 0xff})));
        assertThat(reply.isOk()).isTrue();
        assertThat(reply.response().isBinary()).isTrue();
        assertThat(reply.response().asBinary().toByteArray()).containsExactly(1, 2, 3, 0xff);
        get(c.push("echo:lobby", "binary_push", Payload.binary("hi".getBytes())));
        get(c.push("echo:lobby", "binary_broadcast", Payload.binary(new byte[] {(byte) 0xca, (byte) 0xfe})));
        await().atMost(WAIT).until(() -> bins.size() >= 2);
        assertThat(bins.get(0).event()).isEqualTo("binary_pushed");
        assertThat(bins.get(0).bytes()).containsExactly('h', 'i');
        assertThat(bins.get(1).event()).isEqualTo("binary_broadcast");
        assertThat(bins.get(1).bytes()).containsExactly(0xca, 0xfe);
        assertThat(m.seen).containsExactly("reply:echo:lobby:ok", "msg:echo:lobby:binary_pushed:bin",
                "reply:echo:lobby:ok", "msg:echo:lobby:binary_broadcast:bin", "reply:echo:lobby:ok");
        Payload.Reply refused = get(c.push("echo:lobby", "binary", obj("{\"not\":\"binary\"}")));
        assertThat(json(refused.response()).get("reason").asText()).isEqualTo("expected binary payload");
    }

    record ReceivedBinary(String event, byte[] bytes) {}

    // --- presence ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("modes")
    void presenceFramesReachTheClient(PhoenixVersion version, boolean v2) {
        start(version);
        SyncClient a = builder(v2, Map.of("user_id", "u1")).buildSync();
        SyncClient b = builder(v2, Map.of("user_id", "u2")).buildSync();
        toClose.add(a);
        toClose.add(b);
        a.connect();
        assertThat(json(a.join("presence:room")).get("key").asText()).isEqualTo("u1");
        a.awaitMessage("presence:room", "presence_diff", p -> json(p).get("joins").has("u1"), WAIT);
        var state = a.awaitMessage("presence:room", "presence_state", WAIT);
        assertThat(json(state.payload()).get("u1").get("metas").get(0).get("phx_ref").asText()).hasSize(16);
        b.connect();
        b.join("presence:room");
        b.awaitMessage("presence:room", "presence_state", p -> json(p).has("u1") && json(p).has("u2"), WAIT);
        a.awaitMessage("presence:room", "presence_diff", p -> json(p).get("joins").has("u2"), WAIT);
        b.leave("presence:room");
        a.awaitMessage("presence:room", "presence_diff", p -> json(p).get("leaves").has("u2"), WAIT);
        Payload.Reply list = a.push("presence:room", "list", Payload.empty());
        assertThat(json(list.response()).has("u1")).isTrue();
        assertThat(json(list.response()).has("u2")).isFalse();
    }

    // --- server-side disconnects and restarts ----------------------------------------------------------------

    private void assertReconnectsAndRejoins(SlipstreamClient c, Runnable cut, int expectedCode) throws Exception {
        ServerConnection first = server.awaitConnection(WAIT);
        cut.run();
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        assertThat(events(ClientEvent.Disconnected.class)).first().satisfies(d -> {
            assertThat(d.reason().kind()).isEqualTo(DisconnectReason.Kind.SERVER_CLOSED);
            assertThat(d.reason().closeCode()).isEqualTo(expectedCode);
        });
        ServerConnection second = server.awaitConnection(s -> s != first && s.isOpen(), WAIT);
        await().atMost(WAIT).until(() -> second.joinedTopics().contains("echo:r"));
        assertThat(get(c.push("echo:r", "echo", obj("{\"back\":true}"))).isOk()).isTrue();
        assertThat(first.isOpen()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void disconnectBySocketIdIsReconnectedAndRejoined(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of("user_id", "raw1"));
        get(c.connect());
        get(c.join("echo:r"));
        assertReconnectsAndRejoins(c, () -> assertThat(server.disconnect("user_socket:raw1")).isEqualTo(1),
                version == PhoenixVersion.V1_8 ? 1001 : 1000);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void httpDisconnectIsReconnectedAndRejoined(PhoenixVersion version) throws Exception {
        start(version);
        SlipstreamClient c = client(true, Map.of("user_id", "raw1"));
        get(c.connect());
        get(c.join("echo:r"));
        assertReconnectsAndRejoins(c, () -> {
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(server.httpUri().resolve("/disconnect/raw1"))
                                .POST(HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("{\"disconnected\":\"user_socket:raw1\"}");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, version == PhoenixVersion.V1_8 ? 1001 : 1000);
    }

    @ParameterizedTest
    @MethodSource("modes")
    void serverStopAndStartOnTheSamePortIsReconnectedAndRejoined(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:r"));
        int port = server.port();
        server.stop(1012);
        await().atMost(WAIT).until(() -> !events(ClientEvent.Disconnected.class).isEmpty());
        assertThat(events(ClientEvent.Disconnected.class).get(0).reason().closeCode()).isEqualTo(1012);
        // A few reconnects fail while the server is down.
        await().atMost(WAIT).until(() -> events(ClientEvent.ConnectFailed.class).size() >= 2);
        server.start();
        assertThat(server.port()).isEqualTo(port);
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        ServerConnection conn = server.awaitConnection(s -> s.isOpen(), WAIT);
        await().atMost(WAIT).until(() -> conn.joinedTopics().contains("echo:r"));
        assertThat(get(c.push("echo:r", "echo", Payload.empty())).isOk()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void ignoredHeartbeatsAreDetectedAndTheClientReconnects(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = builder(v2, Map.of()).heartbeatInterval(Duration.ofSeconds(1)).build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:r"));
        await().atMost(WAIT).until(() -> !events(ClientEvent.HeartbeatAcked.class).isEmpty());
        ServerConnection first = server.awaitConnection(WAIT);
        first.ignoreHeartbeats(true);
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        assertThat(events(ClientEvent.HeartbeatTimedOut.class)).isNotEmpty();
        assertThat(events(ClientEvent.Disconnected.class)).first()
                .satisfies(d -> assertThat(d.reason().kind()).isEqualTo(DisconnectReason.Kind.HEARTBEAT_TIMEOUT));
        await().atMost(WAIT).until(() -> !first.isOpen());
        ServerConnection second = server.awaitConnection(s -> s != first && s.isOpen(), WAIT);
        await().atMost(WAIT).until(() -> second.joinedTopics().contains("echo:r"));
        assertThat(get(c.push("echo:r", "echo", Payload.empty())).isOk()).isTrue();
        // Heartbeats on the new connection are answered again.
        int acked = events(ClientEvent.HeartbeatAcked.class).size();
        await().atMost(WAIT).until(() -> events(ClientEvent.HeartbeatAcked.class).size() > acked);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void idleTimeoutClosesAClientWithoutHeartbeatAndItReconnects(PhoenixVersion version) throws Exception {
        start(version, b -> b.idleTimeout(Duration.ofMillis(1500)));
        SlipstreamClient c = builder(true, Map.of()).heartbeatInterval(Duration.ZERO).build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:r"));
        await().atMost(WAIT).until(() -> !events(ClientEvent.Disconnected.class).isEmpty());
        DisconnectReason reason = events(ClientEvent.Disconnected.class).get(0).reason();
        assertThat(reason.kind()).isEqualTo(DisconnectReason.Kind.SERVER_CLOSED);
        assertThat(reason.closeCode()).isEqualTo(1000);
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        assertThat(events(ClientEvent.HeartbeatSent.class)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void rejectedConnectSurfacesHttp403(PhoenixVersion version, boolean v2) {
        start(version);
        SlipstreamClient c = builder(v2, Map.of("reject", "true")).reconnect(false).build();
        toClose.add(c);
        assertThat(failure(c.connect())).isInstanceOfSatisfying(ConnectFailedException.class, e -> {
            assertThat(e.kind()).isEqualTo(ConnectFailedException.Kind.REJECTED);
            assertThat(e.httpStatus()).hasValue(403);
        });
    }

    @ParameterizedTest
    @MethodSource("versions")
    void refusedTcpIsANetworkFailure(PhoenixVersion version) {
        start(version);
        server.refuseConnectionsTcp();
        SlipstreamClient c = builder(true, Map.of()).reconnect(false).build();
        toClose.add(c);
        assertThat(failure(c.connect())).isInstanceOfSatisfying(ConnectFailedException.class,
                e -> assertThat(e.kind()).isEqualTo(ConnectFailedException.Kind.NETWORK));
    }

    // --- concurrency and wire fidelity -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("modes")
    void sixteenThreadsPushingConcurrentlyGetTheirOwnReplies(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:many"));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                all.add(CompletableFuture.runAsync(() -> {
                    List<CompletableFuture<Payload.Reply>> replies = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        replies.add(c.push("echo:many", "echo", obj("{\"t\":" + thread + ",\"i\":" + i + "}")));
                    }
                    for (int i = 0; i < 50; i++) {
                        JsonNode r = json(get(replies.get(i)).response());
                        assertThat(r.get("t").asInt()).isEqualTo(thread);
                        assertThat(r.get("i").asInt()).isEqualTo(i);
                    }
                }, pool));
            }
            get(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
        } finally {
            pool.shutdownNow();
        }
        assertThat(events(ClientEvent.UnmatchedReply.class)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void framesFollowPhoenixJoinRefRules(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        // A heartbeat reply later than one interval is a timeout: a long interval leaves room for a loaded machine.
        SlipstreamClient c = builder(v2, Map.of()).heartbeatInterval(Duration.ofSeconds(2)).build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:wire", obj("{\"x\":1}")));
        get(c.push("echo:wire", "push_back", obj("{\"p\":1}")));
        await().atMost(WAIT).until(() -> !events(ClientEvent.HeartbeatAcked.class).isEmpty());
        get(c.leave("echo:wire"));
        ServerConnection conn = server.awaitConnection(WAIT);
        await().atMost(WAIT).until(() -> out(conn, "echo:wire").size() == 5);

        List<Message> sent = in(conn, "echo:wire").stream().map(RecordedFrame::message).toList();
        assertThat(sent).extracting(Message::event).containsExactly("phx_join", "push_back", "phx_leave");
        Message join = sent.get(0);
        List<Message> got = out(conn, "echo:wire");
        if (v2) {
            assertThat(join.joinRef()).isNotNull().isEqualTo(join.ref());
            assertThat(sent).allSatisfy(m -> assertThat(m.joinRef()).isEqualTo(join.ref()));
            assertThat(sent).extracting(Message::ref).doesNotHaveDuplicates();
            String jr = join.ref();
            assertThat(got).extracting(m -> m.joinRef() + "," + m.ref() + "," + m.event()).containsExactly(
                    jr + "," + jr + ",phx_reply",
                    jr + ",null,pushed",
                    jr + "," + sent.get(1).ref() + ",phx_reply",
                    jr + "," + sent.get(2).ref() + ",phx_reply",
                    jr + "," + jr + ",phx_close");
        } else {
            assertThat(got).extracting(m -> m.ref() + "," + m.event()).containsExactly(
                    join.ref() + ",phx_reply", "null,pushed", sent.get(1).ref() + ",phx_reply",
                    sent.get(2).ref() + ",phx_reply", (join.joinRef() == null ? "null" : join.joinRef()) + ",phx_close");
        }
        List<Message> heartbeats = conn.recording().stream()
                .filter(f -> f.direction() == RecordedFrame.Direction.IN && f.message() != null
                        && f.message().topic().equals("phoenix"))
                .map(RecordedFrame::message).toList();
        assertThat(heartbeats).isNotEmpty().allSatisfy(h -> {
            assertThat(h.event()).isEqualTo("heartbeat");
            assertThat(h.joinRef()).isNull();
            assertThat(h.payload().asJson().text()).isEqualTo("{}");
        });
    }

    @ParameterizedTest
    @MethodSource("modes")
    void syncClientRoundTrip(PhoenixVersion version, boolean v2) {
        start(version);
        try (SyncClient sync = builder(v2, Map.of()).buildSync()) {
            sync.connect();
            sync.join("echo:sync", obj("{\"fizz\":\"buzz\"}"));
            assertThat(sync.push("echo:sync", "push_back", obj("{\"p\":2}")).isOk()).isTrue();
            assertThat(sync.awaitMessage("echo:sync", "pushed", WAIT).payload().asJson().text()).isEqualTo("{\"p\":2}");
            sync.leave("echo:sync");
            assertThatThrownBy(() -> sync.push("echo:sync", "echo", Payload.empty()))
                    .isInstanceOf(dev.slipstream.client.TopicNotJoinedException.class);
            sync.disconnect();
        }
        assertThat(events(ClientEvent.Disconnected.class)).singleElement()
                .satisfies(d -> assertThat(d.reason().kind()).isEqualTo(DisconnectReason.Kind.CLIENT_REQUESTED));
        assertThat(events(ClientEvent.ReconnectScheduled.class)).isEmpty();
    }


    // --- more lifecycle across connections ---------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("modes")
    void aSlowChannelDelaysOnlyItself(PhoenixVersion version, boolean v2) {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:slow"));
        get(c.join("echo:fast"));
        CompletableFuture<Payload.Reply> slow = c.push("echo:slow", "slow", obj("{\"ms\":3000}"));
        CompletableFuture<Payload.Reply> after = c.push("echo:slow", "echo", obj("{\"n\":2}"));
        Payload.Reply fast = get(c.push("echo:fast", "echo", obj("{\"n\":1}")));
        assertThat(fast.isOk()).isTrue();
        assertThat(slow).isNotDone();
        assertThat(after).isNotDone(); // a channel handles its messages one at a time
        assertThat(get(slow).response().asJson().text()).isEqualTo("{\"ms\":3000}");
        assertThat(get(after).isOk()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void droppedAndClosedConnectionsAreReconnectedWithPendingPushesFailed(PhoenixVersion version, boolean v2)
            throws Exception {
        start(version);
        AtomicInteger asked = new AtomicInteger();
        // A heartbeat as the backstop for a drop whose FIN the JDK websocket misses (see docs/RELIABILITY.md); 2 s
        // leaves room for a slow heartbeat reply on a loaded machine.
        SlipstreamClient c = builder(v2, Map.of()).heartbeatInterval(Duration.ofSeconds(2)).build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:r", () -> obj("{\"n\":" + asked.incrementAndGet() + "}")));
        ServerConnection first = server.awaitConnection(WAIT);
        CompletableFuture<Payload.Reply> hanging = c.push("echo:r", "noreply", Payload.empty());
        await().atMost(WAIT).until(() -> in(first, "echo:r").size() == 2);
        first.drop();
        assertThat(failure(hanging)).isInstanceOf(dev.slipstream.client.ConnectionLostException.class);
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        ServerConnection second = server.awaitConnection(s -> s != first && s.isOpen(), WAIT);
        await().atMost(WAIT).until(() -> second.joinedTopics().contains("echo:r"));
        second.close(1000);
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 3);
        ServerConnection third = server.awaitConnection(s -> s != first && s != second && s.isOpen(), WAIT);
        await().atMost(WAIT).until(() -> third.joinedTopics().contains("echo:r"));
        assertThat(asked).hasValue(3);
        Message rejoin = in(third, "echo:r").get(0).message();
        assertThat(json(rejoin.payload()).get("n").asInt()).isEqualTo(3);
        if (v2) {
            assertThat(rejoin.joinRef()).isEqualTo(rejoin.ref());
            assertThat(rejoin.joinRef()).isNotEqualTo(in(second, "echo:r").get(0).message().joinRef());
        }
        assertThat(get(c.push("echo:r", "echo", Payload.empty())).isOk()).isTrue();
        assertThat(events(ClientEvent.Disconnected.class)).extracting(d -> d.reason().closeCode())
                .containsExactly(1006, 1000);
    }

    @ParameterizedTest
    @MethodSource("modes")
    void aJoinMadeWhileTheServerIsDownCompletesWhenItIsBack(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        server.stop();
        await().atMost(WAIT).until(() -> !c.isConnected());
        CompletableFuture<Payload> join = c.join("echo:later", obj("{\"w\":1}"));
        await().atMost(WAIT).until(() -> !events(ClientEvent.ConnectFailed.class).isEmpty());
        server.start();
        assertThat(get(join).asJson().text()).contains("\"params\":{\"w\":1}");
        assertThat(get(c.push("echo:later", "echo", Payload.empty())).isOk()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void aClientDisconnectIsNotReconnectedAndAConnectRejoins(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        get(c.join("echo:again"));
        ServerConnection first = server.awaitConnection(WAIT);
        get(c.disconnect());
        await().atMost(WAIT).until(() -> !first.isOpen());
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> server.connections().isEmpty());
        assertThat(events(ClientEvent.ReconnectScheduled.class)).isEmpty();
        get(c.connect());
        ServerConnection second = server.awaitConnection(s -> s != first && s.isOpen(), WAIT);
        await().atMost(WAIT).until(() -> second.joinedTopics().contains("echo:again"));
        assertThat(get(c.push("echo:again", "echo", Payload.empty())).isOk()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void presenceIsFreshAfterAReconnect(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SyncClient a = builder(v2, Map.of("user_id", "alice")).buildSync();
        SyncClient b = builder(v2, Map.of("user_id", "bob")).buildSync();
        toClose.add(a);
        toClose.add(b);
        a.connect();
        b.connect();
        a.join("presence:re");
        // The channel tracks after its join reply, so wait for the first state and for both keys before the cut:
        // otherwise the waits below could be met by frames of the first join.
        a.awaitMessage("presence:re", "presence_state", WAIT);
        b.join("presence:re");
        await().atMost(WAIT).until(() -> server.presenceList("presence:re").size() == 2);
        ServerConnection first = server.awaitConnection(s -> s.socketId().equals(java.util.Optional.of("user_socket:alice")), WAIT);
        server.disconnect("user_socket:alice");
        b.awaitMessage("presence:re", "presence_diff", p -> json(p).get("leaves").has("alice"), WAIT);
        // Alice's rejoin brings a presence_state (the old one was taken above) with both keys, one meta each.
        ReceivedMessage state = a.awaitMessage("presence:re", "presence_state", WAIT);
        assertThat(server.connectionHistory().stream().filter(c -> c != first
                && c.socketId().equals(java.util.Optional.of("user_socket:alice")))).hasSize(1);
        assertThat(json(state.payload()).has("bob")).isTrue();
        assertThat(json(state.payload()).get("alice").get("metas")).hasSize(1);
        await().atMost(WAIT).until(() -> {
            JsonNode list = json(b.push("presence:re", "list", Payload.empty()).response());
            return list.has("alice") && list.get("alice").get("metas").size() == 1;
        });
    }

    @ParameterizedTest
    @MethodSource("versions")
    void banditIdleCloseCodeIsReconnectedToo(PhoenixVersion version) {
        start(version, b -> b.idleTimeout(Duration.ofMillis(1500)).idleTimeoutCloseCode(1002));
        SlipstreamClient c = builder(true, Map.of()).heartbeatInterval(Duration.ZERO).build();
        toClose.add(c);
        get(c.connect());
        await().atMost(WAIT).until(() -> !events(ClientEvent.Disconnected.class).isEmpty());
        assertThat(events(ClientEvent.Disconnected.class).get(0).reason().closeCode()).isEqualTo(1002);
        await().atMost(WAIT).until(() -> events(ClientEvent.Connected.class).size() >= 2);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void theChannelLimitIsAJoinRefusal(PhoenixVersion version) {
        start(version, b -> b.maxChannelsPerConnection(3));
        SlipstreamClient c = client(true, Map.of());
        get(c.connect());
        for (int i = 0; i < 3; i++) {
            get(c.join("echo:n" + i));
        }
        assertThat(failure(c.join("echo:n3"))).isInstanceOfSatisfying(JoinRefusedException.class,
                e -> assertThat(json(e.response()).get("reason").asText()).isEqualTo("too many channels joined"));
        get(c.leave("echo:n0"));
        get(c.join("echo:n3"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void bufferedPushesGoOutAfterTheRejoin(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        // The heartbeat catches the drop even when the JDK websocket misses the peer's FIN (seen on JDK 17.0.15; see
        // docs/RELIABILITY.md): without it the client would only notice after the default 30 s interval.
        SlipstreamClient c = builder(v2, Map.of()).heartbeatInterval(Duration.ofSeconds(2)).build(); // buffering by default
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:buf"));
        ServerConnection first = server.awaitConnection(WAIT);
        server.refuseConnections(503);
        first.drop();
        await().atMost(WAIT).until(() -> !events(ClientEvent.ConnectFailed.class).isEmpty());
        CompletableFuture<Payload.Reply> buffered = c.push("echo:buf", "echo", obj("{\"b\":1}"));
        server.acceptConnections();
        assertThat(get(buffered).response().asJson().text()).isEqualTo("{\"b\":1}");
    }


    /**
     * V1 frames carry no join_ref, but Phoenix writes {@code phx_close} and {@code phx_error} with
     * {@code "ref"} = the join_ref of the incarnation they end. A late one of an older incarnation (a leave's close
     * arriving after the topic was joined again) must not close or crash the current join.
     */
    @ParameterizedTest
    @MethodSource("versions")
    void v1CloseAndErrorOfAnOlderJoinAreDropped(PhoenixVersion version) throws Exception {
        start(version);
        SlipstreamClient c = client(false, Map.of());
        get(c.connect());
        get(c.join("echo:v1"));
        ServerConnection conn = server.awaitConnection(WAIT);
        String joinRef = in(conn, "echo:v1").get(0).message().ref();
        conn.send(Message.of(null, "older-" + joinRef, "echo:v1", "phx_close", Payload.empty()));
        conn.send(Message.of(null, "older-" + joinRef, "echo:v1", "phx_error", Payload.empty()));
        // Frames are handled in order: once this reply is in, both stale frames have been handled.
        assertThat(get(c.push("echo:v1", "echo", obj("{\"after\":1}"))).isOk()).isTrue();
        assertThat(c.isJoined("echo:v1")).isTrue();
        assertThat(events(ClientEvent.TopicClosed.class)).isEmpty();
        assertThat(events(ClientEvent.MessageDropped.class)).extracting(ClientEvent.MessageDropped::event)
                .containsExactly("phx_close", "phx_error");
        // The current incarnation's close is still honoured.
        conn.stopChannel("echo:v1");
        await().atMost(WAIT).until(() -> !c.isJoined("echo:v1"));
        assertThat(events(ClientEvent.TopicClosed.class)).singleElement()
                .satisfies(e -> assertThat(e.reason().kind()).isEqualTo(TopicCloseReason.Kind.SERVER_CLOSED));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void serverDrivenPushesCrashesAndStopsReachTheClient(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        SyncClient sync = builder(v2, Map.of()).buildSync();
        toClose.add(sync);
        sync.connect();
        sync.join("echo:drive");
        ServerConnection conn = server.awaitConnection(WAIT);
        conn.push("echo:drive", "hello", Map.of("n", 1));
        assertThat(sync.awaitMessage("echo:drive", "hello", WAIT).payload().asJson().text()).isEqualTo("{\"n\":1}");
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.httpUri().resolve("/broadcast/echo:drive/news"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"b\":2,\"a\":1}")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sync.awaitMessage("echo:drive", "news", WAIT).payload().asJson().text()).isEqualTo("{\"a\":1,\"b\":2}");
        conn.crashChannel("echo:drive");
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        await().atMost(WAIT).until(() -> conn.joinedTopics().contains("echo:drive"));
        assertThat(sync.push("echo:drive", "echo", Payload.empty()).isOk()).isTrue();
        conn.stopChannel("echo:drive");
        await().atMost(WAIT).until(() -> !sync.async().isJoined("echo:drive"));
        assertThat(events(ClientEvent.TopicClosed.class)).extracting(e -> e.reason().kind())
                .containsExactly(TopicCloseReason.Kind.CRASHED, TopicCloseReason.Kind.SERVER_CLOSED);
    }


    /**
     * phoenix.js's join timeout: the client leaves the timed-out join and rejoins. The server answers the leave with
     * its reply and a {@code phx_close} for the old join_ref, which must not close the topic (V1 included, where only
     * the close's ref names the old join).
     */
    @ParameterizedTest
    @MethodSource("modes")
    void aJoinThatTimesOutIsLeftAndJoinedAgain(PhoenixVersion version, boolean v2) throws Exception {
        CompletableFuture<JoinResult> firstDecision = new CompletableFuture<>();
        AtomicInteger joins = new AtomicInteger();
        start(version, b -> b.channel("slowjoin:*", new ChannelHandler() {
            @Override
            public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                return joins.incrementAndGet() == 1 ? JoinResult.later(firstDecision) : JoinResult.ok(Map.of("n", joins.get()));
            }

            @Override
            public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                return HandleResult.reply(Reply.ok(payload));
            }
        }));
        SlipstreamClient c = builder(v2, Map.of()).pushTimeout(Duration.ofSeconds(2)).build();
        toClose.add(c);
        get(c.connect());
        CompletableFuture<Payload> join = c.join("slowjoin:1");
        assertThat(failure(join)).isInstanceOf(PushTimeoutException.class);
        // Only now does the server decide the first join (Phoenix's transport was blocked on join/3 meanwhile).
        firstDecision.complete(JoinResult.ok(Map.of("n", 1)));
        await().atMost(WAIT).until(() -> !events(ClientEvent.TopicJoined.class).isEmpty());
        assertThat(json(events(ClientEvent.TopicJoined.class).get(0).response()).get("n").asInt()).isEqualTo(2);
        ServerConnection conn = server.awaitConnection(WAIT);
        await().atMost(WAIT).until(() -> out(conn, "slowjoin:1").stream().anyMatch(m -> m.event().equals("phx_close")));
        assertThat(get(c.push("slowjoin:1", "echo", obj("{\"still\":\"joined\"}"))).isOk()).isTrue();
        assertThat(c.isJoined("slowjoin:1")).isTrue();
        assertThat(events(ClientEvent.TopicClosed.class)).isEmpty();
        assertThat(in(conn, "slowjoin:1")).extracting(f -> f.message().event())
                .containsExactly("phx_join", "phx_leave", "phx_join", "echo");
        assertThat(conn.joinedTopics()).containsExactly("slowjoin:1");
    }


    @ParameterizedTest
    @MethodSource("modes")
    void paramsAndHeadersArriveIntactAndTheSocketIdWorks(PhoenixVersion version, boolean v2) throws Exception {
        start(version);
        String user = "a b&c=d/é+%?#😀";
        SlipstreamClient c = builder(v2, Map.of("user_id", user, "token", "t=1&2"))
                .header("x-custom", "v 1").build();
        toClose.add(c);
        get(c.connect());
        get(c.join("echo:p"));
        ServerConnection conn = server.awaitConnection(WAIT);
        assertThat(conn.request().param("user_id")).isEqualTo(user);
        assertThat(conn.request().param("token")).isEqualTo("t=1&2");
        assertThat(conn.request().param("vsn")).isEqualTo(v2 ? "2.0.0" : "1.0.0");
        assertThat(conn.request().header("x-custom")).hasValue("v 1");
        assertThat(conn.socketId()).hasValue("user_socket:" + user);
        assertReconnectsAndRejoinsTopic(c, conn, () -> assertThat(server.disconnect("user_socket:" + user)).isEqualTo(1));
    }

    private void assertReconnectsAndRejoinsTopic(SlipstreamClient c, ServerConnection first, Runnable cut) {
        cut.run();
        await().atMost(WAIT).until(() -> events(ClientEvent.TopicJoined.class).size() >= 2);
        assertThat(get(c.push("echo:p", "echo", Payload.empty())).isOk()).isTrue();
        assertThat(first.isOpen()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void largeAndUnicodePayloadsRoundTrip(PhoenixVersion version, boolean v2) {
        start(version);
        SlipstreamClient c = client(v2, Map.of());
        get(c.connect());
        String topic = "echo:ümlaut✓😀";
        get(c.join(topic));
        String big = "é😀\\\"\n".repeat(200_000);
        com.fasterxml.jackson.databind.node.ObjectNode payload = com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode().put("s", big);
        Payload.Reply reply = get(c.push(topic, "echo", Payload.json(payload)));
        assertThat(json(reply.response()).get("s").asText()).isEqualTo(big);
        if (v2) {
            byte[] bytes = new byte[3_000_000];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) i;
            }
            Payload.Reply bin = get(c.push(topic, "binary", Payload.binary(bytes)));
            assertThat(bin.response().asBinary().toByteArray()).isEqualTo(bytes);
        }
    }

}
