package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.protocol.Payload;
import dev.slipstream.transport.nio.NioWebSocketTransport;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * A child JVM of the load harness, started with {@code -Xmx128m}: moves {@code total} bytes through one Slipstream
 * connection in 16 MiB messages, echoed by {@code echo:large} (half up, half down), as JSON ({@code echo} of
 * {@code {"data":"..."}}) or binary ({@code binary}). Prints one JSON line with the seconds, the MB/s and the peak heap:
 * the largest heap in use just before any collection (live data and garbage: what the heap had to hold), and the
 * largest heap still in use just after a collection (live data only). Both include the application's own 16 MiB.
 *
 * <pre>{@code
 * java -Xmx128m -cp benchmarks.jar dev.slipstream.benchmarks.load.LargeMessageProbe ws://127.0.0.1:4000/socket json 268435456
 * }</pre>
 */
public final class LargeMessageProbe {
    static final int MESSAGE = 16 * 1024 * 1024;

    private LargeMessageProbe() {}

    /** {@code <endpoint> <json|binary> <total bytes, both directions> [jdk|nio]} (the transport, default jdk). */
    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        String format = args[1];
        long total = Long.parseLong(args[2]);
        Transport transport = args.length > 3 && args[3].equals("nio") ? NioWebSocketTransport.shared()
                : JdkWebSocketTransport.shared();
        AtomicLong peak = new AtomicLong();
        AtomicLong gcs = new AtomicLong();
        AtomicLong live = new AtomicLong();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long used = info.getGcInfo().getMemoryUsageBeforeGc().values().stream()
                            .mapToLong(MemoryUsage::getUsed).sum();
                    peak.accumulateAndGet(used, Math::max);
                    // After a collection only what is still referenced remains: the live peak.
                    live.accumulateAndGet(info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                            .mapToLong(MemoryUsage::getUsed).sum(), Math::max);
                    gcs.incrementAndGet();
                }
            }, null, null);
        }
        // What the application has to send: 16 MiB of data, made once (not counted as the client's cost).
        String jsonText;
        byte[] bytes;
        if (format.equals("json")) {
            char[] data = new char[MESSAGE - 11];
            Arrays.fill(data, 'a');
            jsonText = "{\"data\":\"" + new String(data) + "\"}";
            bytes = null;
        } else {
            jsonText = null;
            bytes = new byte[MESSAGE];
            new java.util.Random(7).nextBytes(bytes);
        }
        int roundTrips = (int) Math.max(1, total / (2L * MESSAGE));
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("format", format).put("transport", args.length > 3 ? args[3] : "jdk").put("messageBytes", MESSAGE)
                .put("roundTrips", roundTrips).put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        try (SlipstreamClient client = SlipstreamClient.builder(endpoint)
                .transport(transport)
                .maxMessageBytes(BenchServer.MAX_FRAME)
                .pushTimeout(Duration.ofSeconds(120))
                .build()) {
            client.connect().thenCompose(c -> client.join("echo:large")).join();
            System.gc();
            long heapBaseline = used();
            peak.set(heapBaseline);
            live.set(heapBaseline);
            long t0 = System.nanoTime();
            long moved = 0;
            for (int i = 0; i < roundTrips; i++) {
                Payload payload = bytes == null ? Payload.json(jsonText) : Payload.binary(bytes);
                Payload.Reply reply = client.push("echo:large", bytes == null ? "echo" : "binary", payload).join();
                if (!reply.isOk()) {
                    throw new IllegalStateException("the server refused a large message: " + reply);
                }
                long back = reply.response() instanceof Payload.Binary b ? b.size()
                        : ((Payload.Json) reply.response()).text().length();
                moved += MESSAGE + back;
                peak.accumulateAndGet(used(), Math::max);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.put("seconds", seconds).put("bytesMoved", moved).put("mbPerSecond", moved / 1e6 / seconds)
                    .put("heapBaselineBytes", heapBaseline).put("peakHeapBytes", peak.get())
                    .put("peakLiveHeapBytes", live.get())
                    .put("collections", gcs.get()).put("oom", false);
        } catch (OutOfMemoryError e) {
            out.put("oom", true).put("error", String.valueOf(e));
        }
        System.out.println(out);
        System.out.flush();
        System.exit(0);
    }

    private static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
