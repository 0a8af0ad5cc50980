package dev.slipstream.testing.conformance;

import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The phoenix.js conformance suite against {@code slipstream serve --stubs}: the demo app written as stub files
 * ({@code src/test/resources/stubs/demo/}), served by {@link DemoServer#start} as the command does (so without the
 * demo channels), in Phoenix 1.8 and 1.7 modes. phoenix.js must not tell the stubs from the demo channels (which
 * {@link PhoenixJsConformanceTest} holds to real Phoenix's frames).
 *
 * <p>The server has no demo HTTP routes, so the scenarios broadcast and disconnect through the admin API
 * ({@code --helpers admin}), as a suite in any language would. Scenarios the format {@code stubs/1} cannot express,
 * and so not run here:
 * <ul>
 *   <li>{@code binary}, {@code binary_unicode_topic}, {@code large_payloads}: binary payloads (stub rules match and
 *       answer JSON; the large JSON half of {@code large_payloads} is echoed like any other);
 *   <li>{@code server_push}: ticks at an interval and count the payload chooses (a stub's delays are fixed);
 *   <li>{@code presence_two_clients}, {@code client_disconnect_connect}: {@code update_meta} updates a presence and
 *       {@code list} answers with the presence list (a stub tracks on join only and has no template for the list).
 * </ul>
 */
class PhoenixJsAgainstStubsTest {
    static final List<String> NOT_EXPRESSIBLE = List.of("binary", "binary_unicode_topic", "large_payloads",
            "server_push", "presence_two_clients", "client_disconnect_connect");
    static final List<String> SCENARIOS = PhoenixJsConformanceTest.SCENARIOS.stream()
            .filter(s -> !NOT_EXPRESSIBLE.contains(s)).toList();

    @TestFactory
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // covers finding Node and `npm ci` on a cold npm cache
    Stream<DynamicNode> phoenixJsAgainstServeStubs() throws Exception {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        NodeProject project = NodeProject.prepare(module.resolve("src/test/js"), module.resolve("target/phoenix-js"));
        String stubs = module.resolve("src/test/resources/stubs/demo").toString();
        return Stream.of("1.8", "1.7").map(label -> PhoenixJsConformanceTest.container(
                "serve --stubs, Phoenix " + label + " mode", label, SCENARIOS, () -> {
                    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
                    try (FakePhoenixServer main = DemoServer.start(new String[] {"--port", "0", "--phoenix", label,
                                    "--stubs", stubs}, quiet);
                            FakePhoenixServer idle = DemoServer.start(new String[] {"--port", "0", "--phoenix", label,
                                    "--stubs", stubs, "--idle-timeout-ms",
                                    Long.toString(PhoenixJsConformanceTest.SHORT_IDLE_TIMEOUT.toMillis())}, quiet)) {
                        return PhoenixJsConformanceTest.runScenarios(project, label, main, idle, SCENARIOS, "admin",
                                "conformance-stubs-" + label + ".log");
                    }
                }));
    }
}
