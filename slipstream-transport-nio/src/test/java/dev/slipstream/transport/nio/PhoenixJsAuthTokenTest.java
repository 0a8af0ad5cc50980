package dev.slipstream.transport.nio;

import dev.slipstream.testing.conformance.NodeProject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * phoenix.js 1.8.16 ({@code src/test/js/auth-token.js}) and our client on both transports connect to the fake server
 * with the same {@code authToken}: the server must see the same {@code Sec-WebSocket-Protocol} list from all three
 * (the separator is the WebSocket implementation's: {@code ws} joins with {@code ","}, browsers and the JDK with
 * {@code ", "}, as does our NIO transport; HTTP reads both alike), decode the same token, and phoenix.js must see the subprotocol {@code phoenix} chosen (real Phoenix 1.8 answers
 * {@code phoenix} to a socket with {@code auth_token: true}; {@code ws} fails a handshake that chooses none).
 */
class PhoenixJsAuthTokenTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // covers finding Node and `npm ci` on a cold npm cache
    void phoenixJsAndOurClientSendTheSameHeader() throws Exception {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        NodeProject project = NodeProject.prepare(module.resolve("../slipstream-testing/src/test/js").normalize(),
                module.resolve("target/phoenix-js"));
        // ASCII tokens as servers issue them: a Phoenix.Token-like one whose Base64 has '+' and one needing padding.
        for (String token : List.of("SFMyNTY.g2gDdAAAAAF3BHVzZXJtAAAAAnUxbgYA>>>", "1234")) {
            List<ConnectRequest> seen = new CopyOnWriteArrayList<>();
            try (FakePhoenixServer server = FakePhoenixServer.builder().connectHandler(request -> {
                seen.add(request);
                return ConnectResult.accept();
            }).start()) {
                NodeProject.ProcessResult node = NodeProject.run(List.of(project.node().toString(), "auth-token.js",
                        "--base", server.httpUri().toString(), "--token", token), project.dir(), WAIT, null);
                assertThat(node.exitCode()).as(node.output()).isZero();
                assertThat(node.output()).contains("OPEN phoenix");
                for (Transport transport : List.of(JdkWebSocketTransport.shared(), NioWebSocketTransport.shared())) {
                    try (SlipstreamClient client = SlipstreamClient.builder(server.socketUri()).transport(transport)
                            .authToken(token).build()) {
                        client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    }
                }
            }
            assertThat(seen).hasSize(3);
            List<String> phoenixJs = offered(seen.get(0));
            assertThat(phoenixJs).hasSize(2).startsWith("phoenix");
            assertThat(phoenixJs.get(1)).startsWith("base64url.bearer.phx.");
            assertThat(seen).extracting(PhoenixJsAuthTokenTest::offered).containsOnly(phoenixJs);
            assertThat(seen).extracting(ConnectRequest::authToken).containsOnly(token);
        }
    }

    /** The subprotocols of the request's header, as an HTTP list. */
    private static List<String> offered(ConnectRequest request) {
        return Arrays.stream(request.header("sec-websocket-protocol").orElseThrow().split(","))
                .map(String::strip).toList();
    }
}
