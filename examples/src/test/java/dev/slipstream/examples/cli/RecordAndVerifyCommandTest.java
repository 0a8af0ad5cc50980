package dev.slipstream.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipstream record} between {@code slipstream cat} and {@code slipstream serve}, stopped over its admin API,
 * then {@code slipstream verify} of the stub files it wrote (and of its session) against the same server (exit 0), a
 * server with one changed rule (exit 1, the drift named), and nothing (exit 2). All in this JVM, over real websockets on 127.0.0.1.
 */
@Timeout(120)
class RecordAndVerifyCommandTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static FakePhoenixServer server;

    @TempDir
    static Path recording;

    @BeforeAll
    static void recordACatSession() throws Exception {
        server = ServeCommand.start(List.of("--port", "0"), new PrintStream(new ByteArrayOutputStream()));
        int port = freePort();
        Output record = new Output();
        CompletableFuture<Integer> recorder = CompletableFuture.supplyAsync(() -> Main.run(new String[] {"record",
                "--upstream", "ws://127.0.0.1:" + server.port() + "/socket", "--port", String.valueOf(port),
                "--out", recording.toString()}, null, record.out, record.err));
        URI admin = URI.create("http://127.0.0.1:" + port + "/__admin/");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> get(admin.resolve("health")).statusCode() == 200);

        Output cat = new Output();
        int catExit = Main.run(new String[] {"cat", "ws://127.0.0.1:" + port + "/socket", "--param", "user_id=ada",
                "--join", "echo:lobby={\"hello\":\"there\"}", "--push", "echo:lobby", "echo", "{\"body\":\"hi\"}",
                "--push", "echo:lobby", "push_back", "{\"note\":\"to me\"}"}, null, cat.out, cat.err);
        assertThat(catExit).as("cat through the proxy; stderr: %s", cat.err()).isZero();
        assertThat(cat.out()).contains("{\"type\":\"message\",\"topic\":\"echo:lobby\",\"event\":\"pushed\"");

        HttpResponse<String> stopped = HTTP.send(HttpRequest.newBuilder(admin.resolve("recording/stop"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stopped.statusCode()).isEqualTo(200);
        assertThat(recorder.get(20, TimeUnit.SECONDS)).as("record's stderr: %s", record.err()).isZero();
        assertThat(record.out()).contains("\"session\":\"" + recording.resolve("session.jsonl"))
                .contains("\"stubs\":\"" + recording.resolve("stubs"));
        assertThat(record.err()).contains("replay: slipstream serve --stubs " + recording.resolve("stubs"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theSameServerAgrees() {
        Output verify = new Output();
        int exit = Main.run(new String[] {"verify", "--upstream", "ws://127.0.0.1:" + server.port() + "/socket",
                "--stubs", recording.toString()}, null, verify.out, verify.err);
        assertThat(exit).as("stdout %s stderr %s", verify.out(), verify.err()).isZero();
        assertThat(verify.out()).startsWith("agrees: 5 checks, no drift"); // connect, join, 2 pushes, 1 server push
    }

    @Test
    void aChangedRuleIsDriftNamedInJsonLines() {
        ChannelHandler changed = new ChannelHandler() {
            @Override
            public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                return JoinResult.ok(Map.of("joined", topic, "params", Map.of("hello", "there")));
            }

            @Override
            public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                if (event.equals("push_back")) {
                    socket.push("pushed", payload);
                    return HandleResult.ok();
                }
                return HandleResult.ok(Map.of("body", "bye"));
            }
        };
        try (FakePhoenixServer other = FakePhoenixServer.builder().channel("echo:*", changed).start()) {
            // The stub files the recording wrote, and the recorded session itself, find the same drift.
            for (String[] source : List.of(new String[] {"--stubs", recording.resolve("stubs").toString()},
                    new String[] {"--session", recording.resolve("session.jsonl").toString()})) {
                Output verify = new Output();
                int exit = Main.run(new String[] {"verify", "--upstream", "ws://127.0.0.1:" + other.port() + "/socket",
                        source[0], source[1], "--json"}, null, verify.out, verify.err);
                assertThat(exit).as("%s: stderr %s", source[0], verify.err()).isEqualTo(1);
                assertThat(verify.out()).as(source[0]).isEqualTo(String.join("\n",
                        "{\"type\":\"drift\",\"kind\":\"payload\",\"where\":\"push echo:lobby echo\",\"path\":\"$.body\","
                                + "\"expected\":\"hi\",\"actual\":\"bye\"}",
                        "{\"type\":\"summary\",\"checks\":5,\"drifts\":1,\"not_checked\":0}", ""));
            }
        }
    }

    @Test
    void anUnreachableBackendOrBadArgumentsAreExit2() throws Exception {
        Output verify = new Output();
        assertThat(Main.run(new String[] {"verify", "--upstream", "ws://127.0.0.1:" + freePort() + "/socket",
                "--stubs", recording.toString(), "--timeout", "2"}, null, verify.out, verify.err)).isEqualTo(2);
        assertThat(verify.err()).contains("cannot connect");
        Output bad = new Output();
        assertThat(Main.run(new String[] {"verify", "--upstream", "ws://127.0.0.1:1/socket"}, null, bad.out, bad.err))
                .isEqualTo(2);
        assertThat(bad.err()).contains("give one of --stubs DIR or --session FILE");
        Output record = new Output();
        assertThat(Main.run(new String[] {"record", "--upstream", "http://example.com"}, null, record.out,
                record.err)).isEqualTo(2);
        assertThat(record.err()).contains("--upstream must be ws:// or wss://");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Standard output and error of one command run. */
    private static final class Output {
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

        String out() {
            return outBytes.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return errBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
