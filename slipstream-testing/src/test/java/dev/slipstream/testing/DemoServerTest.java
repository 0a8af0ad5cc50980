package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.testing.demo.DemoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code serve} entry point: arguments, logging, ticks, and the HTTP helpers' errors. */
@Timeout(30)
class DemoServerTest {
    @Test
    void servesTheDemoAppAndLogsToStandardError() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FakePhoenixServer server = DemoServer.start(new String[] {"--port", "0", "--phoenix", "1.7",
                "--idle-timeout-ms", "30000", "--idle-close-code", "1002"}, new PrintStream(log, true, StandardCharsets.UTF_8));
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            assertThat(server.version()).isEqualTo(PhoenixVersion.V1_7);
            c.exchange("[\"1\",\"1\",\"echo:t\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"echo:t\",\"phx_reply\",{\"response\":{\"joined\":\"echo:t\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"echo:t\",\"start_ticks\",{\"ms\":50}]",
                    "[\"1\",\"2\",\"echo:t\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"1\",null,\"echo:t\",\"tick\",{\"n\":1}]",
                    "[\"1\",null,\"echo:t\",\"tick\",{\"n\":2}]");
            c.send("[\"1\",\"3\",\"echo:t\",\"stop_ticks\",{}]");
            String next;
            do {
                next = c.next(); // ticks already in flight may still arrive before the reply
            } while (next.contains("\"tick\""));
            assertThat(next).isEqualTo("[\"1\",\"3\",\"echo:t\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.expectNothing(Duration.ofMillis(200));

            HttpResponse<String> bad = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(server.httpUri()
                    + "/broadcast/echo:t/x")).POST(HttpRequest.BodyPublishers.ofString("[1]")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            c.closeNormally();
            c.awaitClose();
        }
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("serve: fake Phoenix 1.7 listening on ws://127.0.0.1:")
                .contains("C> [\"1\",\"1\",\"echo:t\",\"phx_join\",{}]")
                .contains("S> [\"1\",null,\"echo:t\",\"tick\",{\"n\":1}]");
    }

    @Test
    void badArgumentsAreNamed() {
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DemoServer.start(new String[] {"--port"}, log)).hasMessage("--port needs a value");
        assertThatThrownBy(() -> DemoServer.start(new String[] {"--port", "x"}, log))
                .hasMessage("--port needs a number, got \"x\"");
        assertThatThrownBy(() -> DemoServer.start(new String[] {"--nope"}, log)).hasMessage("unknown argument \"--nope\"");
        assertThatThrownBy(() -> DemoServer.start(new String[] {"--phoenix", "2"}, log))
                .hasMessageContaining("unknown Phoenix version");
    }

    @Test
    void theAdminApiIsOnUnlessTurnedOff() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FakePhoenixServer on = DemoServer.start(new String[] {"--port", "0"},
                new PrintStream(log, true, StandardCharsets.UTF_8));
             FakePhoenixServer off = DemoServer.start(new String[] {"--port", "0", "--no-admin"},
                     new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            assertThat(AdminApiTest.call(on, "GET", "/__admin/health", null).status()).isEqualTo(200);
            assertThat(AdminApiTest.call(off, "GET", "/__admin/health", null).status()).isEqualTo(404);
            assertThat(AdminApiTest.call(off, "GET", "/health", null).status()).isEqualTo(200);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("/__admin/");
    }

    @Test
    void stubsReplaceTheDemoChannels() throws Exception {
        String stubs = Path.of("src/test/resources/stubs/backend").toAbsolutePath().toString();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FakePhoenixServer server = DemoServer.start(new String[] {"--port", "0", "--stubs", stubs},
                new PrintStream(log, true, StandardCharsets.UTF_8));
             WsClient c = WsClient.connect(server, "vsn=2.0.0&token=t-7&user=ada")) {
            c.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"password\":\"secret\"}]",
                    "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"room:lobby\"},\"status\":\"ok\"}]");
            c.exchange("[\"2\",\"2\",\"echo:lobby\",\"phx_join\",{}]",
                    "[null,\"2\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
            assertThat(AdminApiTest.call(server, "GET", "/health", null).status()).isEqualTo(404);
            assertThat(AdminApiTest.call(server, "GET", "/__admin/health", null).status()).isEqualTo(200);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Stubs[rooms=room:*");
        assertThatThrownBy(() -> DemoServer.start(new String[] {"--stubs", "no/such/folder"}, System.err))
                .hasMessageContaining("no/such/folder at $: no such file or folder");
    }
}
