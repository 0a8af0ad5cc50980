package dev.slipstream.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.ServerListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code slipstream cat} against {@code slipstream serve} (both in this JVM, over real websockets on 127.0.0.1): every
 * output {@code type}, binary payloads, standard input pushes, and the exit codes 0, 1 and 2.
 */
class CatCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakePhoenixServer server;
    private static final List<ServerConnection> opened = new CopyOnWriteArrayList<>();
    private static final ByteArrayOutputStream serveLog = new ByteArrayOutputStream();

    @BeforeAll
    static void serve() {
        server = ServeCommand.start(List.of("--port", "0"), new PrintStream(serveLog, true, StandardCharsets.UTF_8));
        assertThat(server).as("serve started; its log: %s", serveLog).isNotNull();
        server.addListener(new ServerListener() {
            @Override
            public void onOpen(ServerConnection connection) {
                opened.add(connection);
            }
        });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String url() {
        return server.socketUri().toString();
    }

    @Test
    void joinsPushesAndPrintsRepliesMessagesAndBinaryThenExitsZero() {
        Run run = cat(stdin("echo:side echo {\"from\":\"stdin\"}\n"),
                url(), "--param", "user_id=cat1", "--join", "echo:lobby={\"x\":1}", "--join", "echo:side",
                "--push", "echo:lobby", "echo", "{\"hi\":1}",
                "--push", "echo:lobby", "binary", "base64:AQID",
                "--push", "echo:lobby", "binary_push", "base64:BAU=",
                "--push", "echo:lobby", "push_back", "{\"p\":2}",
                "--push", "echo:lobby", "stop_reply", "{\"bye\":true}");

        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.types()).containsExactly("connected", "joined", "joined", "reply", "reply", "message",
                "reply", "message", "reply", "reply", "closed", "reply", "disconnected");
        List<JsonNode> l = run.lines();
        assertThat(l.get(1)).isEqualTo(json("{\"type\":\"joined\",\"topic\":\"echo:lobby\","
                + "\"response\":{\"joined\":\"echo:lobby\",\"params\":{\"x\":1}}}"));
        assertThat(l.get(3)).isEqualTo(json("{\"type\":\"reply\",\"topic\":\"echo:lobby\",\"event\":\"echo\","
                + "\"ref\":\"" + l.get(3).get("ref").asText() + "\",\"status\":\"ok\",\"response\":{\"hi\":1}}"));
        assertThat(l.get(4).get("event").asText()).isEqualTo("binary");
        assertThat(l.get(4).get("response")).isEqualTo(json("{\"binary\":\"AQID\"}"));
        assertThat(l.get(5)).isEqualTo(json("{\"type\":\"message\",\"topic\":\"echo:lobby\","
                + "\"event\":\"binary_pushed\",\"payload\":{\"binary\":\"BAU=\"}}"));
        assertThat(l.get(7).get("payload")).isEqualTo(json("{\"p\":2}"));
        assertThat(l.get(9).get("event").asText()).isEqualTo("stop_reply");
        assertThat(l.get(9).get("response")).isEqualTo(json("{\"bye\":true}"));
        assertThat(l.get(10)).isEqualTo(json("{\"type\":\"closed\",\"topic\":\"echo:lobby\",\"reason\":\"close\"}"));
        assertThat(l.get(11).get("topic").asText()).isEqualTo("echo:side");
        assertThat(l.get(11).get("response")).isEqualTo(json("{\"from\":\"stdin\"}"));
        assertThat(l.get(12)).isEqualTo(json("{\"type\":\"disconnected\",\"reason\":\"client_requested\","
                + "\"code\":1000}"));
        assertThat(run.err).isEmpty();
    }

    @Test
    void errorRepliesTimeoutsAndCrashesExitOne() {
        Run run = cat(null, url(), "--join", "echo:errors", "--timeout", "2",
                "--push", "echo:errors", "error", "{\"why\":\"testing\"}",
                "--push", "echo:errors", "noreply", "{}",
                "--push", "echo:errors", "crash", "{}");

        assertThat(run.exit).as(run.err).isEqualTo(1);
        List<JsonNode> l = run.lines();
        assertThat(run.types()).startsWith("connected", "joined", "reply", "timeout", "closed");
        assertThat(l.get(2).get("status").asText()).isEqualTo("error");
        assertThat(l.get(2).get("response")).isEqualTo(json("{\"why\":\"testing\"}"));
        assertThat(l.get(3)).isEqualTo(json("{\"type\":\"timeout\",\"topic\":\"echo:errors\",\"event\":\"noreply\","
                + "\"ref\":\"" + l.get(3).get("ref").asText() + "\"}"));
        assertThat(l.get(4)).isEqualTo(json("{\"type\":\"closed\",\"topic\":\"echo:errors\",\"reason\":\"error\"}"));
        assertThat(run.err).contains("push crash to echo:errors failed");
    }

    @Test
    void refusedJoinPrintsJoinErrorAndExitsOne() {
        Run run = cat(null, url(), "--join", "echo:private={\"password\":\"wrong\"}");

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.lines().get(1)).isEqualTo(json("{\"type\":\"join_error\",\"topic\":\"echo:private\","
                + "\"response\":{\"reason\":\"unauthorized\"}}"));
    }

    @Test
    void pushesFromStandardInputInOrder() {
        Run run = cat(stdin("echo:in echo {\"n\":1}\n\n   echo:in  echo  {\"n\": 2}\nnot a push\n"),
                url(), "--join", "echo:in");

        assertThat(run.exit).as("a bad line fails the run").isEqualTo(1);
        assertThat(run.lines().stream().filter(l -> l.get("type").asText().equals("reply"))
                .map(l -> l.get("response")).collect(Collectors.toList()))
                .containsExactly(json("{\"n\":1}"), json("{\"n\":2}"));
        assertThat(run.err).contains("standard input line 4").contains("not valid JSON");
    }

    @Test
    void protocolV1WorksAndHeadersReachTheServer() {
        opened.clear();
        Run run = cat(null, url(), "--vsn", "1", "--header", "X-Cat: meow", "--join", "echo:v1",
                "--push", "echo:v1", "echo", "[1,2]");

        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.lines().get(2).get("response")).isEqualTo(json("[1,2]"));
        assertThat(opened).anySatisfy(c -> {
            assertThat(c.vsn()).isEqualTo("1.0.0");
            assertThat(c.request().header("x-cat")).contains("meow");
        });
    }

    @Test
    void serverDisconnectWhileListeningPrintsDisconnectedReconnectingAndRejoins() {
        Output out = new Output();
        Output err = new Output();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(
                new String[] {"cat", url(), "--param", "user_id=listener", "--join", "echo:news", "--listen", "5"},
                null, out.stream, err.stream));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().contains("\"type\":\"joined\""));

        assertThat(server.disconnect("user_socket:listener")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(out.text(), "\"type\":\"joined\"") == 2);
        server.broadcast("echo:news", "headline", java.util.Map.of("text", "back online"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().contains("back online"));

        assertThat(exit).succeedsWithin(Duration.ofSeconds(15)).isEqualTo(0);
        Run run = new Run(0, out.text(), err.text());
        assertThat(run.types()).containsExactly("connected", "joined", "disconnected", "reconnecting", "connected",
                "joined", "message", "disconnected");
        List<JsonNode> l = run.lines();
        assertThat(l.get(2).get("reason").asText()).isEqualTo("server_closed");
        assertThat(l.get(2).get("code").asInt()).isBetween(1000, 1001);
        assertThat(l.get(3).get("attempt").asInt()).isEqualTo(1);
        assertThat(l.get(3).get("delay_ms").asLong()).isNotNegative();
        assertThat(l.get(6)).isEqualTo(json("{\"type\":\"message\",\"topic\":\"echo:news\",\"event\":\"headline\","
                + "\"payload\":{\"text\":\"back online\"}}"));
    }

    @Test
    void catWorksAgainstServeInPhoenix17Behaviour() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FakePhoenixServer old = ServeCommand.start(List.of("--port", "0", "--phoenix", "1.7"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(old).isNotNull();
        try {
            Run run = cat(null, old.socketUri().toString(), "--join", "echo:old",
                    "--push", "echo:old", "echo", "{\"v\":\"1.7\"}");
            assertThat(run.exit).as(run.err).isZero();
            assertThat(run.types()).containsExactly("connected", "joined", "reply", "disconnected");
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("fake Phoenix 1.7");
        } finally {
            old.close();
        }
    }

    @Test
    void aPushToATopicThatIsNotJoinedIsRefusedOnStandardErrorAndExitsOne() {
        Run run = cat(null, url(), "--push", "echo:never", "echo", "{}");
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.types()).containsExactly("connected", "disconnected");
        assertThat(run.err).contains("push echo to echo:never failed").contains("not joined");
    }

    @Test
    void rejectedConnectPrintsTheStatusAndExitsTwo() {
        Run run = cat(null, url(), "--param", "reject=true", "--join", "echo:lobby");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.types()).containsExactly("connect_error");
        assertThat(run.lines().get(0).get("status").asInt()).isEqualTo(403);
        assertThat(run.lines().get(0).get("reason").asText()).contains("403").doesNotContain("reject=true");
    }

    @Test
    void unreachableServerPrintsConnectErrorWithoutStatusAndExitsTwo() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run run = cat(null, "ws://127.0.0.1:" + closedPort + "/socket", "--join", "echo:lobby");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.types()).containsExactly("connect_error");
        assertThat(run.lines().get(0).has("status")).isFalse();
        assertThat(run.lines().get(0).get("reason").asText()).isNotBlank();
    }

    @Test
    void badArgumentsPrintUsageOnStandardErrorAndExitTwo() {
        List<String[]> bad = List.of(
                new String[] {},
                new String[] {"--join", "echo:x"},
                new String[] {"http//nope", "--join", "x"},
                new String[] {"ftp://h/socket"},
                new String[] {url(), "--join"},
                new String[] {url(), "--join", "echo:x={not json"},
                new String[] {url(), "--push", "echo:x", "echo"},
                new String[] {url(), "--push", "echo:x", "echo", "base64:!!"},
                new String[] {url(), "--vsn", "1", "--push", "echo:x", "binary", "base64:AQID"},
                new String[] {url(), "--vsn", "3"},
                new String[] {url(), "--timeout", "0"},
                new String[] {url(), "--timeout", "soon"},
                new String[] {url(), "--listen", "-1"},
                new String[] {url(), "--param", "novalue"},
                new String[] {url(), "--header", "nocolon"},
                new String[] {url(), "--bogus"},
                new String[] {url(), url()});
        for (String[] args : bad) {
            Run run = cat(null, args);
            assertThat(run.exit).as("exit of cat %s", List.of(args)).isEqualTo(2);
            assertThat(run.out).as("stdout of cat %s", List.of(args)).isEmpty();
            assertThat(run.err).as("stderr of cat %s", List.of(args)).contains("usage: slipstream cat URL");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Run cat(InputStream stdin, String... args) {
        Output out = new Output();
        Output err = new Output();
        String[] full = new String[args.length + 1];
        full[0] = "cat";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = CompletableFuture.supplyAsync(() -> Main.run(full, stdin, out.stream, err.stream))
                .orTimeout(30, TimeUnit.SECONDS).join();
        return new Run(exit, out.text(), err.text());
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Run(int exit, String out, String err) {
        List<JsonNode> lines() {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isEmpty()) {
                    JsonNode node = json(line);
                    assertThat(node.isObject()).as("every stdout line is a JSON object: %s", line).isTrue();
                    lines.add(node);
                }
            }
            return lines;
        }

        List<String> types() {
            return lines().stream().map(l -> l.get("type").asText()).collect(Collectors.toList());
        }
    }

    /** A print stream whose text can be read while the command still writes. */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
