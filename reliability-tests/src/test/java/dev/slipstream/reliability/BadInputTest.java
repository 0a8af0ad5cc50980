package dev.slipstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.ClientClosedException;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.ConnectionLostException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.TopicNotJoinedException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.ServerConnection;
import io.undertow.Undertow;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bad input a user or a server can cause, each answered with a clear typed error and nothing lost. Each test is
 * a row of the table in {@code docs/RELIABILITY.md}.
 */
@Timeout(60)
class BadInputTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    FakePhoenixServer server;
    final List<SlipstreamClient> clients = new ArrayList<>();
    final List<ClientEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = FakePhoenixServer.builder()
                .connectHandler(r -> "no".equals(r.param("let_me_in")) ? ConnectResult.reject() : ConnectResult.accept())
                .channel("room:*", new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                        if (topic.equals("room:join_throws")) {
                            throw new IllegalStateException("join blew up");
                        }
                        return JoinResult.ok(Map.of("joined", topic));
                    }

                    @Override
                    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                        if (event.equals("throw")) {
                            throw new IllegalStateException("handler blew up");
                        }
                        if (event.equals("silent")) {
                            return HandleResult.noReply();
                        }
                        return HandleResult.ok(payload);
                    }
                })
                .start();
    }

    @AfterEach
    void stop() {
        clients.forEach(SlipstreamClient::close);
        server.close();
    }

    SlipstreamClient client(java.util.function.UnaryOperator<SlipstreamClient.Builder> options) {
        SlipstreamClient c = options.apply(SlipstreamClient.builder(server.socketUri())
                .eventListener(events::add)
                .reconnectBackoff(dev.slipstream.client.Backoff.stepsMillis(20, 50, 100))
                .rejoinBackoff(dev.slipstream.client.Backoff.stepsMillis(20, 50, 100))
                .connectTimeout(Duration.ofSeconds(5))).build();
        clients.add(c);
        return c;
    }

    SlipstreamClient connectedAndJoined(String topic) throws Exception {
        SlipstreamClient c = client(b -> b);
        c.connect().get(10, TimeUnit.SECONDS);
        c.join(topic).get(10, TimeUnit.SECONDS);
        return c;
    }

    static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the future did not fail in time", e);
        }
        throw new AssertionError("the future completed normally");
    }

    <T extends ClientEvent> T awaitEvent(Class<T> type, Predicate<T> condition) {
        return await().atMost(WAIT).until(() -> events.stream().filter(type::isInstance).map(type::cast)
                .filter(condition).findFirst().orElse(null), java.util.Objects::nonNull);
    }

    ServerConnection serverConnection() throws Exception {
        return server.awaitConnection(WAIT);
    }

    // ================================================================== endpoints and connects

    @Test
    void malformedUriIsRefusedAtOnceNamingIt() {
        assertThatThrownBy(() -> SlipstreamClient.builder("ws://bad host/socket"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad host");
        assertThatThrownBy(() -> SlipstreamClient.builder("ws:///socket"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no host");
        assertThatThrownBy(() -> SlipstreamClient.builder("localhost:4000/socket"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongSchemeIsRefusedNamingTheScheme() {
        assertThatThrownBy(() -> SlipstreamClient.builder("ftp://localhost:4000/socket"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws or wss").hasMessageContaining("ftp");
    }

    @Test
    void unknownHostFailsTheConnectAsANetworkFailure() {
        SlipstreamClient c = SlipstreamClient.builder("ws://no-such-host.invalid/socket")
                .connectTimeout(Duration.ofSeconds(5)).reconnect(false).build();
        clients.add(c);
        Throwable e = failure(c.connect());
        assertThat(e).isInstanceOf(ConnectFailedException.class).hasMessageContaining("no-such-host.invalid");
        assertThat(((ConnectFailedException) e).kind()).isIn(ConnectFailedException.Kind.NETWORK,
                ConnectFailedException.Kind.TIMEOUT);
        assertThat(((ConnectFailedException) e).httpStatus()).isEmpty();
    }

    @Test
    void refusedPortFailsAsNetworkAndIsRetriedWithBackoff() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SlipstreamClient c = SlipstreamClient.builder("ws://127.0.0.1:" + port + "/socket")
                .eventListener(events::add).reconnectBackoff(dev.slipstream.client.Backoff.stepsMillis(20)).build();
        clients.add(c);
        Throwable e = failure(c.connect());
        assertThat(e).isInstanceOf(ConnectFailedException.class);
        assertThat(((ConnectFailedException) e).kind()).isEqualTo(ConnectFailedException.Kind.NETWORK);
        awaitEvent(ClientEvent.ReconnectScheduled.class, r -> r.attempt() >= 2);
    }

    @Test
    void anUpgradeThatNeverAnswersTimesOut() throws Exception {
        try (RawFrameServer silent = new RawFrameServer(false)) {
            SlipstreamClient c = SlipstreamClient.builder("ws://127.0.0.1:" + silent.port() + "/socket")
                    .connectTimeout(Duration.ofMillis(300)).reconnect(false).build();
            clients.add(c);
            Throwable e = failure(c.connect());
            assertThat(e).isInstanceOf(ConnectFailedException.class).hasMessageContaining("timed out");
            assertThat(((ConnectFailedException) e).kind()).isEqualTo(ConnectFailedException.Kind.TIMEOUT);
        }
    }

    @Test
    void aConnectRefusedBy403IsRejectedWithItsStatus() {
        SlipstreamClient c = client(b -> b.params(Map.of("let_me_in", "no")).reconnect(false));
        Throwable e = failure(c.connect());
        assertThat(e).isInstanceOf(ConnectFailedException.class).hasMessageContaining("403");
        assertThat(((ConnectFailedException) e).kind()).isEqualTo(ConnectFailedException.Kind.REJECTED);
        assertThat(((ConnectFailedException) e).httpStatus()).hasValue(403);
    }

    @Test
    void aWrongPathIsRejectedWith404() {
        SlipstreamClient c = SlipstreamClient.builder("ws://127.0.0.1:" + server.port() + "/nowhere")
                .reconnect(false).build();
        clients.add(c);
        Throwable e = failure(c.connect());
        assertThat(((ConnectFailedException) e).kind()).isEqualTo(ConnectFailedException.Kind.REJECTED);
        assertThat(((ConnectFailedException) e).httpStatus()).hasValue(404);
    }

    @Test
    void aPlainHttpServerIsRejectedWithItsStatus() {
        Undertow http = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.getResponseSender().send("<html>hello</html>")).build();
        http.start();
        try {
            int port = ((java.net.InetSocketAddress) http.getListenerInfo().get(0).getAddress()).getPort();
            SlipstreamClient c = SlipstreamClient.builder("ws://127.0.0.1:" + port + "/socket").reconnect(false).build();
            clients.add(c);
            Throwable e = failure(c.connect());
            assertThat(e).isInstanceOf(ConnectFailedException.class);
            assertThat(((ConnectFailedException) e).kind()).isEqualTo(ConnectFailedException.Kind.REJECTED);
            assertThat(((ConnectFailedException) e).httpStatus()).hasValue(200);
        } finally {
            http.stop();
        }
    }

    // ================================================================== frames from the server

    @Test
    void anOversizedMessageFromTheServerClosesWith1009AndReconnects() throws Exception {
        SlipstreamClient c = client(b -> b.maxMessageBytes(1000));
        c.connect().get(10, TimeUnit.SECONDS);
        c.join("room:big").get(10, TimeUnit.SECONDS);
        ServerConnection first = serverConnection();
        first.push("room:big", "huge", Map.of("pad", "x".repeat(5000)));
        ClientEvent.MessageTooLarge tooLarge = awaitEvent(ClientEvent.MessageTooLarge.class, e -> true);
        assertThat(tooLarge.limit()).isEqualTo(1000);
        ClientEvent.Disconnected d = awaitEvent(ClientEvent.Disconnected.class, e -> true);
        assertThat(d.reason().kind()).isEqualTo(DisconnectReason.Kind.MESSAGE_TOO_LARGE);
        assertThat(d.reason().closeCode()).isEqualTo(1009);
        await().atMost(WAIT).until(() -> c.isConnected() && c.isJoined("room:big") && !first.isOpen());
    }

    @Test
    void anOversizedFrameToTheServerIsClosedWith1009AndThePushFails() throws Exception {
        server.close();
        server = FakePhoenixServer.builder().maxFrameSize(1000)
                .channel("room:*", (topic, params, socket) -> JoinResult.ok()).start();
        SlipstreamClient c = connectedAndJoined("room:big");
        CompletableFuture<Payload.Reply> push = c.push("room:big", "huge",
                Payload.json("{\"pad\":\"" + "x".repeat(5000) + "\"}"));
        assertThat(failure(push)).isInstanceOf(ConnectionLostException.class);
        ClientEvent.Disconnected d = awaitEvent(ClientEvent.Disconnected.class, e -> true);
        assertThat(d.reason().closeCode()).isEqualTo(1009);
        await().atMost(WAIT).until(() -> c.isConnected() && c.isJoined("room:big"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "not json at all",
        "[null,null,\"room:a\",\"e\"]",
        "[null,null,\"room:a\",\"e\",{},\"extra\"]",
        "[\"1\",5,\"room:a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
        "[1,\"5\",\"room:a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
        "{\"topic\":\"room:a\"}",
    })
    void anUndecodableFrameFromTheServerIsReportedAndTheConnectionStays(String frame) throws Exception {
        SlipstreamClient c = connectedAndJoined("room:a");
        serverConnection().sendFrame(Frame.text(frame));
        ClientEvent.DecodeFailed failed = awaitEvent(ClientEvent.DecodeFailed.class, e -> true);
        assertThat(failed.error()).hasMessageNotContaining("null pointer");
        assertThat(c.push("room:a", "echo", Payload.empty()).get(10, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(events).noneMatch(ClientEvent.Disconnected.class::isInstance);
    }

    @Test
    void binaryHeaderLengthsThatOverflowAreADecodeErrorNotACrash() throws Exception {
        SlipstreamClient c = connectedAndJoined("room:a");
        // kind 2 (broadcast), topic size 255, event size 255, but only a few bytes follow.
        serverConnection().sendFrame(Frame.binary(new byte[] {2, (byte) 255, (byte) 255, 'r', 'o'}));
        // kind 1 (reply), join_ref 255, ref 255, topic 255, status 255, and nothing else.
        serverConnection().sendFrame(Frame.binary(new byte[] {1, (byte) 255, (byte) 255, (byte) 255, (byte) 255}));
        await().atMost(WAIT).until(() -> events.stream().filter(ClientEvent.DecodeFailed.class::isInstance).count() == 2);
        assertThat(c.push("room:a", "echo", Payload.empty()).get(10, TimeUnit.SECONDS).isOk()).isTrue();
    }

    @Test
    void binaryHeaderLengthsThatOverflowCloseTheServerConnectionWith1011() throws Exception {
        try (RawWs ws = RawWs.open(java.net.URI.create(server.uri() + "?vsn=2.0.0"))) {
            ws.sendBinary(new byte[] {0, (byte) 255, (byte) 255, (byte) 255, (byte) 255, 'x'});
            assertThat(ws.awaitClose()).isEqualTo(1011);
        }
    }

    @Test
    void invalidJsonAndWrongArityToTheServerClose1011() throws Exception {
        for (String bad : List.of("{not json", "[null,\"1\",\"phoenix\",\"heartbeat\"]",
                "[null,1,\"phoenix\",\"heartbeat\",{}]")) {
            try (RawWs ws = RawWs.open(java.net.URI.create(server.uri() + "?vsn=2.0.0"))) {
                ws.sendText(bad);
                assertThat(ws.awaitClose()).as(bad).isEqualTo(1011);
            }
        }
    }

    @Test
    void invalidUtf8FromTheServerEndsTheConnectionAndTheClientReconnects() throws Exception {
        try (RawFrameServer raw = new RawFrameServer(true)) {
            SlipstreamClient c = SlipstreamClient.builder("ws://127.0.0.1:" + raw.port() + "/socket")
                    .eventListener(events::add).heartbeatInterval(Duration.ZERO)
                    .reconnectBackoff(dev.slipstream.client.Backoff.stepsMillis(20)).build();
            clients.add(c);
            c.connect().get(10, TimeUnit.SECONDS);
            Socket first = raw.awaitConnection();
            RawFrameServer.writeFrame(first, 1, new byte[] {'[', (byte) 0xC3, (byte) 0x28, ']'});
            ClientEvent.Disconnected d = awaitEvent(ClientEvent.Disconnected.class, e -> true);
            assertThat(d.reason().kind()).isIn(DisconnectReason.Kind.TRANSPORT_ERROR, DisconnectReason.Kind.SERVER_CLOSED);
            Socket second = raw.awaitConnection();
            assertThat(second).isNotSameAs(first);
            await().atMost(WAIT).until(c::isConnected);
        }
    }

    @Test
    void aReplyToAnUnknownRefIsReportedAndIgnored() throws Exception {
        SlipstreamClient c = connectedAndJoined("room:a");
        ServerConnection conn = serverConnection();
        String joinRef = conn.recording().stream().filter(f -> f.message() != null
                && "phx_join".equals(f.message().event())).findFirst().orElseThrow().message().joinRef();
        conn.send(Message.reply(joinRef, "999999", "room:a", "ok", Payload.empty()));
        ClientEvent.UnmatchedReply u = awaitEvent(ClientEvent.UnmatchedReply.class, e -> true);
        assertThat(u.ref()).isEqualTo("999999");
        assertThat(c.push("room:a", "echo", Payload.empty()).get(10, TimeUnit.SECONDS).isOk()).isTrue();
    }

    @Test
    void framesWithAStaleJoinRefAreDropped() throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        SlipstreamClient c = client(b -> b.module(new ClientModule() {
            @Override
            public void message(SlipstreamClient client, String topic, String event, Payload payload) {
                messages.add(event);
            }
        }));
        c.connect().get(10, TimeUnit.SECONDS);
        c.join("room:a").get(10, TimeUnit.SECONDS);
        ServerConnection conn = serverConnection();
        conn.send(Message.of("stale-42", null, "room:a", "ghost", Payload.empty()));
        conn.push("room:a", "live", Map.of());
        awaitEvent(ClientEvent.MessageDropped.class, e -> e.event().equals("ghost"));
        await().atMost(WAIT).until(() -> messages.contains("live"));
        assertThat(messages).doesNotContain("ghost");
    }

    @ParameterizedTest(name = "server close {0}")
    @ValueSource(ints = {1000, 1001, 1002, 1009, 1011, 1012, 4000, 4403, 4999})
    void everyServerCloseCodeIsReportedThenReconnectedAndRejoined(int code) throws Exception {
        SlipstreamClient c = connectedAndJoined("room:a");
        ServerConnection first = serverConnection();
        CompletableFuture<Payload.Reply> pending = c.push("room:a", "silent", Payload.empty());
        first.close(code);
        ClientEvent.Disconnected d = awaitEvent(ClientEvent.Disconnected.class, e -> true);
        assertThat(d.reason().kind()).isEqualTo(DisconnectReason.Kind.SERVER_CLOSED);
        assertThat(d.reason().closeCode()).isEqualTo(code);
        assertThat(failure(pending)).isInstanceOf(ConnectionLostException.class);
        await().atMost(WAIT).until(() -> c.isConnected() && c.isJoined("room:a"));
        assertThat(server.awaitConnection(s -> s != first && s.joinedTopics().contains("room:a"), WAIT)).isNotNull();
    }

    @Test
    void anAbruptDropIsDetectedThenReconnectedAndRejoined() throws Exception {
        // The heartbeat is short because the JDK WebSocket occasionally misses the TCP FIN of a drop (reported to the
        // lead): then the heartbeat is what notices the dead link, as it would a half-open one.
        SlipstreamClient c = client(b -> b.heartbeatInterval(Duration.ofMillis(500)));
        c.connect().get(10, TimeUnit.SECONDS);
        c.join("room:a").get(10, TimeUnit.SECONDS);
        ServerConnection first = serverConnection();
        CompletableFuture<Payload.Reply> pending = c.push("room:a", "silent", Payload.empty());
        first.drop();
        ClientEvent.Disconnected d = awaitEvent(ClientEvent.Disconnected.class, e -> true);
        assertThat(d.reason().closeCode() == 1006 || d.reason().kind() == DisconnectReason.Kind.HEARTBEAT_TIMEOUT)
                .as("%s", d.reason()).isTrue();
        assertThat(failure(pending)).isInstanceOf(ConnectionLostException.class);
        await().atMost(WAIT).until(() -> c.isConnected() && c.isJoined("room:a"));
    }

    // ================================================================== misuse of the API

    @Test
    void pushToATopicNotJoinedFailsAtOnceNamingIt() throws Exception {
        SlipstreamClient c = client(b -> b);
        c.connect().get(10, TimeUnit.SECONDS);
        Throwable e = failure(c.push("room:never", "echo", Payload.empty()));
        assertThat(e).isInstanceOf(TopicNotJoinedException.class).hasMessageContaining("room:never");
        assertThat(((TopicNotJoinedException) e).topic()).isEqualTo("room:never");
    }

    @Test
    void pushToATopicNotJoinedOnTheWireGetsUnmatchedTopic() throws Exception {
        try (RawWs ws = RawWs.open(java.net.URI.create(server.uri() + "?vsn=2.0.0"))) {
            ws.sendText("[\"9\",\"10\",\"room:never\",\"echo\",{}]");
            assertThat(ws.awaitFrameContaining("\"10\"")).isEqualTo(
                    "[null,\"10\",\"room:never\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
        }
    }

    @Test
    void joiningTwiceSendsOneJoinAndCompletesWithTheSameResponse() throws Exception {
        SlipstreamClient c = connectedAndJoined("room:twice");
        Payload again = c.join("room:twice").get(10, TimeUnit.SECONDS);
        assertThat(again.asJson().json().get("joined").asText()).isEqualTo("room:twice");
        ServerConnection conn = serverConnection();
        assertThat(conn.recording()).filteredOn(f -> f.message() != null && "phx_join".equals(f.message().event()))
                .hasSize(1);
        assertThat(c.isJoined("room:twice")).isTrue();
    }

    @Test
    void aDuplicateJoinOnTheWireGetsItsReplyThenPhxCloseForTheOldJoinRef() throws Exception {
        try (RawWs ws = RawWs.open(java.net.URI.create(server.uri() + "?vsn=2.0.0"))) {
            ws.sendText("[\"1\",\"1\",\"room:dup\",\"phx_join\",{}]");
            assertThat(ws.awaitFrameContaining("phx_reply")).startsWith("[\"1\",\"1\",\"room:dup\",\"phx_reply\"");
            ws.sendText("[\"2\",\"2\",\"room:dup\",\"phx_join\",{}]");
            assertThat(ws.awaitFrameContaining("room:dup")).isEqualTo(
                    "[\"2\",\"2\",\"room:dup\",\"phx_reply\",{\"response\":{\"joined\":\"room:dup\"},\"status\":\"ok\"}]");
            assertThat(ws.awaitFrameContaining("room:dup")).isEqualTo("[\"1\",\"1\",\"room:dup\",\"phx_close\",{}]");
            ws.sendText("[\"2\",\"3\",\"room:dup\",\"echo\",{\"still\":\"joined\"}]");
            assertThat(ws.awaitFrameContaining("\"3\"")).contains("\"status\":\"ok\"");
        }
    }

    @Test
    void leavingATopicNeverJoinedCompletesAtOnceAndSendsNothing() throws Exception {
        SlipstreamClient c = client(b -> b);
        c.connect().get(10, TimeUnit.SECONDS);
        c.leave("room:never").get(10, TimeUnit.SECONDS);
        assertThat(serverConnection().recording()).noneMatch(f -> f.message() != null
                && "phx_leave".equals(f.message().event()));
    }

    @Test
    void emptyOrNullNamesAndBadTimeoutsAreRefusedAtOnce() throws Exception {
        SlipstreamClient c = client(b -> b);
        assertThatThrownBy(() -> c.join("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> c.join(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.push("room:a", "", Payload.empty())).hasMessageContaining("event");
        assertThatThrownBy(() -> c.push("room:a", "e", Payload.empty(), Duration.ofMillis(-1)))
                .hasMessageContaining("push timeout");
        assertThatThrownBy(() -> SlipstreamClient.builder(server.socketUri()).pushTimeout(Duration.ZERO))
                .hasMessageContaining("pushTimeout");
        assertThatThrownBy(() -> SlipstreamClient.builder(server.socketUri()).maxMessageBytes(0))
                .hasMessageContaining("maxMessageBytes");
    }

    @Test
    void throwingCallbacksAndListenersAreReportedAndTheClientCarriesOn() throws Exception {
        AtomicInteger messages = new AtomicInteger();
        SlipstreamClient c = client(b -> b
                .eventListener(e -> {
                    events.add(e);
                    throw new IllegalStateException("listener blew up");
                })
                .module(new ClientModule() {
                    @Override
                    public void joined(SlipstreamClient client, String topic, Payload response) {
                        throw new IllegalStateException("joined blew up");
                    }

                    @Override
                    public void message(SlipstreamClient client, String topic, String event, Payload payload) {
                        messages.incrementAndGet();
                        throw new IllegalStateException("message blew up");
                    }
                }));
        c.connect().get(10, TimeUnit.SECONDS);
        c.join("room:a").get(10, TimeUnit.SECONDS);
        ServerConnection conn = serverConnection();
        conn.push("room:a", "one", Map.of());
        conn.push("room:a", "two", Map.of());
        await().atMost(WAIT).until(() -> messages.get() == 2);
        assertThat(events).filteredOn(ClientEvent.CallbackFailed.class::isInstance).extracting(e ->
                ((ClientEvent.CallbackFailed) e).callback()).contains("joined", "message");
        assertThat(c.push("room:a", "echo", Payload.empty()).get(10, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    void throwingServerHandlersBecomeJoinCrashedAndPhxError() throws Exception {
        SlipstreamClient c = connectedAndJoined("room:a");
        Throwable e = failure(c.join("room:join_throws"));
        assertThat(e).isInstanceOf(JoinRefusedException.class).hasMessageContaining("join crashed");
        CompletableFuture<Payload.Reply> push = c.push("room:a", "throw", Payload.empty());
        assertThat(failure(push)).isInstanceOf(SlipstreamException.class);
        awaitEvent(ClientEvent.TopicClosed.class, t -> t.topic().equals("room:a"));
        await().atMost(WAIT).until(() -> c.isJoined("room:a"));
        assertThat(server.errors()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aClientUsedAfterCloseFailsEveryCallWithClientClosed() throws Exception {
        SlipstreamClient c = connectedAndJoined("room:a");
        c.close();
        c.close(); // idempotent
        assertThat(failure(c.connect())).isInstanceOf(ClientClosedException.class);
        assertThat(failure(c.join("room:b"))).isInstanceOf(ClientClosedException.class);
        assertThat(failure(c.push("room:a", "echo", Payload.empty()))).isInstanceOf(ClientClosedException.class);
        assertThat(c.isConnected()).isFalse();
        c.leave("room:a").get(10, TimeUnit.SECONDS);
        c.disconnect().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFakeServerUsedAfterStopAndCloseBehaves() throws Exception {
        FakePhoenixServer s = FakePhoenixServer.builder().start();
        int port = s.port();
        s.stop();
        s.stop(); // idempotent
        assertThat(s.isRunning()).isFalse();
        assertThat(s.port()).isEqualTo(port);
        s.broadcast("room:a", "e", Map.of()); // nobody to send to: a no-op, not an error
        assertThat(s.connections()).isEmpty();
        s.start();
        assertThat(s.port()).isEqualTo(port);
        s.close();
        s.close(); // idempotent
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(s.isRunning()).isFalse();
        assertThat(s.errors()).isEmpty();
        assertThatThrownBy(() -> FakePhoenixServer.builder().build().port()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not been started");
    }

    @Test
    void concurrentCloseAndPushLeaveNoFutureHanging() throws Exception {
        for (int round = 0; round < 5; round++) {
            SlipstreamClient c = connectedAndJoined("room:a");
            List<CompletableFuture<Payload.Reply>> pushes = new CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> pushers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 50; i++) {
                        pushes.add(c.push("room:a", i % 2 == 0 ? "echo" : "silent", Payload.empty()));
                    }
                });
                th.start();
                pushers.add(th);
            }
            go.countDown();
            c.close();
            for (Thread th : pushers) {
                th.join(10_000);
                assertThat(th.isAlive()).isFalse();
            }
            CompletableFuture.allOf(pushes.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
                    .get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Payload.Reply> f : pushes) {
                if (f.isCompletedExceptionally()) {
                    assertThat(failure(f)).isInstanceOf(SlipstreamException.class);
                }
            }
            assertThat(pushes).hasSize(200);
        }
    }

    @Test
    void connectDisconnectJoinLeaveRacingFromManyThreadsAllCompleteAndTheClientStaysUsable() throws Exception {
        SlipstreamClient c = client(b -> b);
        List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 40; i++) {
                    switch ((id + i) % 5) {
                        case 0 -> futures.add(c.connect());
                        case 1 -> futures.add(c.disconnect());
                        case 2 -> futures.add(c.join("room:race" + (i % 3)));
                        case 3 -> futures.add(c.leave("room:race" + (i % 3)));
                        default -> futures.add(c.push("room:race" + (i % 3), "echo", Payload.empty()));
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join(10_000);
            assertThat(th.isAlive()).isFalse();
        }
        CompletableFuture.allOf(futures.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
                .get(30, TimeUnit.SECONDS);
        for (CompletableFuture<?> f : futures) {
            if (f.isCompletedExceptionally()) {
                assertThat(failure(f)).isInstanceOf(SlipstreamException.class);
            }
        }
        // Whatever state the race left, the client still answers plain use.
        c.connect().get(10, TimeUnit.SECONDS);
        c.join("room:after").get(10, TimeUnit.SECONDS);
        assertThat(c.push("room:after", "echo", Payload.empty()).get(10, TimeUnit.SECONDS).isOk()).isTrue();
    }

    @Test
    void connectParamsSupplierThatThrowsFailsTheConnectAndNamesIt() {
        SlipstreamClient c = client(b -> b.reconnect(false).params(() -> {
            throw new IllegalStateException("token service down");
        }));
        Throwable e = failure(c.connect());
        assertThat(e).hasStackTraceContaining("token service down");
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
