package dev.slipstream.testing.client;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.protocol.Frame;
import dev.slipstream.client.protocol.Payload;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.NioWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures, never asserts: heap per idle connection and client CPU per round trip, for the JDK transport and
 * {@link NioWebSocketTransport}, against the demo fake server in a JVM of its own. Each probe runs in a fresh JVM
 * ({@code -Xmx1g}) and prints one line. Skipped unless asked for:
 *
 * <pre>{@code
 * mvn -B -o -pl slipstream-testing -am verify -Dtest=TransportFootprint -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dslipstream.measure=true
 * # results in slipstream-testing/target/surefire-reports/dev.slipstream.testing.client.TransportFootprint-output.txt
 * }</pre>
 */
@EnabledIfSystemProperty(named = "slipstream.measure", matches = "true")
class TransportFootprint {
    private static final int CONNECTIONS = Integer.getInteger("slipstream.measure.connections", 1000);
    private static final int ROUND_TRIPS = Integer.getInteger("slipstream.measure.roundTrips", 200_000);

    @Test
    @Timeout(1800)
    void measure() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // for running a probe by hand (with a profiler, other flags): java -cp "$(cat target/measure-classpath.txt)" ...
        Files.writeString(Path.of("target", "measure-classpath.txt"), cp);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder(java, "-Xmx2g", "-cp", cp, "dev.slipstream.testing.demo.DemoServer",
                "--port", String.valueOf(port)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitPort(port);
            String uri = "ws://127.0.0.1:" + port + "/socket";
            for (String mode : List.of("heap", "client-cpu", "transport-cpu")) {
                for (String transport : List.of("jdk", "nio")) {
                    Process probe = new ProcessBuilder(java, "-Xmx1g", "-cp", cp, Probe.class.getName(), mode,
                            transport, uri, String.valueOf(mode.equals("heap") ? CONNECTIONS : ROUND_TRIPS))
                            .redirectErrorStream(true).start();
                    String out = new String(probe.getInputStream().readAllBytes());
                    probe.waitFor(10, TimeUnit.MINUTES);
                    System.out.println(out.strip());
                }
            }
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the demo server did not start");
    }

    /** One measurement in this JVM: {@code <heap|client-cpu|transport-cpu> <jdk|nio> <endpoint> <count>}. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            String mode = args[0];
            Transport transport = args[1].equals("nio") ? NioWebSocketTransport.shared() : JdkWebSocketTransport.shared();
            URI endpoint = URI.create(args[2]);
            int count = Integer.parseInt(args[3]);
            switch (mode) {
                case "heap":
                    heap(args[1], transport, endpoint, count);
                    break;
                case "client-cpu":
                    clientCpu(args[1], transport, endpoint, count);
                    break;
                default:
                    transportCpu(args[1], transport, endpoint, count);
            }
            System.exit(0);
        }

        private static void heap(String name, Transport transport, URI endpoint, int n) throws Exception {
            // one client first, so classes, pools and the shared threads are not counted per connection
            SlipstreamClient warm = SlipstreamClient.builder(endpoint).transport(transport).build();
            warm.connect().get(30, TimeUnit.SECONDS);
            warm.join("echo:warm").get(30, TimeUnit.SECONDS);
            long before = settledHeap();
            List<SlipstreamClient> clients = new ArrayList<>();
            Semaphore inFlight = new Semaphore(100);
            List<CompletableFuture<?>> joined = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                SlipstreamClient c = SlipstreamClient.builder(endpoint).transport(transport).build();
                clients.add(c);
                inFlight.acquire();
                joined.add(c.connect().thenCompose(v -> c.join("echo:idle"))
                        .whenComplete((v, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(joined.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
            long connectMillis = (System.nanoTime() - t0) / 1_000_000;
            long after = settledHeap();
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            System.out.printf("heap %s: %d connections joined in %d ms, %,d bytes of heap per connection, %d threads%n",
                    name, n, connectMillis, (after - before) / n, threads);
            for (SlipstreamClient c : clients) {
                c.close();
            }
        }

        private static long settledHeap() throws InterruptedException {
            long used = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(200);
                used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            return used;
        }

        private static long cpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        /** Pushes to the echo channel, 64 in flight, through the whole client. */
        private static void clientCpu(String name, Transport transport, URI endpoint, int n) throws Exception {
            try (SlipstreamClient c = SlipstreamClient.builder(endpoint).transport(transport).build()) {
                c.connect().get(30, TimeUnit.SECONDS);
                c.join("echo:cpu").get(30, TimeUnit.SECONDS);
                Payload payload = Payload.json("{\"body\":\"hello\"}");
                run(n / 4, () -> c.push("echo:cpu", "echo", payload));
                long cpu0 = cpuNanos();
                long t0 = System.nanoTime();
                run(n, () -> c.push("echo:cpu", "echo", payload));
                long cpu = cpuNanos() - cpu0;
                long wall = System.nanoTime() - t0;
                System.out.printf("client-cpu %s: %d push round trips, %.1f µs CPU each, %.0f round trips/s%n",
                        name, n, cpu / 1000.0 / n, n * 1e9 / wall);
            }
        }

        private static void run(int n, java.util.function.Supplier<CompletableFuture<?>> push) throws Exception {
            Semaphore window = new Semaphore(64);
            CompletableFuture<Void> all = new CompletableFuture<>();
            AtomicLong left = new AtomicLong(n);
            for (int i = 0; i < n; i++) {
                window.acquire();
                push.get().whenComplete((r, e) -> {
                    window.release();
                    if (e != null) {
                        all.completeExceptionally(e);
                    } else if (left.decrementAndGet() == 0) {
                        all.complete(null);
                    }
                });
            }
            all.get(10, TimeUnit.MINUTES);
        }

        /** Phoenix heartbeats straight on the transport (no client): the transport's own cost per round trip. */
        private static void transportCpu(String name, Transport transport, URI endpoint, int n) throws Exception {
            Semaphore window = new Semaphore(64);
            AtomicLong left = new AtomicLong(n / 4 + (long) n);
            CompletableFuture<Void> allReplied = new CompletableFuture<>();
            TransportListener listener = new TransportListener() {
                @Override
                public void onFrame(Frame frame) {
                    window.release();
                    if (left.decrementAndGet() == 0) {
                        allReplied.complete(null);
                    }
                }

                @Override
                public void onClosed(int code, String reason) {
                }

                @Override
                public void onError(Throwable error) {
                    error.printStackTrace();
                }
            };
            URI uri = URI.create(endpoint + "/websocket?vsn=2.0.0");
            TransportConnection c = transport.open(new TransportRequest(uri, Map.of(), Duration.ofSeconds(30), 1 << 20),
                    listener).get(30, TimeUnit.SECONDS);
            Frame heartbeat = Frame.text("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
            for (int i = 0; i < n / 4; i++) {
                window.acquire();
                c.send(heartbeat);
            }
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                window.acquire();
                c.send(heartbeat);
            }
            allReplied.get(10, TimeUnit.MINUTES);
            long cpu = cpuNanos() - cpu0;
            long wall = System.nanoTime() - t0;
            System.out.printf("transport-cpu %s: %d heartbeat round trips, %.1f µs CPU each, %.0f round trips/s%n",
                    name, n, cpu / 1000.0 / n, n * 1e9 / wall);
            c.abort();
        }
    }
}
