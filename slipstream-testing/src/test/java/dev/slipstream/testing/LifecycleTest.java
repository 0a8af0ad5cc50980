package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starting, idling, closing, origins and auth tokens. */
@Timeout(30)
class LifecycleTest {

    private static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("slipstream-fake-")).count();
    }

    @Test
    void closeReleasesEveryThreadAndIsIdempotent() throws Exception {
        FakePhoenixServer server = FakePhoenixServer.builder().start();
        WsClient c = WsClient.connect(server, "vsn=2.0.0");
        assertThat(server.uri().toString()).isEqualTo("ws://127.0.0.1:" + server.port() + "/socket/websocket");
        server.close();
        server.close();
        assertThat(c.awaitClose()).isEqualTo(1006);
        await().atMost(Duration.ofSeconds(3)).until(() -> serverThreads() == 0);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void idleConnectionsAreClosedWithTheConfiguredCode() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().idleTimeout(Duration.ofMillis(400))
                .idleTimeoutCloseCode(1002).start();
             WsClient quiet = WsClient.connect(server, "vsn=2.0.0");
             WsClient chatty = WsClient.connect(server, "vsn=2.0.0")) {
            // The chatty client keeps talking until the quiet one is closed; it must still be open then.
            int ref = 0;
            while (!quiet.isClosed()) {
                assertThat(ref).as("heartbeats before the quiet connection closed").isLessThan(100);
                chatty.exchange("[null,\"" + ref + "\",\"phoenix\",\"heartbeat\",{}]",
                        "[null,\"" + ref + "\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
                ref++;
                chatty.expectNothing(Duration.ofMillis(50));
            }
            assertThat(quiet.next()).isEqualTo("closed code=1002");
            assertThat(chatty.awaitClose()).isEqualTo(1002);
        }
    }

    @Test
    void checkOriginRefusesForeignOrigins() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .checkOrigin(origin -> URI.create(origin).getHost().equals("localhost")).start()) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.uri().toString()
                    .replace("ws:", "http:") + "?vsn=2.0.0")).header("Origin", "http://evil.example").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            CompletableFuture<WebSocket> ok = http.newWebSocketBuilder().header("Origin", "http://localhost:4000")
                    .buildAsync(URI.create(server.uri() + "?vsn=2.0.0"), new WebSocket.Listener() {});
            ok.get(5, TimeUnit.SECONDS).abort();
        }
    }

    @Test
    void authTokenSubprotocolIsDecodedAndPhoenixIsEchoed() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .connectHandler(r -> "1234".equals(r.authToken()) ? ConnectResult.accept() : ConnectResult.reject())
                .start()) {
            String token = Base64.getEncoder().withoutPadding().encodeToString("1234".getBytes());
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .subprotocols("phoenix", "base64url.bearer.phx." + token)
                    .buildAsync(URI.create(server.uri() + "?vsn=2.0.0"), new WebSocket.Listener() {})
                    .get(5, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("phoenix");
            ws.abort();
            assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(403);
        }
    }

    @Test
    void customSocketPathAndPortZero() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().socketPath("/live").start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            assertThat(server.uri().getPath()).isEqualTo("/live/websocket");
            assertThat(server.port()).isPositive();
            c.exchange("[null,\"1\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"1\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
        }
    }

    @Test
    void misconfigurationNamesTheCulprit() {
        assertThatThrownBy(() -> FakePhoenixServer.builder().channel("room:*:x", (t, p, s) -> JoinResult.ok()))
                .hasMessageContaining("must end with *");
        assertThatThrownBy(() -> FakePhoenixServer.builder().socketPath("socket/"))
                .hasMessageContaining("socket path");
        assertThatThrownBy(() -> JoinResult.ok(java.util.List.of(1))).hasMessageContaining("join reply must be a JSON object");
        assertThatThrownBy(() -> FakePhoenixServer.builder().build().port()).hasMessageContaining("not been started");
        assertThatThrownBy(() -> PhoenixVersion.parse("2.0")).hasMessageContaining("expected 1.7 or 1.8");
    }
}
