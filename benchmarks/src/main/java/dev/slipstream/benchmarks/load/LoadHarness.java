package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.benchmarks.CodecBenchmark;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The end-to-end load harness: one command runs every client benchmark with the peers side by side, each client in
 * its own process, against the fake Phoenix server in another JVM (or any server with the demo {@code echo:*}
 * channel, {@code --server}). See {@code benchmarks/README.md} for the options and the JSON schema.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.slipstream.benchmarks.load.LoadHarness --quick --json bench.json --svg bench.svg
 * }</pre>
 */
public final class LoadHarness {
    /** The version of the JSON schema; it changes only when a field changes meaning or goes away. */
    static final String SCHEMA = "slipstream-load/1";

    private final boolean quick;
    private final String externalServer;
    private final Path jsDir;
    private final String classpath = System.getProperty("java.class.path");
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final ArrayNode figures = JsonNodeFactory.instance.arrayNode();
    private final ArrayNode skipped = JsonNodeFactory.instance.arrayNode();
    private String phoenixEndpoint;
    private String rawEndpoint;
    /** The server's process, whose CPU time each pipelined run measures; null when unknown (--server without a pid). */
    private ProcessHandle serverHandle;

    private LoadHarness(boolean quick, String externalServer, ProcessHandle externalServerProcess, Path jsDir) {
        this.quick = quick;
        this.externalServer = externalServer;
        this.serverHandle = externalServerProcess;
        this.jsDir = jsDir;
    }

