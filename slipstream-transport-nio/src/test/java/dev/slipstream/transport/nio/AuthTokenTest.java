package dev.slipstream.transport.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.Backoff;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.ServerConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Builder.authToken} on both transports against the fake server: the token arrives in the subprotocols
 * phoenix.js 1.8 offers, the server picks {@code phoenix}, a supplier is asked again at each reconnect, and the token
 * shows nowhere (events, toString, errors). {@code PhoenixJsAuthTokenTest} holds the header against phoenix.js's.
 */
@Timeout(60)
class AuthTokenTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Its standard Base64 has '+' (kept by both transports) and no '/'. */
    private static final String TOKEN = "SFMyNTY.g2gDdAAAAAF3BHVzZXJtAAAAAnUxbgYA>>>";

    private final List<ConnectRequest> connects = new CopyOnWriteArrayList<>();
    private final List<ClientEvent> events = new CopyOnWriteArrayList<>();
    private FakePhoenixServer server;
    private SlipstreamClient client;

    static Stream<Transport> transports() {
        return Stream.of(JdkWebSocketTransport.shared(), NioWebSocketTransport.shared());
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void startServer(boolean accept) {
        server = FakePhoenixServer.builder().connectHandler(request -> {
            connects.add(request);
            return accept ? ConnectResult.accept() : ConnectResult.reject();
        }).start();
    }

    private SlipstreamClient.Builder builder(Transport transport) {
        return SlipstreamClient.builder(server.socketUri()).transport(transport).connectTimeout(WAIT)
                .reconnectBackoff(Backoff.of(attempt -> Duration.ofMillis(20)))
                .eventListener(events::add);
    }

    static String encoded(String token) {
        return Base64.getEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theTokenArrivesAsPhoenixJsSendsIt(Transport transport) throws Exception {
        startServer(true);
        client = builder(transport).authToken(TOKEN).build();
        client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        ConnectRequest seen = connects.get(0);
        assertThat(seen.authToken()).isEqualTo(TOKEN);
        assertThat(seen.header("sec-websocket-protocol"))
                .contains("phoenix, base64url.bearer.phx." + encoded(TOKEN));
        ClientEvent.Connected connected = events.stream().filter(ClientEvent.Connected.class::isInstance)
                .map(ClientEvent.Connected.class::cast).findFirst().orElseThrow();
        if (connected.response().headersVisible()) { // the NIO transport sees the server's answer
            assertThat(connected.response().header("Sec-WebSocket-Protocol")).contains("phoenix");
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aSupplierIsAskedAgainAtEveryReconnect(Transport transport) throws Exception {
        startServer(true);
        AtomicInteger asked = new AtomicInteger();
        client = builder(transport).authToken(() -> "token-" + asked.incrementAndGet()).build();
        client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> !server.connections().isEmpty()); // the server registers it just after
        ServerConnection first = server.connections().get(0);
        first.close(1011);

        await().atMost(WAIT).until(() -> connects.size() == 2 && client.isConnected());
        assertThat(connects).extracting(ConnectRequest::authToken).containsExactly("token-1", "token-2");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theTokenShowsNowhere(Transport transport) {
        startServer(false); // refused with 403: the failure path carries the most detail
        SlipstreamClient.Builder builder = builder(transport).authToken(TOKEN).reconnect(false);
        client = builder.build();
        assertThatThrownBy(() -> client.connect().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(ConnectFailedException.class);

        assertThat(connects).extracting(ConnectRequest::authToken).containsExactly(TOKEN);
        StringBuilder everything = new StringBuilder(builder.toString()).append(client);
        events.forEach(e -> everything.append(e));
        events.stream().filter(ClientEvent.ConnectFailed.class::isInstance)
                .map(e -> ((ClientEvent.ConnectFailed) e).error())
                .forEach(e -> everything.append(e.getMessage()).append(e.getCause()));
        assertThat(everything.toString()).contains("authToken=***").doesNotContain(TOKEN)
                .doesNotContain(encoded(TOKEN)).doesNotContain("SFMyNTY");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aSupplierThatFailsFailsTheAttemptWithoutItsMessage(Transport transport) {
        startServer(true);
        client = builder(transport).reconnect(false)
                .authToken(() -> {
                    throw new IllegalStateException("no token " + TOKEN);
                })
                .build();
        assertThatThrownBy(() -> client.connect().join()).cause().isInstanceOf(ConnectFailedException.class)
                .hasRootCauseMessage("the authToken supplier failed with java.lang.IllegalStateException");
        assertThat(connects).isEmpty();
    }

    @Test
    void aTokenWhoseBase64HasASlashFailsClearlyOnTheJdkTransportAndGoesThroughOnNio() throws Exception {
        startServer(true);
        String slashy = "\u00ff\u00ff\u00ff"; // UTF-8 c3 bf c3 bf c3 bf: Base64 w7/Dv8O/
        assertThat(encoded(slashy)).contains("/");
        client = builder(JdkWebSocketTransport.shared()).authToken(slashy).reconnect(false).build();
        assertThatThrownBy(() -> client.connect().join()).cause().isInstanceOf(ConnectFailedException.class)
                .rootCause().isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("websocket subprotocol 2 has '/'")
                .hasMessageContaining("NioWebSocketTransport")
                .hasMessageNotContaining(encoded(slashy));
        client.close();

        client = builder(NioWebSocketTransport.shared()).authToken(slashy).build();
        client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(connects).extracting(ConnectRequest::authToken).containsExactly(slashy);
    }

    @Test
    void withoutATokenNoSubprotocolIsOffered() throws Exception {
        startServer(true);
        client = builder(NioWebSocketTransport.shared()).build();
        client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(connects.get(0).header("sec-websocket-protocol")).isEmpty();
        assertThat(connects.get(0).authToken()).isNull();
    }
}
