package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.protocol.Payload;
import dev.slipstream.transport.nio.NioWebSocketTransport;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import kotlin.Unit;
import okhttp3.OkHttpClient;
import org.phoenixframework.Channel;
import org.phoenixframework.Defaults;
import org.phoenixframework.Socket;

/**
 * A child JVM of the load harness: opens {@code n} connections of one client in this JVM, each joined to
 * {@code echo:fanout} and heartbeating (every 5 s, so every connection has sent heartbeats before it is measured),
 * then measures the heap per connection after GC, the threads of the JVM, the time to connect and join all, and
 * (Slipstream only) the broadcast fan-out: one push of the {@code broadcast} event, time until every connection got
 * it. Prints one JSON line. JDK WebSocket buffer sizes are set by the harness on this JVM's command line.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.ConnectionsProbe slipstream ws://127.0.0.1:4000/socket 1000 60
 * }</pre>
 */
public final class ConnectionsProbe {
    private static final String TOPIC = "echo:fanout";
    private static final int IN_FLIGHT = 100;

    private ConnectionsProbe() {}

    /** {@code <slipstream|slipstream-nio|javaphoenixclient> <endpoint> <n> <time budget in seconds>}. */
    public static void main(String[] args) throws Exception {
        String client = args[0];
        URI endpoint = URI.create(args[1]);
        int n = Integer.parseInt(args[2]);
        long budgetNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long heapBefore = settledHeap();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("client", client).put("requested", n);
        long t0 = System.nanoTime();
        AtomicInteger fanoutSeen = new AtomicInteger();
        AtomicReference<CountDownLatch> fanout = new AtomicReference<>(new CountDownLatch(0));
        List<AutoCloseable> open = new ArrayList<>();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<SlipstreamClient> ours = new ArrayList<>();
        // -Dbench.httpThreads=N: every Slipstream client on one HttpClient whose executor has N threads, instead of
        // the JDK's default executor (a cached pool, which grows a thread per burst of concurrent work).
        int httpThreads = Integer.getInteger("bench.httpThreads", 0);
        Transport transport = client.equals("slipstream-nio") ? NioWebSocketTransport.shared()
                : httpThreads == 0 ? JdkWebSocketTransport.shared()
                : JdkWebSocketTransport.using(HttpClient.newBuilder()
                        .executor(Executors.newFixedThreadPool(httpThreads, r -> {
                            Thread t = new Thread(r, "bench-http");
                            t.setDaemon(true);
                            return t;
                        }))
                        .build());
        // One OkHttpClient shared by every JavaPhoenixClient socket (its best case for threads and memory). OkHttp
        // counts an open websocket as a running call, and its dispatcher runs at most 64 (5 per host) by default.
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(Integer.MAX_VALUE);
        dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
        OkHttpClient okHttp = new OkHttpClient.Builder().dispatcher(dispatcher).build();
        int connected = 0;
        for (int i = 0; i < n; i++) {
            if (System.nanoTime() - t0 > budgetNanos || failed.get() > 0) {
                break;
            }
            if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
                firstError.compareAndSet(null, "no join completed within 60 s");
                break;
            }
            CompletableFuture<?> joined;
            if (client.startsWith("slipstream")) {
                SlipstreamClient c = SlipstreamClient.builder(endpoint)
                        .transport(transport)
                        .heartbeatInterval(Duration.ofSeconds(5))
                        .connectTimeout(Duration.ofSeconds(60))
                        .pushTimeout(Duration.ofSeconds(60))
                        .module(new ClientModule() {
                            @Override
                            public void message(SlipstreamClient self, String topic, String event, Payload p) {
                                if (event.equals("broadcast")) {
                                    fanoutSeen.incrementAndGet();
                                    fanout.get().countDown();
                                }
                            }
                        })
                        .build();
                ours.add(c);
                open.add(c);
                joined = c.connect().thenCompose(x -> c.join(TOPIC));
            } else {
                Socket s = new Socket(endpoint + "/websocket", Map.of(), Defaults.VSN, Defaults.INSTANCE.getEncode(),
                        Defaults.INSTANCE.getDecode(), okHttp);
                s.setHeartbeatIntervalMs(5000);
                s.connect();
                Channel ch = s.channel(TOPIC, Map.of());
                CompletableFuture<Void> f = new CompletableFuture<>();
                ch.join(60_000).receive("ok", m -> {
                    f.complete(null);
                    return Unit.INSTANCE;
                }).receive("error", m -> {
                    f.completeExceptionally(new IllegalStateException("join refused"));
                    return Unit.INSTANCE;
                }).receive("timeout", m -> {
                    f.completeExceptionally(new IllegalStateException("join timeout"));
                    return Unit.INSTANCE;
                });
                open.add(() -> s.disconnect(1000, "done", () -> Unit.INSTANCE));
                joined = f;
            }
            joined.whenComplete((x, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, String.valueOf(e));
                }
                inFlight.release();
            });
            connected++;
        }
        // Wait for the joins still in flight.
        if (!inFlight.tryAcquire(IN_FLIGHT, 120, TimeUnit.SECONDS)) {
            firstError.compareAndSet(null, "joins still pending after 120 s");
        }
        long connectNanos = System.nanoTime() - t0;
        int joined = connected - failed.get();
        out.put("joined", joined).put("failed", failed.get()).put("connectAllSeconds", connectNanos / 1e9);
        if (firstError.get() != null) {
            out.put("error", firstError.get());
        }
        // Let every connection send and get acked at least one heartbeat.
        Thread.sleep(6000); // a benchmark's hold period, not a test wait
        long heapAfter = settledHeap();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        out.put("heapBeforeBytes", heapBefore).put("heapAfterBytes", heapAfter)
                .put("heapPerConnectionBytes", joined == 0 ? 0 : (heapAfter - heapBefore) / joined)
                .put("threadsBefore", threadsBefore).put("threads", threads);
        // Which threads: names with their numbers cut off, counted (to tell the client's from the JDK's).
        java.util.TreeMap<String, Integer> kinds = new java.util.TreeMap<>();
        Thread.getAllStackTraces().keySet().forEach(t -> kinds.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum));
        ObjectNode byName = out.putObject("threadNames");
        kinds.forEach(byName::put);
        if (!ours.isEmpty() && joined == n) {
            ArrayNode times = out.putArray("fanoutMillis");
            for (int round = 0; round < 3; round++) {
                CountDownLatch all = new CountDownLatch(joined);
                fanout.set(all);
                fanoutSeen.set(0);
                long f0 = System.nanoTime();
                ours.get(0).push(TOPIC, "broadcast", Payload.json("{\"round\":" + round + "}"));
                if (!all.await(60, TimeUnit.SECONDS)) {
                    out.put("fanoutError", "only " + fanoutSeen.get() + " of " + joined + " got the broadcast in 60 s");
                    break;
                }
                times.add((System.nanoTime() - f0) / 1e6);
            }
        }
        System.out.println(out);
        System.out.flush();
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Closing at the end of a probe: the process exits next.
            }
        }
        System.exit(0);
    }

    /** Heap in use after full collections, once it stops shrinking. */
    static long settledHeap() throws InterruptedException {
        long[] samples = new long[3];
        for (int i = 0; i < samples.length; i++) {
            System.gc();
            Thread.sleep(200); // a benchmark's settle period for reference processing, not a test wait
            Runtime rt = Runtime.getRuntime();
            samples[i] = rt.totalMemory() - rt.freeMemory();
        }
        return Arrays.stream(samples).min().getAsLong();
    }
}
