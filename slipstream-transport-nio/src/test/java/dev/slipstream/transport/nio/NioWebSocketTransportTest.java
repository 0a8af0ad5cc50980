package dev.slipstream.transport.nio;

import dev.slipstream.client.support.EchoWebSocketServer;
import dev.slipstream.client.support.EchoWebSocketServer.Received;
import dev.slipstream.client.support.TransportRecorder;
import dev.slipstream.client.support.TransportRecorder.Closed;
import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeRejectedException;
import dev.slipstream.client.transport.UpgradeResponse;
import dev.slipstream.protocol.Frame;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link NioWebSocketTransport} against Undertow over loopback: echo, control frames, closes, upgrades, limits. */
@Timeout(60)
class NioWebSocketTransportTest {
    private static final int MAX = 32 * 1024 * 1024;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final NioWebSocketTransport transport = NioWebSocketTransport.shared();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private EchoWebSocketServer server() {
        EchoWebSocketServer s = new EchoWebSocketServer();
        open.add(s);
        return s;
    }

    static TransportRequest request(URI uri, int max) {
        return new TransportRequest(uri, Map.of(), Duration.ofSeconds(10), max);
    }

    private TransportConnection connect(EchoWebSocketServer server, TransportRecorder recorder) throws Exception {
        TransportConnection c = transport.open(request(server.uri(), MAX), recorder).get(20, TimeUnit.SECONDS);
        open.add(c::abort);
        return c;
    }

    private static String text(int size) {
        StringBuilder sb = new StringBuilder(size);
        String pattern = "abcdefghijklmnopqrstuvwxyz0123456789";
        while (sb.length() < size) {
            sb.append(pattern, 0, Math.min(pattern.length(), size - sb.length()));
        }
        return sb.toString();
    }