    /** {@code [--quick] [--json FILE] [--svg FILE] [--server URL [--server-pid PID]] [--js DIR] [--only NAME,...]}. */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String json = null;
        String svg = null;
        String server = null;
        Long serverPid = null;
        String js = "benchmarks/js";
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = arg(args, ++i, "--json");
                case "--svg" -> svg = arg(args, ++i, "--svg");
                case "--server" -> server = arg(args, ++i, "--server");
                case "--server-pid" -> serverPid = pid(arg(args, ++i, "--server-pid"));
                case "--js" -> js = arg(args, ++i, "--js");
                case "--only" -> only.addAll(Arrays.asList(arg(args, ++i, "--only").split(",")));
                case "--replot" -> {
                    // Draws the plot of an earlier run's JSON, runs nothing: --replot run.json --svg plot.svg
                    Path from = Path.of(arg(args, ++i, "--replot"));
                    String to = i + 2 < args.length && args[i + 1].equals("--svg") ? args[i + 2] : "plot.svg";
                    Files.writeString(Path.of(to), Plot.svg(new ObjectMapper().readTree(from.toFile())));
                    System.out.println("wrote " + to);
                    System.exit(0);
                }
                default -> {
                    System.err.println("unknown argument \"" + args[i] + "\"");
                    System.err.println("usage: LoadHarness [--quick] [--json FILE] [--svg FILE] [--server ws://HOST:PORT/socket [--server-pid PID]]"
                            + " [--js DIR] [--only throughput,latency,connections,large,codec,fanout,server,testing] | --replot RUN.json --svg FILE");
                    System.exit(2);
                }
            }
        }
        ProcessHandle serverProcess = null;
        if (serverPid != null) {
            if (server == null) {
                System.err.println("--server-pid names the process of the server given with --server");
                System.exit(2);
            }
            long pid = serverPid;
            serverProcess = ProcessHandle.of(pid)
                    .orElseThrow(() -> new IllegalArgumentException("--server-pid " + pid + ": no such process"));
        }
        LoadHarness h = new LoadHarness(quick, server, serverProcess, Path.of(js));
        ObjectNode report = h.run(only);
        if (json != null) {
            Files.writeString(Path.of(json), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report) + "\n");
            System.out.println("wrote " + json);
        }
        if (svg != null) {
            Files.writeString(Path.of(svg), Plot.svg(report));
            System.out.println("wrote " + svg);
        }
        System.exit(0);
    }

    private static String arg(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long pid(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server-pid needs a process id, not \"" + value + "\"");
        }
    }

    private interface Phase {
        void run() throws Exception;
    }

    /** Runs benchmark {@code name} if wanted and says how long it took, so the run's time budget can be watched. */
    private void phase(List<String> only, String name, Phase phase) throws Exception {
        if (!wanted(only, name)) {
            return;
        }
        long t0 = System.nanoTime();
        phase.run();
        System.out.printf(Locale.ROOT, "%s: took %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
    }

    private boolean wanted(List<String> only, String name) {
        return only.isEmpty() || only.contains(name);
    }

    private ObjectNode run(List<String> only) throws Exception {
        long started = System.nanoTime();
        ObjectNode report = JsonNodeFactory.instance.objectNode();
        report.put("schema", SCHEMA).put("mode", quick ? "quick" : "full").put("startedAt", Instant.now().toString());
        ObjectNode machine = report.putObject("machine");
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("arch", System.getProperty("os.arch"))
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
                .put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Process serverProcess = null;
        ObjectNode server = report.putObject("server");
        if (externalServer == null) {
            serverProcess = startServer();
            serverHandle = serverProcess.toHandle();
            server.put("kind", "fake").put("url", phoenixEndpoint).put("raw", rawEndpoint);
        } else {
            phoenixEndpoint = externalServer;
            // No plain echo beside an external server: the raw socket joins its echo:bench with a written-out frame.
            server.put("kind", "external").put("url", phoenixEndpoint)
                    .put("raw", phoenixEndpoint + " (raw-phoenix: joined, V2 frames written out)");
        }
        if (serverHandle != null) {
            server.put("pid", serverHandle.pid());
        }
        noteAutogroups(machine, server);
        String node = nodeVersion();
        machine.put("node", node == null ? "missing" : node);
        try {
            phase(only, "throughput", () -> throughput(node));
            phase(only, "latency", () -> latency(node));
            if (wanted(only, "connections") || wanted(only, "fanout")) {
                phase(List.of(), "connections", this::connections);
            }
            phase(only, "large", this::large);
            phase(only, "codec", () -> codec(node));
            phase(only, "server", this::serverStartStop);
            phase(only, "testing", this::testing);
        } finally {
            if (serverProcess != null) {
                serverProcess.getOutputStream().close(); // BenchServer stops at the end of its input
                if (!serverProcess.waitFor(20, TimeUnit.SECONDS)) {
                    serverProcess.destroyForcibly();
                }
            }
        }
        machine.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        report.put("seconds", (System.nanoTime() - started) / 1e9);
        report.set("figures", figures);
        report.set("skipped", skipped);
        printTable();
        return report;
    }

    /**
     * Whether the server shares the clients' autogroup, when Linux has autogroups on. The kernel then schedules each
     * session (a {@code setsid}, as the Phoenix app's {@code start.sh} does) as one group, and a server in a session of
     * its own competes with the clients group against group, which changes who runs first after a wake-up: phoenix.js's
     * writes to Phoenix were preempted by the BEAM's poller in 16% of round trips with the BEAM in its own group and
     * 47% in the clients', a JVM client's in 55% and 50% (issue 15, session 15). The clients are this JVM's children.
     */
    private void noteAutogroups(ObjectNode machine, ObjectNode server) {
        boolean enabled;
        try {
            enabled = Files.readString(Path.of("/proc/sys/kernel/sched_autogroup_enabled")).trim().equals("1");
        } catch (IOException e) {
            return; // not Linux, or a kernel without autogroups
        }
        machine.put("autogroupsEnabled", enabled);
        Optional<String> ours = autogroup(ProcessHandle.current().pid());
        Optional<String> theirs = serverHandle == null ? Optional.empty() : autogroup(serverHandle.pid());
        if (ours.isPresent() && theirs.isPresent()) {
            boolean same = theirs.get().equals(ours.get());
            server.put("sameAutogroupAsClients", same);
            if (enabled && !same) {
                System.out.println("server: in an autogroup of its own (" + theirs.get() + ", the clients "
                        + ours.get() + "), so scheduled as one group against theirs; see benchmarks/README.md");
            }
        }
    }

    /** The autogroup of a process ({@code /autogroup-N}), if this is Linux and it can be read. */
    private static Optional<String> autogroup(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", String.valueOf(pid), "autogroup")).trim();
            return Optional.of(line.split(" ", 2)[0]);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- server

    private Process startServer() throws Exception {
        Process p = new ProcessBuilder(java, "-Xmx2g", "-cp", classpath, BenchServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith("BENCH-SERVER ")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String l = line.get(60, TimeUnit.SECONDS);
        if (l == null) {
            throw new IllegalStateException("the benchmark server did not start (exit " + p.waitFor() + ")");
        }
        for (String part : l.substring("BENCH-SERVER ".length()).split(" ")) {
            if (part.startsWith("phoenix=")) {
                phoenixEndpoint = part.substring("phoenix=".length());
            } else if (part.startsWith("raw=")) {
                rawEndpoint = part.substring("raw=".length());
            }
        }
        System.out.println("server: fake Phoenix " + phoenixEndpoint + ", raw echo " + rawEndpoint + " (pid " + p.pid() + ")");
        return p;
    }

    /** The server process's CPU time so far (every thread), or -1 when the harness does not know its process. */
    private long serverCpuNanos() {
        if (serverHandle == null) {
            return -1;
        }
        return serverHandle.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    // ---------------------------------------------------------------- child processes

    private record Result(int exit, String stdout, String stderr) {
        JsonNode json() {
            for (String l : stdout.split("\n")) {
                if (l.startsWith("{")) {
                    try {
                        return new ObjectMapper().readTree(l);
                    } catch (IOException e) {
                        return null;
                    }
                }
            }
            return null;
        }

        String why() {
            String err = stderr.strip();
            int cut = err.indexOf('\n');
            return "exit " + exit + (err.isEmpty() ? "" : ": " + (cut < 0 ? err : err.substring(0, cut)));
        }
    }

    private Result exec(List<String> command, File dir, long timeoutSeconds) throws Exception {
        return exec(command, dir, timeoutSeconds, line -> { });
    }

    /** Runs a child to its end; {@code onLine} sees each line of its standard output as it comes. */
    private Result exec(List<String> command, File dir, long timeoutSeconds, Consumer<String> onLine) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir);
        }
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream(), onLine);
        CompletableFuture<String> err = drain(p.getErrorStream(), line -> { });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new Result(-1, out.getNow(""), "timed out after " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static CompletableFuture<String> drain(java.io.InputStream in, Consumer<String> onLine) {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    onLine.accept(line);
                    all.append(line).append('\n');
                }
            } catch (IOException e) {
                // the child is gone: what it wrote so far is all there is
            }
            return all.toString();
        });
    }

    private List<String> jvm(String main, String... args) {
        List<String> c = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", classpath, main));
        c.addAll(Arrays.asList(args));
        return c;
    }

    private String nodeVersion() {
        try {
            Result r = exec(List.of("node", "--version"), null, 20);
            return r.exit == 0 ? r.stdout.strip() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Installs phoenix and ws from the committed package-lock.json when node_modules is missing. */
    private String prepareJs(String node) throws Exception {
        if (node == null) {
            return "node is not installed (phoenix.js needs Node 18 or later)";
        }
        if (!Files.isRegularFile(jsDir.resolve("peer.js"))) {
            return jsDir.toAbsolutePath() + "/peer.js not found (run from the repository root or pass --js DIR)";
        }
        if (!Files.isDirectory(jsDir.resolve("node_modules/phoenix"))) {
            System.out.println("phoenix.js: npm ci in " + jsDir);
            Result r = exec(List.of("npm", "ci", "--no-audit", "--no-fund"), jsDir.toFile(), 300);
            if (r.exit != 0) {
                return "npm ci failed: " + r.why();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- benchmarks

    private List<String> jvmClients() {
        List<String> clients = new ArrayList<>(List.of("slipstream", "slipstream-nio", "javaphoenixclient"));
        clients.add("raw"); // against the plain echo, or joined to an external server's echo:bench (raw-phoenix)
        return clients;
    }

    private Result clientRun(String client, String node, String mode, int count, int param) throws Exception {
        return clientRun(client, node, mode, count, param, line -> { });
    }

    private Result clientRun(String client, String node, String mode, int count, int param, Consumer<String> onLine)
            throws Exception {
        if (client.equals("phoenix.js")) {
            return exec(List.of("node", "peer.js", phoenixEndpoint, mode, String.valueOf(count), String.valueOf(param)),
                    jsDir.toFile(), 180, onLine);
        }
        String probe = client.equals("raw") && rawEndpoint == null ? "raw-phoenix" : client;
        String endpoint = probe.equals("raw") ? rawEndpoint : phoenixEndpoint;
        return exec(jvm(ClientProbe.class.getName(), probe, endpoint, mode, String.valueOf(count),
                String.valueOf(param)), null, 180, onLine);
    }

    private List<String> allClients(String node) throws Exception {
        List<String> clients = jvmClients();
        String why = prepareJs(node);
        if (why == null) {
            clients.add(clients.size() - 1, "phoenix.js"); // before the raw ceiling
        } else {
            skip("throughput,latency", "phoenix.js", why);
        }
        return clients;
    }

    private void throughput(String node) throws Exception {
        int count = quick ? 20_000 : 200_000;
        int runs = quick ? 1 : 3;
        for (String client : allClients(node)) {
            List<double[]> results = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                System.out.println("throughput: " + client + " run " + (run + 1) + "/" + runs + ", " + count + " pushes, window 64");
                // The server's CPU time over the probe's measured phase, which the probe brackets with two lines
                AtomicLong server0 = new AtomicLong(-1);
                AtomicLong server1 = new AtomicLong(-1);
                Result r = clientRun(client, node, "throughput", count, 64, line -> {
                    if (line.equals(ClientProbe.MEASURING)) {
                        server0.set(serverCpuNanos());
                    } else if (line.equals(ClientProbe.MEASURED)) {
                        server1.set(serverCpuNanos());
                    }
                });
                JsonNode j = r.json();
                if (j == null) {
                    skip("throughput", client, r.why());
                    break;
                }
                long replies = j.get("replies").asLong();
                double server = server0.get() < 0 || server1.get() < 0 ? Double.NaN
                        : (server1.get() - server0.get()) / 1000.0 / replies;
                results.add(new double[] {replies / j.get("seconds").asDouble(),
                        j.get("cpuNanos").asDouble() / replies / 1000, server});
            }
            if (results.size() == runs) {
                results.sort((a, b) -> Double.compare(a[0], b[0]));
                double[] median = results.get(runs / 2);
                figure("throughput", client, "roundTripsPerSecond", median[0], "1/s", "median of " + runs + " runs");
                figure("cpu", client, "cpuMicrosPerRoundTrip", median[1], "us",
                        "whole client process CPU time / replies, pipelined run");
                if (!Double.isNaN(median[2])) {
                    figure("cpu", client, "serverCpuMicrosPerRoundTrip", median[2], "us",
                            "the server process's CPU time during the measured phase / replies, pipelined run");
                    figure("cpu", client, "coresInUse", median[0] * (median[1] + median[2]) / 1e6, "cores",
                            "round trips/s x (client + server CPU per round trip): how close the run came to the machine's "
                                    + Runtime.getRuntime().availableProcessors() + " cores");
                }
            }
        }
    }

    private void latency(String node) throws Exception {
        int rate = 1000;
        int count = quick ? 3_000 : 30_000;
        for (String client : allClients(node)) {
            System.out.println("latency: " + client + ", " + count + " pushes at " + rate + "/s");
            Result r = clientRun(client, node, "latency", count, rate);
            JsonNode j = r.json();
            if (j == null) {
                skip("latency", client, r.why());
                continue;
            }
            double[] l = latencyFigures("latency", client, j, count + " pushes at " + rate + "/s");
            figure("cpu", client, "cpuMicrosPerRoundTripAtRate", j.get("cpuNanos").asDouble() / l.length / 1000, "us",
                    "whole client process CPU time / replies at " + rate + "/s (includes idle costs)");
            if (client.equals("javaphoenixclient")) {
                // Its pushes from a thread other than OkHttp's reader lose replies (see Echoer.JavaPhoenix).
                skip("latencyWaiting", client, "loses replies to pushes made from a waiting thread");
            } else if (!client.equals("phoenix.js")) { // Node has no blocking call: its latency above is its only path
                waitingLatency(client, node, count, rate);
            }
        }
    }

    /** The same rate with one thread that waits for each reply ({@code get}) instead of a dependent stage. */
    private void waitingLatency(String client, String node, int count, int rate) throws Exception {
        System.out.println("latency (waiting caller): " + client + ", " + count + " pushes at " + rate + "/s");
        Result r = clientRun(client, node, "latency-wait", count, rate);
        JsonNode j = r.json();
        if (j == null) {
            skip("latencyWaiting", client, r.why());
            return;
        }
        latencyFigures("latencyWaiting", client, j, count + " pushes at " + rate + "/s, each awaited by the sending thread");
    }

    /** p50, p99, p99.9 and max of a probe's {@code latenciesMicros} as figures of {@code benchmark}; the sorted values. */
    private double[] latencyFigures(String benchmark, String client, JsonNode probe, String note) {
        double[] l = sorted(probe.get("latenciesMicros"));
        figure(benchmark, client, "p50Micros", pct(l, 0.50), "us", note);
        figure(benchmark, client, "p99Micros", pct(l, 0.99), "us", note);
        figure(benchmark, client, "p999Micros", pct(l, 0.999), "us", note);
        figure(benchmark, client, "maxMicros", l[l.length - 1], "us", note);
        return l;
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** The JDK WebSocket's three per-connection buffers, each 16 KiB by default, set to 1 KiB. */
    static final List<String> SMALL_BUFFERS = List.of("-Djdk.httpclient.bufsize=1024",
            "-Djdk.httpclient.websocket.writeBufferSize=1024", "-Djdk.httpclient.websocket.intermediateBufferSize=1024");

    /** Small buffers, and one HttpClient with a 2-thread executor instead of the JDK's cached pool. */
    static final List<String> TUNED = Stream.concat(SMALL_BUFFERS.stream(), Stream.of("-Dbench.httpThreads=2")).toList();

    private void connections() throws Exception {
        int ours = quick ? 1_000 : 10_000;
        long budget = quick ? 30 : 240;
        // JavaPhoenixClient holds several threads per connection (its own executor and OkHttp's reader), so it is
        // capped: 10,000 of them would need tens of thousands of threads on a shared machine.
        int peerN = quick ? 300 : 2_000;
        record Variant(String name, String client, List<String> flags, int n) {}
        List<Variant> variants = List.of(
                new Variant("slipstream", "slipstream", List.of(), ours),
                new Variant("slipstream-small-buffers", "slipstream", SMALL_BUFFERS, ours),
                new Variant("slipstream-tuned", "slipstream", TUNED, ours),
                new Variant("slipstream-nio", "slipstream-nio", List.of(), ours),
                new Variant("javaphoenixclient", "javaphoenixclient", List.of(), peerN));
        for (Variant v : variants) {
            int n = v.n;
            System.out.println("connections: " + v.name + ", " + n + " clients" + (v.flags.isEmpty() ? "" : " " + v.flags));
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g"));
            cmd.addAll(v.flags);
            cmd.addAll(List.of("-cp", classpath, ConnectionsProbe.class.getName(), v.client, phoenixEndpoint,
                    String.valueOf(n), String.valueOf(budget)));
            Result r = exec(cmd, null, budget + 240);
            JsonNode j = r.json();
            if (j == null) {
                skip("connections", v.name, r.why());
                continue;
            }
            String note = j.get("joined").asInt() + " of " + n + " joined"
                    + (j.has("error") ? " (" + j.get("error").asText() + ")" : "")
                    + (v.flags.isEmpty() ? "" : ", " + String.join(" ", v.flags));
            figure("connections", v.name, "joined", j.get("joined").asDouble(), "connections", note);
            figure("connections", v.name, "heapPerConnectionBytes", j.get("heapPerConnectionBytes").asDouble(), "B", note);
            figure("connections", v.name, "threads", j.get("threads").asDouble(), "threads",
                    note + "; JVM threads in total (" + j.get("threadsBefore").asInt() + " before the first connection): "
                    + j.path("threadNames"));
            figure("connections", v.name, "connectAllSeconds", j.get("connectAllSeconds").asDouble(), "s", note);
            if (j.has("fanoutMillis") && j.get("fanoutMillis").size() > 0) {
                double[] f = new double[j.get("fanoutMillis").size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = j.get("fanoutMillis").get(i).asDouble();
                }
                Arrays.sort(f);
                figure("fanout", v.name, "broadcastToAllMillis", f[f.length / 2], "ms",
                        "one broadcast to " + j.get("joined").asInt() + " subscribers, median of " + f.length);
            } else if (j.has("fanoutError")) {
                skip("fanout", v.name, j.get("fanoutError").asText());
            }
        }
    }

    private void large() throws Exception {
        long total = quick ? 256L << 20 : 1L << 30;
        // Each format on each transport: the default JDK websocket and NioWebSocketTransport.
        for (String name : List.of("slipstream-json", "slipstream-binary", "slipstream-nio-json", "slipstream-nio-binary")) {
            String transport = name.startsWith("slipstream-nio-") ? "nio" : "jdk";
            String format = name.substring(name.lastIndexOf('-') + 1);
            System.out.println("large: " + name + ", " + (total >> 20) + " MiB in 16 MiB messages, -Xmx128m");
            Result r = exec(List.of(java, "-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-cp", classpath,
                    LargeMessageProbe.class.getName(), phoenixEndpoint, format, String.valueOf(total), transport), null,
                    quick ? 150 : 600);
            JsonNode j = r.json();
            if (j == null) {
                // -XX:+ExitOnOutOfMemoryError ends the JVM with exit code 3 and says so on standard output.
                boolean oom = r.exit == 3 || (r.stdout + r.stderr).contains("OutOfMemoryError");
                figure("large", name, "oom", oom ? 1 : 0, "bool", r.why() + " " + r.stdout.strip());
                skip("large", name, r.why());
                continue;
            }
            String note = j.get("roundTrips").asInt() + " echoes of 16 MiB, -Xmx128m";
            figure("large", name, "oom", j.get("oom").asBoolean() ? 1 : 0, "bool", note);
            if (!j.get("oom").asBoolean()) {
                figure("large", name, "mbPerSecond", j.get("mbPerSecond").asDouble(), "MB/s",
                        note + "; bytes sent + received");
                figure("large", name, "peakHeapBytes", j.get("peakHeapBytes").asDouble(), "B",
                        note + "; heap in use just before a collection, at most");
                figure("large", name, "peakLiveHeapBytes", j.get("peakLiveHeapBytes").asDouble(), "B",
                        note + "; heap in use just after a collection, at most (live data)");
                figure("large", name, "heapBaselineBytes", j.get("heapBaselineBytes").asDouble(), "B",
                        note + "; after connecting, with the application's 16 MiB message made");
                figure("large", name, "peakLiveHeapPerMessage",
                        j.get("peakLiveHeapBytes").asDouble() / LargeMessageProbe.MESSAGE, "x", note);
            }
            // The heap goal, as a pass or fail: the application's own 16 MiB plus 3 times the message is 64 MiB.
            // (Heap figures of a JVM are upper bounds: G1 frees dead 16 MiB arrays lazily.)
            Result small = exec(List.of(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", classpath,
                    LargeMessageProbe.class.getName(), phoenixEndpoint, format, String.valueOf(4L * LargeMessageProbe.MESSAGE), transport),
                    null, quick ? 100 : 300);
            JsonNode sj = small.json();
            boolean smallOom = sj == null ? small.exit == 3 || (small.stdout + small.stderr).contains("OutOfMemoryError")
                    : sj.get("oom").asBoolean();
            figure("large", name, "oomAtXmx64m", smallOom ? 1 : 0, "bool",
                    "2 echoes of 16 MiB at -Xmx64m (16 MiB of application data + 3 x 16 MiB)"
                            + (sj == null ? "; " + small.why() + " " + small.stdout.strip() : ""));
        }
    }

    /**
     * Encode a push and decode its reply, for Slipstream, JavaPhoenixClient and phoenix.js, each in its own process and
     * timed the same way (a warm-up period, then a measured one), on the payloads of {@link CodecBenchmark}.
     */
    private void codec(String node) throws Exception {
        Path dir = Files.createTempDirectory("slipstream-codec");
        Path typical = Files.writeString(dir.resolve("typical.json"), CodecBenchmark.jsonPayload("typical"));
        Path large = Files.writeString(dir.resolve("1mib.json"), CodecBenchmark.jsonPayload("1MiB"));
        String warm = quick ? "200" : "1000";
        String measure = quick ? "300" : "2000";
        try {
            for (String client : List.of("slipstream", "javaphoenixclient", "phoenix.js")) {
                System.out.println("codec: " + client);
                Result r;
                if (client.equals("phoenix.js")) {
                    String why = prepareJs(node);
                    if (why != null) {
                        skip("codec", client, why);
                        continue;
                    }
                    r = exec(List.of("node", "codec.js", typical.toString(), large.toString(), warm, measure),
                            jsDir.toFile(), 180);
                } else {
                    r = exec(jvm(CodecProbe.class.getName(), client, typical.toString(), large.toString(), warm,
                            measure), null, 180);
                }
                JsonNode j = r.json();
                if (j == null) {
                    skip("codec", client, r.why());
                    continue;
                }
                j.get("nanosPerOp").fields().forEachRemaining(e -> {
                    String[] opAndSize = e.getKey().split("/");
                    figure("codec", client, opAndSize[0] + (opAndSize[1].equals("typical") ? "Typical" : "1MiB")
                            + "Micros", e.getValue().asDouble() / 1000, "us",
                            "V2 JSON, " + opAndSize[1] + " payload; " + measure + " ms measured after " + warm
                                    + " ms of warm-up");
                });
            }
        } finally {
            Files.deleteIfExists(typical);
            Files.deleteIfExists(large);
            Files.deleteIfExists(dir);
        }
    }

    /** Start and stop of an in-process fake server with the demo channels on an ephemeral port. */
    private void serverStartStop() {
        int rounds = quick ? 20 : 100;
        double[] start = new double[rounds];
        double[] stop = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            FakePhoenixServer s = DemoChannels.install(FakePhoenixServer.builder()).port(0).build().start();
            long t1 = System.nanoTime();
            s.close();
            long t2 = System.nanoTime();
            start[i] = (t1 - t0) / 1e6;
            stop[i] = (t2 - t1) / 1e6;
        }
        figure("server", "fake-server", "firstStartMillis", start[0], "ms", "the first start in this JVM (class loading)");
        Arrays.sort(start, 1, rounds);
        Arrays.sort(stop, 1, rounds);
        figure("server", "fake-server", "startMillis", start[1 + (rounds - 1) / 2], "ms", "median of " + (rounds - 1) + " warm starts");
        figure("server", "fake-server", "stopMillis", stop[1 + (rounds - 1) / 2], "ms", "median of " + (rounds - 1) + " warm stops");
    }

    /**
     * The speed of tests written with {@code @SlipstreamTest}: the everyday test ({@link EverydayTest}) run many times
     * through the JUnit Platform Launcher in a child JVM, and the scripted server's start and stop there.
     */
    private void testing() throws Exception {
        int warmup = quick ? 1_000 : 3_000;
        int runs = quick ? 400 : 2_000;
        System.out.println("testing: @SlipstreamTest through the JUnit launcher, " + runs + " runs after " + warmup
                + " warm-up runs, per-test and per-class server");
        Result r = exec(jvm(TestingProbe.class.getName(), String.valueOf(warmup), String.valueOf(runs)), null,
                quick ? 120 : 600);
        JsonNode j = r.json();
        if (j == null) {
            skip("testing", "slipstream-junit5", r.why());
            return;
        }
        String warm = runs + " runs after " + warmup + " warm-up runs";
        for (String[] variant : List.of(new String[] {"per-test-server", "perTest", "start, exchange, close"},
                new String[] {"per-class-server", "perClass", "exchange, reset"})) {
            double[] t = sorted(j.get(variant[1] + "Millis"));
            String note = "@SlipstreamTest connect, join, assertPush, reply (" + variant[2] + "), start to finish event; " + warm;
            figure("testing", variant[0], "medianMillis", pct(t, 0.50), "ms", note);
            figure("testing", variant[0], "p90Millis", pct(t, 0.90), "ms", note);
            figure("testing", variant[0], "bestMillis", t[0], "ms", note);
            figure("testing", variant[0], "cpuMillis", j.get(variant[1] + "CpuMillis").asDouble(), "ms",
                    "whole process CPU time per launch of one test (all threads: JIT and GC too); " + warm);
        }
        figure("testing", "scripted-server", "coldStartMillis", j.get("coldStartMillis").asDouble(), "ms",
                "ScriptedServer.start(), the first in a fresh JVM (class loading)");
        figure("testing", "scripted-server", "startMillis", pct(sorted(j.get("startMillis")), 0.50), "ms",
                "ScriptedServer.start() with threads of its own, median of " + warm);
        figure("testing", "scripted-server", "stopMillis", pct(sorted(j.get("stopMillis")), 0.50), "ms",
                "ScriptedServer.close() with threads of its own, median of " + warm);
        figure("testing", "scripted-server-shared", "startMillis", pct(sorted(j.get("sharedStartMillis")), 0.50), "ms",
                "ScriptedServer.start() on shared threads (as @SlipstreamTest), median of " + warm);
        figure("testing", "scripted-server-shared", "stopMillis", pct(sorted(j.get("sharedStopMillis")), 0.50), "ms",
                "ScriptedServer.close() on shared threads (as @SlipstreamTest), median of " + warm);
    }

    private static double[] sorted(JsonNode values) {
        double[] d = new double[values.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = values.get(i).asDouble();
        }
        Arrays.sort(d);
        return d;
    }

    // ---------------------------------------------------------------- output

    private void figure(String benchmark, String client, String metric, double value, String unit, String note) {
        figures.addObject().put("benchmark", benchmark).put("client", client).put("metric", metric)
                .put("value", value).put("unit", unit).put("note", note);
        System.out.printf(Locale.ROOT, "  %-12s %-26s %-30s %14.2f %s%n", benchmark, client, metric, value, unit);
    }

    private void skip(String benchmark, String client, String reason) {
        skipped.addObject().put("benchmark", benchmark).put("client", client).put("reason", reason);
        System.out.println("  skipped " + benchmark + " " + client + ": " + reason);
    }

    private void printTable() {
        Map<String, List<JsonNode>> byBenchmark = new LinkedHashMap<>();
        figures.forEach(f -> byBenchmark.computeIfAbsent(f.get("benchmark").asText(), k -> new ArrayList<>()).add(f));
        System.out.println();
        System.out.println("| benchmark | client | metric | value | unit |");
        System.out.println("|---|---|---|---:|---|");
        byBenchmark.forEach((b, list) -> list.forEach(f -> System.out.printf(Locale.ROOT, "| %s | %s | %s | %,.2f | %s |%n",
                b, f.get("client").asText(), f.get("metric").asText(), f.get("value").asDouble(), f.get("unit").asText())));
        skipped.forEach(s -> System.out.println("skipped: " + s.get("benchmark").asText() + " " + s.get("client").asText()
                + ": " + s.get("reason").asText()));
    }
}
