package dev.slipstream.testing.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.conformance.NodeProject;
import dev.slipstream.testing.demo.DemoChannels;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kotlin.Unit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.phoenixframework.Channel;
import org.phoenixframework.Defaults;
import org.phoenixframework.Message;
import org.phoenixframework.Socket;

/**
 * Record once, replay offline: a client runs one session through the {@link RecordingProxy} against a backend (the
 * fake server's demo channels: CI has no Phoenix), the proxy derives stub files from it, and the same client runs the
 * same session against a server that has only those stubs. It must see the same replies and server messages, in
 * the same order: join replies (ok with values from the join, and a refusal), echoed payloads, an error reply, a push
 * and a broadcast that arrive before their reply, and two ticks that follow a reply by 60 and 120 ms. Three clients:
 * ours, phoenix.js (npm, under Node) and JavaPhoenixClient 1.3.1.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // covers `npm ci` on a cold cache for the phoenix.js run
class ReplayTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** One client's session against the socket at {@code endpoint} ({@code ws://HOST:PORT/socket}): what it saw. */
    interface Session {
        List<String> run(URI endpoint) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"slipstream", "phoenix.js", "JavaPhoenixClient"})
    void theStubsOfARecordingAnswerTheClientAsTheBackendDid(String client, @TempDir Path out) throws Exception {
        Session session = switch (client) {
            case "slipstream" -> ReplayTest::slipstream;
            case "phoenix.js" -> ReplayTest::phoenixJs;
            default -> ReplayTest::javaPhoenixClient;
        };
        List<String> recorded;
        RecordingProxy.Recording recording;
        try (FakePhoenixServer backend = DemoChannels.install(FakePhoenixServer.builder()).start();
                RecordingProxy proxy = RecordingProxy.builder(backend.socketUri()).port(0).output(out).start()) {
            recorded = session.run(URI.create("ws://127.0.0.1:" + proxy.port() + "/socket"));
            recording = proxy.stop();
        }
        assertThat(recorded).as("what %s saw from the backend", client).hasSize(12)
                .anyMatch(l -> l.startsWith("join echo:lobby ok ") && l.contains("\"hello\":\"there\""))
                .anyMatch(l -> l.startsWith("join echo:private error ") && l.contains("unauthorized"))
                .anyMatch(l -> l.startsWith("reply echo:lobby error error ") && l.contains("nope"))
                .filteredOn(l -> l.contains(" tick ")).hasSize(2);
        assertThat(recording.notes()).as("what the stubs could not describe").isEmpty();

        List<String> replayed;
        try (FakePhoenixServer replay = FakePhoenixServer.builder().stubs(recording.stubs().toString()).start()) {
            replayed = session.run(replay.socketUri());
        }
        assertThat(replayed).as("%s against the stubs in %s:%n%s", client, recording.stubs(), stubFiles(recording))
                .containsExactlyElementsOf(recorded);
    }

    // ================================================================================================ the clients

    private static List<String> slipstream(URI endpoint) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ClientModule module = new ClientModule() {
            @Override
            public void message(SlipstreamClient client, String topic, String event, Payload payload) {
                seen.add("push " + topic + " " + event + " " + payload.asJson().text());
            }
        };
        try (SlipstreamClient c = SlipstreamClient.builder(endpoint).params(Map.of("user_id", "ada")).module(module)
                .connectTimeout(WAIT).pushTimeout(WAIT).build()) {
            get(c.connect());
            seen.add("join echo:lobby ok " + get(c.join("echo:lobby", json("{\"hello\":\"there\"}"))).asJson().text());
            for (String[] push : pushes()) {
                Payload.Reply r = get(c.push("echo:lobby", push[0], json(push[1])));
                seen.add("reply echo:lobby " + push[0] + " " + r.status() + " " + r.response().asJson().text());
                waitAfter(push[0], seen);
            }
            try {
                c.join("echo:private", json("{\"password\":\"wrong\"}")).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                seen.add("join echo:private ok");
            } catch (ExecutionException e) {
                seen.add("join echo:private error " + ((JoinRefusedException) e.getCause()).response().asJson().text());
            }
        }
        return new ArrayList<>(seen);
    }

    private static List<String> phoenixJs(URI endpoint) throws Exception {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        NodeProject project = NodeProject.prepare(module.resolve("src/test/js"), module.resolve("target/phoenix-js"));
        NodeProject.ProcessResult run = NodeProject.run(List.of(project.node().toString(), "replay.js", "--url",
                endpoint.toString()), project.dir(), Duration.ofMinutes(1), project.dir().resolve("replay.log"));
        assertThat(run.output()).as("replay.js").contains("\nDONE");
        List<String> seen = new ArrayList<>();
        for (String line : run.output().split("\n")) {
            if (line.startsWith("SEEN ")) {
                seen.add(new com.fasterxml.jackson.databind.ObjectMapper().readValue(line.substring(5), String.class));
            }
        }
        return seen;
    }

    private static List<String> javaPhoenixClient(URI endpoint) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        OkHttpClient http = new OkHttpClient();
        Socket socket = new Socket(endpoint + "/websocket", Map.of("user_id", "ada"), Defaults.VSN,
                Defaults.INSTANCE.getEncode(), Defaults.INSTANCE.getDecode(), http);
        try {
            socket.connect();
            Channel lobby = socket.channel("echo:lobby", ordered("hello", "there"));
            for (String event : List.of("pushed", "broadcast", "tick")) {
                lobby.on(event, m -> {
                    seen.add("push echo:lobby " + event + " " + m.getPayloadJson());
                    return Unit.INSTANCE;
                });
            }
            Message joined = outcome(lobby.join(WAIT.toMillis()));
            seen.add("join echo:lobby " + joined.getStatus() + " " + joined.getPayloadJson());
            for (String[] push : pushes()) {
                Map<String, Object> payload = new com.fasterxml.jackson.databind.ObjectMapper().readValue(push[1],
                        LinkedHashMap.class);
                Message reply = outcome(lobby.push(push[0], payload, WAIT.toMillis()));
                seen.add("reply echo:lobby " + push[0] + " " + reply.getStatus() + " " + reply.getPayloadJson());
                waitAfter(push[0], seen);
            }
            Channel secret = socket.channel("echo:private", ordered("password", "wrong"));
            Message refused = outcome(secret.join(WAIT.toMillis()));
            seen.add("join echo:private " + refused.getStatus() + " " + refused.getPayloadJson());
            secret.leave(WAIT.toMillis()); // no rejoin after the refusal
        } finally {
            socket.disconnect(1000, null, null);
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        return new ArrayList<>(seen);
    }

    // ================================================================================================ the session

    /** The pushes to {@code echo:lobby} after the join, in order: event and JSON payload. */
    private static List<String[]> pushes() {
        return List.of(
                new String[] {"echo", "{\"body\":\"hi\"}"},
                new String[] {"echo", "{\"body\":\"again\",\"n\":2}"},
                new String[] {"error", "{\"reason\":\"nope\"}"},
                new String[] {"push_back", "{\"note\":\"to me\"}"},
                new String[] {"broadcast", "{\"msg\":\"all\"}"},
                new String[] {"start_ticks", "{\"ms\":60,\"count\":2}"});
    }

    /** After the pushes whose server messages follow the reply, waits for them (bounded). */
    private static void waitAfter(String event, List<String> seen) {
        if (event.equals("start_ticks")) {
            org.awaitility.Awaitility.await("two ticks; seen " + seen).atMost(WAIT)
                    .until(() -> seen.stream().filter(l -> l.contains(" tick ")).count() == 2);
        }
    }

    private static Message outcome(org.phoenixframework.Push push) throws Exception {
        CompletableFuture<Message> done = new CompletableFuture<>();
        push.receive("ok", m -> {
            done.complete(m);
            return Unit.INSTANCE;
        }).receive("error", m -> {
            done.complete(m);
            return Unit.INSTANCE;
        }).receive("timeout", m -> {
            done.completeExceptionally(new AssertionError("JavaPhoenixClient push timed out"));
            return Unit.INSTANCE;
        });
        return done.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    private static Map<String, Object> ordered(String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k, v);
        return m;
    }

    private static Payload json(String text) {
        return Payload.json(text);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String stubFiles(RecordingProxy.Recording r) throws Exception {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(r.stubs())) {
            for (Path f : files.sorted().toList()) {
                out.append("-- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
        }
        return out.toString();
    }
}