    private static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024, 16 * 1024 * 1024})
    void textOfEverySizeEchoes(int size) throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        String sent = text(size);
        c.send(Frame.text(sent)).get(20, TimeUnit.SECONDS);
        assertThat(recorder.nextText()).isEqualTo(sent);
        assertThat(server.next().text()).isEqualTo(sent);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024, 16 * 1024 * 1024})
    void binaryOfEverySizeEchoes(int size) throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        byte[] sent = bytes(size);
        c.send(Frame.binary(sent)).get(20, TimeUnit.SECONDS);
        assertThat(recorder.nextBinary()).isEqualTo(sent);
        assertThat(server.next().bytes()).isEqualTo(sent);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 64, 400})
    void aBurstSentTogetherArrivesWholeAndInOrder(int count) throws Exception {
        // 64 small frames go out in one gathering write; 400 frames of 1 KB exceed one write's bound and are offered
        // one by one, the mixed burst has a large binary that is masked chunk by chunk.
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        List<Frame> burst = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            burst.add(count == 400 ? Frame.text(i + ":" + text(1024)) : Frame.text("frame " + i));
        }
        if (count == 2) {
            burst.add(Frame.binary(bytes(300_000)));
        }
        c.sendAll(burst).get(20, TimeUnit.SECONDS);
        for (int i = 0; i < count; i++) {
            String expected = count == 400 ? i + ":" + text(1024) : "frame " + i;
            assertThat(recorder.nextText()).isEqualTo(expected);
            assertThat(server.next().text()).isEqualTo(expected);
        }
        if (count == 2) {
            assertThat(recorder.nextBinary()).isEqualTo(bytes(300_000));
        }
    }

    @Test
    void nonAsciiTextSurvivesTheRoundTrip() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        String sent = "héllo wörld ☃ 😀 " + "é".repeat(70_000);
        c.send(Frame.text(sent)).get(20, TimeUnit.SECONDS);
        assertThat(recorder.nextText()).isEqualTo(sent);
    }

    @Test
    void aBinaryFrameSentFromAViewSendsOnlyTheView() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        byte[] all = bytes(200_000);
        c.send(Frame.binary(ByteBuffer.wrap(all, 1000, 150_000))).get(20, TimeUnit.SECONDS);
        assertThat(recorder.nextBinary()).isEqualTo(Arrays.copyOfRange(all, 1000, 151_000));
    }

    @Test
    void listenerCallsRunOnTheSelectorThread() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        c.send(Frame.text("x")).get(20, TimeUnit.SECONDS);
        recorder.next();
        assertThat(recorder.threads).allMatch(t -> t.startsWith("slipstream-nio-") && !t.contains("worker"));
    }

    @Test
    void aServerPingIsAnsweredWithItsPayload() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        connect(server, recorder);
        WebSockets.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)), server.last(), null);
        Received pong = server.next();
        assertThat(pong.kind()).isEqualTo("pong");
        assertThat(new String(pong.bytes(), StandardCharsets.UTF_8)).isEqualTo("are you there");
        assertThat(recorder.waiting()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1011, 4000})
    void aServerCloseIsReportedWithItsCodeAndEchoed(int code) throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        connect(server, recorder);
        WebSockets.sendClose(code, "bye é", server.last(), null);
        assertThat(recorder.next(Closed.class)).isEqualTo(new Closed(code, "bye é"));
        Received echo = server.next();
        assertThat(echo.kind()).isEqualTo("close");
        assertThat(echo.code()).isEqualTo(code);
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.last().isOpen());
        assertThat(recorder.all).hasSize(1);
    }

    @Test
    void aClientCloseSendsItsCodeAndEndsWithTheServersAnswer() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        c.close(1000, "done");
        Received close = server.next();
        assertThat(close.kind()).isEqualTo("close");
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.text()).isEqualTo("done");
        assertThat(recorder.next(Closed.class).code()).isEqualTo(1000);
        assertThatThrownBy(() -> c.send(Frame.text("late")).get(20, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IOException.class);
        assertThat(recorder.all).hasSize(1);
    }

    @Test
    void sendsAfterAbortFailAndNothingIsReported() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        c.abort();
        assertThatThrownBy(() -> c.send(Frame.text("late")).get(20, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.last().isOpen());
        assertThat(recorder.all).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 404})
    void aRefusedUpgradeKeepsItsStatusAndHeaders(int status) throws Exception {
        EchoWebSocketServer server = server().reject(status, Map.of("x-why", "no token", "Set-Cookie", "a=b"));
        TransportRecorder recorder = new TransportRecorder();
        CompletableFuture<TransportConnection> f = transport.open(request(server.uri(), MAX), recorder);
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.headers()).containsEntry("x-why", List.of("no token"));
                    assertThat(e.headers()).containsKey("Set-Cookie");
                });
        assertThat(recorder.all).isEmpty();
    }

    @Test
    void theUpgradeResponseHeadersAreVisible() throws Exception {
        EchoWebSocketServer server = server().upgradeHeader("x-request-id", "req-42");
        TransportConnection c = connect(server, new TransportRecorder());
        UpgradeResponse r = c.upgradeResponse();
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.headersVisible()).isTrue();
        assertThat(r.header("X-Request-Id")).hasValue("req-42");
        assertThat(r.header("upgrade")).hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("websocket"));
    }

    @Test
    void theRequestCarriesTheHandshakeAndTheCallersHeaders() throws Exception {
        EchoWebSocketServer server = server();
        TransportRequest req = new TransportRequest(server.uri(), Map.of("Authorization", List.of("Bearer s3cret"),
                "x-multi", List.of("a", "b")), Duration.ofSeconds(10), MAX);
        TransportConnection c = transport.open(req, new TransportRecorder()).get(20, TimeUnit.SECONDS);
        open.add(c::abort);
        Map<String, List<String>> h = new HashMap<>();
        server.requestHeaders().get(0).forEach((k, v) -> h.put(k.toLowerCase(), v));
        assertThat(h.get("host")).containsExactly("127.0.0.1:" + server.port());
        assertThat(h.get("sec-websocket-version")).containsExactly("13");
        assertThat(h.get("authorization")).containsExactly("Bearer s3cret");
        assertThat(h.get("x-multi")).containsExactly("a", "b");
    }

    @Test
    void aRefusedTcpConnectionFailsTheOpen() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CompletableFuture<TransportConnection> f =
                transport.open(request(URI.create("ws://127.0.0.1:" + port + "/socket/websocket"), MAX),
                        new TransportRecorder());
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(ConnectException.class)
                .hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void aServerThatNeverAnswersTheUpgradeTimesOutAndTheSocketIsClosed() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/socket/websocket?token=s3cret");
            CompletableFuture<TransportConnection> f = transport.open(
                    new TransportRequest(uri, Map.of(), Duration.ofMillis(300), MAX), new TransportRecorder());
            try (Socket accepted = silent.accept()) {
                assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause()
                        .isInstanceOf(HttpConnectTimeoutException.class)
                        .hasMessageContaining("PT0.3S")
                        .hasMessageNotContaining("s3cret");
                accepted.setSoTimeout(20_000);
                byte[] request = accepted.getInputStream().readNBytes(4); // the upgrade request came...
                assertThat(new String(request, StandardCharsets.ISO_8859_1)).isEqualTo("GET ");
                accepted.getInputStream().skip(Long.MAX_VALUE); // ...then the socket was closed
            }
        }
    }

    @Test
    void cancellingTheOpenFutureClosesTheSocket() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/socket/websocket");
            TransportRecorder recorder = new TransportRecorder();
            CompletableFuture<TransportConnection> f = transport.open(request(uri, MAX), recorder);
            try (Socket accepted = silent.accept()) {
                accepted.setSoTimeout(20_000);
                assertThat(accepted.getInputStream().read()).isEqualTo('G');
                f.cancel(true);
                accepted.getInputStream().skip(Long.MAX_VALUE); // returns at the end of the stream
            }
            assertThat(recorder.all).isEmpty();
        }
    }

    @Test
    void aHostNameIsResolvedOffTheLoop() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        URI uri = URI.create("ws://localhost:" + server.port() + "/socket/websocket");
        TransportConnection c = transport.open(request(uri, MAX), recorder).get(20, TimeUnit.SECONDS);
        open.add(c::abort);
        c.send(Frame.text("by name")).get(20, TimeUnit.SECONDS);
        assertThat(recorder.nextText()).isEqualTo("by name");
        assertThat(server.requestHeaders().get(0).entrySet()).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualToIgnoringCase("host");
            assertThat(e.getValue()).containsExactly("localhost:" + server.port());
        });
    }

    @Test
    void anIpv6LiteralConnects() throws Exception {
        java.net.InetAddress v6;
        try {
            v6 = java.net.InetAddress.getByName("::1");
            new ServerSocket(0, 1, v6).close();
        } catch (IOException noIpv6) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here");
            return;
        }
        try (ServerSocket s = new ServerSocket(0, 1, v6)) {
            URI uri = URI.create("ws://[::1]:" + s.getLocalPort() + "/socket/websocket");
            CompletableFuture<TransportConnection> f = transport.open(request(uri, MAX), new TransportRecorder());
            try (Socket accepted = s.accept()) {
                accepted.setSoTimeout(20_000);
                String head = new String(accepted.getInputStream().readNBytes(80), StandardCharsets.ISO_8859_1);
                assertThat(head).contains("Host: [::1]:" + s.getLocalPort() + "\r\n");
            }
            f.cancel(true);
        }
    }

    @Test
    void anUnknownHostFailsTheOpen() {
        CompletableFuture<TransportConnection> f = transport.open(
                request(URI.create("ws://no-such-host.invalid/socket"), MAX), new TransportRecorder());
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(java.net.UnknownHostException.class);
    }

    @Test
    void aMessageOverTheLimitClosesWith1009() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = transport.open(request(server.uri(), 1000), recorder).get(20, TimeUnit.SECONDS);
        open.add(c::abort);
        WebSockets.sendText("x".repeat(1001), server.last(), null);
        MessageTooLargeException e = recorder.next(MessageTooLargeException.class);
        assertThat(e.size()).isEqualTo(1001);
        assertThat(e.limit()).isEqualTo(1000);
        Received close = server.next();
        assertThat(close.kind()).isEqualTo("close");
        assertThat(close.code()).isEqualTo(1009);
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.last().isOpen());
        assertThat(recorder.all).hasSize(1);
    }

    @Test
    void concurrentSendersKeepTheOrderOfEachThread() throws Exception {
        EchoWebSocketServer server = server().echo(false);
        TransportRecorder recorder = new TransportRecorder();
        TransportConnection c = connect(server, recorder);
        int threads = 16;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        open.add(pool::shutdownNow);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> sends = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    // every fifth message large enough to fill the socket, so frames queue behind each other
                    String pad = i % 5 == 0 ? "p".repeat(40_000) : "";
                    sends.add(c.send(Frame.text(thread + ":" + i + ":" + pad)));
                }
            });
        }
        go.countDown();
        await().atMost(Duration.ofSeconds(40)).until(() -> sends.size() == threads * each);
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(40, TimeUnit.SECONDS);
        int[] next = new int[threads];
        for (int n = 0; n < threads * each; n++) {
            String[] parts = server.next().text().split(":", 3);
            int thread = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).as("message of thread %d", thread).isEqualTo(next[thread]);
            next[thread]++;
        }
    }

    @Test
    void aListenerThatThrowsFailsOnlyItsConnection() throws Exception {
        EchoWebSocketServer server = server();
        TransportRecorder good = new TransportRecorder();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        TransportListener bad = new TransportListener() {
            @Override
            public void onFrame(Frame frame) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onClosed(int code, String reason) {
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        };
        TransportConnection b = transport.open(request(server.uri(), MAX), bad).get(20, TimeUnit.SECONDS);
        open.add(b::abort);
        TransportConnection g = connect(server, good);
        b.send(Frame.text("boom"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !errors.isEmpty());
        assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
        g.send(Frame.text("still fine")).get(20, TimeUnit.SECONDS);
        assertThat(good.nextText()).isEqualTo("still fine");
    }

    @Test
    void aTransportWithItsOwnLoopsStopsThemOnClose() throws Exception {
        EchoWebSocketServer server = server();
        NioWebSocketTransport own = NioWebSocketTransport.builder().loops(2).build();
        TransportRecorder a = new TransportRecorder();
        TransportRecorder b = new TransportRecorder();
        TransportConnection ca = own.open(request(server.uri(), MAX), a).get(20, TimeUnit.SECONDS);
        TransportConnection cb = own.open(request(server.uri(), MAX), b).get(20, TimeUnit.SECONDS);
        ca.send(Frame.text("a")).get(20, TimeUnit.SECONDS);
        cb.send(Frame.text("b")).get(20, TimeUnit.SECONDS);
        assertThat(a.nextText()).isEqualTo("a");
        assertThat(b.nextText()).isEqualTo("b");
        assertThat(a.threads.get(0)).isNotEqualTo(b.threads.get(0));
        own.close();
        assertThat(a.next()).isInstanceOf(IOException.class);
        assertThat(b.next()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> own.open(request(server.uri(), MAX), new TransportRecorder()).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badRequestsFailTheFutureNamingTheCulprit() {
        assertThatThrownBy(() -> transport.open(request(URI.create("http://127.0.0.1:1/socket?token=s3cret"), MAX),
                new TransportRecorder()).get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ws://")
                .hasMessageNotContaining("s3cret");
        TransportRequest injected = new TransportRequest(URI.create("ws://127.0.0.1:1/socket"),
                Map.of("x-evil", List.of("a\r\nHost: other")), Duration.ofSeconds(1), MAX);
        assertThatThrownBy(() -> transport.open(injected, new TransportRecorder()).get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x-evil")
                .hasMessageNotContaining("other");
    }
}
