package dev.slipstream.benchmarks.load;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.testing.script.ScriptedServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A child JVM of the load harness for the {@code testing} benchmark. First, before anything else loads the server's
 * classes, it times the scripted fake server's cold start (and stop), then warm starts and stops (at most 300 after
 * as many warm-up rounds, with threads of its own and on the shared threads); then it runs
 * {@link EverydayTest} (a server per test) and {@link EverydayTest.SharedServer} (one per class) through the JUnit
 * Platform Launcher, once per launch, and times each test from the launcher's start event to its finish event (the
 * extension's before and after callbacks included, as an IDE or Surefire reports it). Prints one JSON line:
 * {@code {"coldStartMillis":..,"coldStopMillis":..,"startMillis":[..],"stopMillis":[..],"sharedStartMillis":[..],
 * "sharedStopMillis":[..],"perTestMillis":[..],"perClassMillis":[..],"perTestCpuMillis":..,"perClassCpuMillis":..,
 * "warmup":n}}; the warm-up runs are left out of the lists, and the CPU figures are per launch.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.TestingProbe 1000 400
 * }</pre>
 */
public final class TestingProbe {
    private TestingProbe() {}

    /** {@code <warm-up runs> <measured runs>}. */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: TestingProbe <warm-up runs> <measured runs>");
            System.exit(2);
        }
        int warmup = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        ObjectNode out = JsonNodeFactory.instance.objectNode();

        // The first start in this JVM: class loading of Undertow, XNIO, Jackson and the server itself.
        long t0 = System.nanoTime();
        ScriptedServer first = ScriptedServer.start();
        long t1 = System.nanoTime();
        first.close();
        long t2 = System.nanoTime();
        out.put("coldStartMillis", (t1 - t0) / 1e6).put("coldStopMillis", (t2 - t1) / 1e6);

        // Starting and closing warm up far sooner than a whole exchange does.
        int rounds = Math.min(runs, 300);
        startStop(out, "", ScriptedServer::start, rounds, rounds);
        // As @SlipstreamTest starts them: on threads shared by the servers of the JVM.
        startStop(out, "shared", () -> ScriptedServer.builder().server(b -> b.sharedThreads(true)).start(), rounds, rounds);

        Launcher launcher = LauncherFactory.create();
        // Alternate the two classes so that both see the same machine load.
        ArrayNode perTest = out.putArray("perTestMillis");
        ArrayNode perClass = out.putArray("perClassMillis");
        long[] cpu = new long[2];
        Timer timer = new Timer();
        LauncherDiscoveryRequest perTestRequest = request(EverydayTest.class);
        LauncherDiscoveryRequest perClassRequest = request(EverydayTest.SharedServer.class);
        for (int i = 0; i < warmup + runs; i++) {
            long c0 = Cpu.processNanos();
            double a = timer.run(launcher, perTestRequest);
            long c1 = Cpu.processNanos();
            double b = timer.run(launcher, perClassRequest);
            long c2 = Cpu.processNanos();
            if (i >= warmup) {
                perTest.add(a);
                perClass.add(b);
                cpu[0] += c1 - c0;
                cpu[1] += c2 - c1;
            }
        }
        // Whole launches (discovery and the engine included), every thread of the process (JIT and GC too).
        out.put("perTestCpuMillis", cpu[0] / 1e6 / runs).put("perClassCpuMillis", cpu[1] / 1e6 / runs);
        out.put("warmup", warmup);
        System.out.println(out);
        System.out.flush();
        System.exit(0);
    }

    private static void startStop(ObjectNode out, String prefix, Supplier<ScriptedServer> starter, int warmup, int runs) {
        ArrayNode start = out.putArray(prefix.isEmpty() ? "startMillis" : prefix + "StartMillis");
        ArrayNode stop = out.putArray(prefix.isEmpty() ? "stopMillis" : prefix + "StopMillis");
        for (int i = 0; i < warmup + runs; i++) {
            long a = System.nanoTime();
            ScriptedServer s = starter.get();
            long b = System.nanoTime();
            s.close();
            long c = System.nanoTime();
            if (i >= warmup) {
                start.add((b - a) / 1e6);
                stop.add((c - b) / 1e6);
            }
        }
    }

    // No execution timeout: JUnit would make a timer thread per launch, which a real run makes once. A hang ends
    // when the harness gives up on this process.
    private static LauncherDiscoveryRequest request(Class<?> testClass) {
        return LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build();
    }

    /** Times the one test of a launch, from its start event to its finish event; a failed test ends the probe. */
    private static final class Timer implements TestExecutionListener {
        private final Map<String, Long> started = new ConcurrentHashMap<>();
        private volatile double last;
        private volatile int tests;

        double run(Launcher launcher, LauncherDiscoveryRequest request) {
            tests = 0;
            launcher.execute(request, this);
            if (tests != 1) {
                System.err.println("expected one test per launch, ran " + tests);
                System.exit(1);
            }
            return last;
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            if (id.isTest()) {
                started.put(id.getUniqueId(), System.nanoTime());
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            long now = System.nanoTime();
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                System.err.println(id.getUniqueId() + " " + result.getStatus());
                result.getThrowable().ifPresent(t -> t.printStackTrace());
                System.exit(1);
            }
            if (id.isTest()) {
                last = (now - started.remove(id.getUniqueId())) / 1e6;
                tests++;
            }
        }
    }
}
