package dev.slipstream.testing.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.PhoenixVersion;
import dev.slipstream.testing.demo.DemoChannels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The official JavaScript client (npm {@code phoenix} 1.8.16 with {@code ws}, pinned in {@code src/test/js/package-lock.json})
 * against the fake server's demo channels, once with the server imitating Phoenix 1.8 and once Phoenix 1.7.
 *
 * <p>Each mode starts two fake servers on ephemeral ports: one with the default idle timeout for most scenarios,
 * one with a short idle timeout for the heartbeat and idle-timeout scenarios. The Node runner
 * ({@code src/test/js/conformance.js}) prints one {@code SCENARIO {json}} line per scenario; every scenario becomes
 * a dynamic test named after it, and a failure shows the scenario's error and its frame log.
 */
class PhoenixJsConformanceTest {

    /** Every scenario the suite must pass, in both modes (the names of {@code conformance.js --list}). */
    static final List<String> SCENARIOS = List.of(
            "connect",
            "connect_rejected_403",
            "join_ok",
            "join_error",
            "join_crashed",
            "join_unmatched_topic",
            "push_reply_ok_error",
            "push_noreply_timeout",
            "broadcast_two_clients",
            "broadcast_after_join_reply",
            "server_push",
            "channel_crash_rejoin",
            "channel_stop_no_rejoin",
            "leave",
            "duplicate_join",
            "binary",
            "presence_two_clients",
            "server_disconnect_reconnect",
            "heartbeats",
            "idle_timeout",
            "auth_token",
            "push_buffered_before_join",
            "stale_join_ref",
            "channel_limit",
            "slow_reply_ordering",
            "binary_unicode_topic",
            "large_payloads",
            "presence_reconnect",
            "v1_serializer",
            "ordering_under_load",
            "presence_same_key_two_connections",
            "non_object_payloads",
            "client_disconnect_connect");

    /** The short idle timeout of the second server: long enough for a loaded CI machine, short for the suite. */
    static final Duration SHORT_IDLE_TIMEOUT = Duration.ofMillis(1500);

    /** Bound on one run of the Node runner (all scenarios of one mode; a normal run takes a few seconds). */
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    private static final Pattern SUMMARY = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // covers finding Node and `npm ci` on a cold npm cache
    Stream<DynamicNode> phoenixJsAgainstTheFakeServer() throws Exception {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        NodeProject project = NodeProject.prepare(module.resolve("src/test/js"), module.resolve("target/phoenix-js"));
        return Stream.of(PhoenixVersion.V1_8, PhoenixVersion.V1_7).map(version -> mode(project, version));
    }

    private static DynamicNode mode(NodeProject project, PhoenixVersion version) {
        String label = version == PhoenixVersion.V1_8 ? "1.8" : "1.7";
        return container("Phoenix " + label + " mode", label, SCENARIOS, () -> {
            try (FakePhoenixServer main = DemoChannels.install(FakePhoenixServer.builder())
                            .phoenixVersion(version).start();
                    FakePhoenixServer idle = DemoChannels.install(FakePhoenixServer.builder())
                            .phoenixVersion(version).idleTimeout(SHORT_IDLE_TIMEOUT).start()) {
                return runScenarios(project, label, main, idle, SCENARIOS, "demo", "conformance-" + label + ".log");
            }
        });
    }

    /** A run of the Node runner against servers it starts and closes. */
    interface Runner {
        Run run() throws Exception;
    }

    /** One dynamic test per scenario of {@code scenarios}, from one run; a run that cannot start fails each. */
    static DynamicNode container(String name, String label, List<String> scenarios, Runner runner) {
        Run run;
        try {
            run = runner.run();
        } catch (Exception e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            run = new Run(Map.of(), "the run could not start: " + trace);
        }
        Run result = run;
        List<DynamicNode> tests = new ArrayList<>();
        for (String scenario : scenarios) {
            String display = scenario + " [Phoenix " + label + "]";
            tests.add(DynamicTest.dynamicTest(display, () -> check(result, display)));
        }
        return DynamicContainer.dynamicContainer(name, tests);
    }

    private static void check(Run run, String display) {
        String name = display.substring(0, display.indexOf(' '));
        JsonNode result = run.results().get(name);
        if (result == null) {
            fail("scenario " + display + " reported no result; runner output:\n" + run.output());
            return;
        }
        if (!"passed".equals(result.path("status").asText())) {
            StringBuilder message = new StringBuilder("scenario ").append(display).append(" failed: ")
                    .append(result.path("error").asText()).append("\n-- frames and events of this scenario --\n");
            result.path("log").forEach(line -> message.append(line.asText()).append('\n'));
            fail(message.toString());
        }
    }

    /** The parsed results of one Node run, and its whole output for failures that no scenario line explains. */
    record Run(Map<String, JsonNode> results, String output) {
    }

    /**
     * Runs {@code scenarios} of the Node runner against {@code main} (and {@code idle}, the server with the short idle
     * timeout), imitating Phoenix {@code label}; broadcasts and disconnects from outside go through the demo app's
     * routes or the admin API ({@code helpers}: {@code demo} or {@code admin}); the runner's output goes to
     * {@code logName} in the project folder.
     */
    static Run runScenarios(NodeProject project, String label, FakePhoenixServer main, FakePhoenixServer idle,
            List<String> scenarios, String helpers, String logName) throws IOException, InterruptedException {
        List<String> command = List.of(project.node().toString(), "conformance.js",
                "--base", main.httpUri().toString(),
                "--idle-base", idle.httpUri().toString(),
                "--idle-timeout-ms", Long.toString(SHORT_IDLE_TIMEOUT.toMillis()),
                "--phoenix", label,
                "--only", String.join(",", scenarios),
                "--helpers", helpers);
        NodeProject.ProcessResult process = NodeProject.run(command, project.dir(), RUN_TIMEOUT,
                project.dir().resolve(logName));
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (String line : (Iterable<String>) process.output().lines()::iterator) {
            if (line.startsWith("SCENARIO ")) {
                JsonNode node = JSON.readTree(line.substring("SCENARIO ".length()));
                results.put(node.path("name").asText(), node);
                // Observations (close codes the server chose) for the test report, also when passing.
                node.path("notes").forEach(note -> System.out.println(
                        "phoenix.js conformance [Phoenix " + label + "] " + node.path("name").asText() + ": "
                                + note.asText()));
            }
        }
        String output = process.output();
        if (process.timedOut()) {
            output = "the Node runner was killed after " + RUN_TIMEOUT.toSeconds() + " s\n" + output;
        } else {
            Matcher summary = SUMMARY.matcher(output);
            if (summary.find()) {
                System.out.println("phoenix.js conformance [Phoenix " + label + "]: " + summary.group());
            } else {
                output = "the Node runner exited with " + process.exitCode() + " without its summary line\n"
                        + output;
            }
        }
        return new Run(results, output);
    }
}
