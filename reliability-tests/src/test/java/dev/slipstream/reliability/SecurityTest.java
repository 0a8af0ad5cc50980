package dev.slipstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.ServerConnection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Secrets stay secret; the fake server is safe by default (loopback, frame limits, optional Origin check).
 * Hostname verification is proved in {@link TlsTest}, Jackson's typing in
 * {@code dev.slipstream.protocol.NoDefaultTypingTest}.
 */
@Timeout(60)
class SecurityTest {
    private static final String PARAM_SECRET = "S3CRET-PARAM-7f1c";
    private static final String NESTED_SECRET = "S3CRET-NESTED-9a2b";
    private static final String HEADER_SECRET = "S3CRET-HEADER-4d8e";
    private static final String API_KEY_SECRET = "S3CRET-APIKEY-0c3f";

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            // Everything the library logs at any level, and everything anyone logs at INFO and above. The JDK's own
            // wire debugging (jdk.internal.httpclient.debug, FINE) prints request URIs, query included, like any
            // HTTP client's wire log; it is off unless enabled, and documented in docs/RELIABILITY.md.
            if (r.getLevel().intValue() < Level.INFO.intValue()
                    && (r.getLoggerName() == null || !r.getLoggerName().startsWith("dev.slipstream"))) {
                return;
            }
            StringWriter w = new StringWriter();
            w.append(r.getLevel() + " " + r.getLoggerName() + " " + r.getMessage());
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    w.append(" ").append(String.valueOf(p));
                }
            }
            if (r.getThrown() != null) {
                r.getThrown().printStackTrace(new PrintWriter(w));
            }
            logged.add(w.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Logger root = Logger.getLogger("");
    private Level rootLevel;

    @BeforeEach
    void captureLogs() {
        rootLevel = root.getLevel();
        root.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        Logger.getLogger("dev.slipstream").setLevel(Level.ALL);
    }

    @AfterEach
    void release() {
        root.removeHandler(capture);
        root.setLevel(rootLevel);
        Logger.getLogger("dev.slipstream").setLevel(null);
    }

    // ================================================================== secrets

    @Test
    void connectParamsAndHeaderValuesNeverShowInLogsExceptionsToStringOrEvents() throws Exception {
        List<String> seen = new ArrayList<>();
        List<ClientEvent> events = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ClientModule throwing = new ClientModule() {
            @Override
            public void connected(SlipstreamClient client) {
                throw new IllegalStateException("callback failure while connected");
            }

            @Override
            public void connectFailed(SlipstreamClient client, ConnectFailedException error) {
                failures.add(error);
            }
        };
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .connectHandler(r -> "reject".equals(r.param("mode")) ? ConnectResult.reject()
                        : ConnectResult.accept())
                .channel("room:*", (topic, params, socket) -> JoinResult.ok())
                .start()) {
            int deadPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                deadPort = s.getLocalPort();
            }
            try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                List<URI> endpoints = List.of(
                        server.socketUri(), // accepted, then dropped and closed
                        URI.create(server.socketUri() + "?mode=reject"), // 403
                        URI.create("ws://127.0.0.1:" + deadPort + "/socket"), // refused
                        URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/socket"), // upgrade timeout
                        URI.create("ws://user:" + PARAM_SECRET + "@127.0.0.1:" + deadPort + "/socket?token="
                                + PARAM_SECRET)); // secrets in the endpoint itself
                for (URI endpoint : endpoints) {
                    SlipstreamClient.Builder builder = SlipstreamClient.builder(endpoint)
                            .params(() -> Map.of("token", PARAM_SECRET, "mode",
                                    endpoint.getQuery() != null && endpoint.getQuery().contains("reject") ? "reject" : "ok",
                                    "user", Map.of("password", NESTED_SECRET)))
                            .header("Authorization", "Bearer " + HEADER_SECRET)
                            .header("X-Api-Key", API_KEY_SECRET)
                            .connectTimeout(endpoint.getPort() == silent.getLocalPort() ? Duration.ofMillis(500)
                                    : Duration.ofSeconds(5))
                            .reconnect(false)
                            .pushTimeout(Duration.ofSeconds(2)) // the pending push ends within the wait either way
                            .heartbeatInterval(Duration.ofMillis(500))
                            .module(throwing)
                            .eventListener(e -> {
                                events.add(e);
                                if (e instanceof ClientEvent.MessageReceived) {
                                    throw new IllegalStateException("listener failure on " + e);
                                }
                            });
                    if (endpoint.getRawUserInfo() == null) {
                        seen.add(builder.toString());
                    }
                    try (SlipstreamClient client = builder.build()) {
                        seen.add(client.toString());
                        try {
                            client.connect().get(10, TimeUnit.SECONDS);
                            client.join("room:a").get(10, TimeUnit.SECONDS);
                            ServerConnection c = server.awaitConnection(Duration.ofSeconds(5));
                            // The secrets did reach the server: the test would prove nothing otherwise.
                            assertThat(c.request().param("token")).isEqualTo(PARAM_SECRET);
                            assertThat(c.request().header("authorization")).hasValue("Bearer " + HEADER_SECRET);
                            c.push("room:a", "hello", Map.of());
                            CompletableFuture<Payload.Reply> pending = client.push("room:a", "x", Payload.empty());
                            seen.add(client.toString());
                            c.drop();
                            failures.add(failureOf(pending));
                            await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());
                        } catch (ExecutionException e) {
                            failures.add(e.getCause());
                        }
                    }
                }
            }
            try {
                SlipstreamClient.builder("ftp://host/socket?token=" + PARAM_SECRET);
            } catch (IllegalArgumentException e) {
                failures.add(e);
            }
        }
        assertThat(failures).hasSizeGreaterThanOrEqualTo(5);
        assertThat(events).anyMatch(ClientEvent.CallbackFailed.class::isInstance);
        for (Throwable t : failures) {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            seen.add(w.toString());
            seen.add(String.valueOf(t));
        }
        for (ClientEvent e : events) {
            seen.add(e.toString());
            if (e instanceof ClientEvent.Disconnected d) {
                seen.add(d.reason().toString());
            }
        }
        seen.addAll(logged);
        assertThat(logged).as("the client logged something (callback and listener failures)").isNotEmpty();
        for (String text : seen) {
            String lower = text.toLowerCase(Locale.ROOT);
            assertThat(lower).as("no secret in: %s", text).doesNotContain("s3cret");
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    // ================================================================== the fake server is safe by default

    @Test
    void theFakeServerBindsLoopbackOnlyByDefault() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().start()) {
            assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 2000);
            }
            for (InetAddress external : nonLoopbackAddresses()) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external, server.port()), 2000);
                    throw new AssertionError("reachable on " + external);
                } catch (java.net.ConnectException | java.net.SocketTimeoutException expected) {
                    // refused: only loopback listens
                }
            }
        }
    }

    private static List<InetAddress> nonLoopbackAddresses() throws Exception {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    @Test
    void theFakeServerLimitsInboundFramesTo10MBByDefault() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().start();
                RawWs ws = RawWs.open(URI.create(server.uri() + "?vsn=2.0.0"))) {
            String pad = "x".repeat(10_000_001);
            ws.trySendText("[null,\"1\",\"phoenix\",\"heartbeat\",{\"pad\":\"" + pad + "\"}]");
            assertThat(ws.awaitClose()).isEqualTo(1009);
            // ... and keeps serving others.
            try (RawWs other = RawWs.open(URI.create(server.uri() + "?vsn=2.0.0"))) {
                other.sendText("[null,\"2\",\"phoenix\",\"heartbeat\",{}]");
                assertThat(other.awaitFrameContaining("\"2\"")).contains("phx_reply");
            }
        }
    }

    @Test
    void theOriginCheckRefusesForeignOriginsLikePhoenixCheckOrigin() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .checkOrigin(origin -> origin.equals("https://app.example")).start()) {
            try (SlipstreamClient evil = SlipstreamClient.builder(server.socketUri()).reconnect(false)
                    .header("Origin", "https://evil.example").build()) {
                Throwable e = failureOf(evil.connect());
                assertThat(e).isInstanceOf(ConnectFailedException.class);
                assertThat(((ConnectFailedException) e).httpStatus()).hasValue(403);
            }
            try (SlipstreamClient good = SlipstreamClient.builder(server.socketUri()).reconnect(false)
                    .header("Origin", "https://app.example").build()) {
                good.connect().get(10, TimeUnit.SECONDS);
            }
        }
        try (FakePhoenixServer open = FakePhoenixServer.builder().start();
                SlipstreamClient any = SlipstreamClient.builder(open.socketUri()).reconnect(false)
                        .header("Origin", "https://evil.example").build()) {
            any.connect().get(10, TimeUnit.SECONDS); // off by default, as in a test server it should be
        }
    }
}
