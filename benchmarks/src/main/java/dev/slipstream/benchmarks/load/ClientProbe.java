package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM of the load harness that drives one JVM client over one connection and prints one JSON line on
 * standard output, in the same shape as {@code js/peer.js}:
 * {@code {"client":..,"mode":..,"replies":n,"seconds":s,"cpuNanos":n,"latenciesMicros":[..]}}. The CPU time is
 * the whole process's (every thread: client, JIT, GC), measured after a warm-up. Lines {@value #MEASURING} and
 * {@value #MEASURED} come before it, at the start and the end of the measured phase.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.ClientProbe slipstream ws://127.0.0.1:4000/socket throughput 100000 64
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.ClientProbe raw ws://127.0.0.1:4001/raw latency 5000 1000
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.ClientProbe raw-phoenix ws://127.0.0.1:4100/socket latency 5000 1000
 * }</pre>
 */
public final class ClientProbe {
    /** Printed on a line of its own right before the measured phase starts, as {@code js/peer.js} does. */
    static final String MEASURING = "MEASURING";
    /** Printed on a line of its own right after the measured phase ends. */
    static final String MEASURED = "MEASURED";

    private ClientProbe() {}

    /**
     * {@code <client> <endpoint> <throughput|latency|latency-wait> <count> <window|rate per second> [TIMELINE]}. With
     * a sixth argument a latency run also writes, per measured push, its {@link System#nanoTime()} at sending and its
     * latency in nanoseconds, one line each, to that file: on Linux that clock is {@code CLOCK_MONOTONIC}, the clock
     * {@code perf record -k CLOCK_MONOTONIC} stamps events with, so a scheduler trace can be laid over the pushes
     * ({@code benchmarks/sched/}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5 && !(args.length == 6 && args[2].equals("latency"))) {
            System.err.println("usage: ClientProbe <slipstream|slipstream-nio|javaphoenixclient|raw|raw-phoenix> <endpoint> <throughput|latency|latency-wait> <count> <window|rate> [TIMELINE, latency only]");
            System.exit(2);
        }
        String client = args[0];
        String mode = args[2];
        int count = Integer.parseInt(args[3]);
        int param = Integer.parseInt(args[4]);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        try (Echoer echoer = Echoer.open(client, URI.create(args[1]))) {
            // Warm-up: the JIT compiles the hot paths before anything is measured. Paced sending takes other paths
            // than pipelined sending (threads park and wake between pushes, in the client and in the server), and
            // without a paced warm-up the first seconds of a latency run held nearly all of its tail (stalls of 2 to
            // 9 ms while the JITs of both JVMs still compiled), for every client, the raw ceiling included.
            pipelined(echoer, Math.max(2000, count / 2), 64);
            if (mode.equals("latency")) {
                fixedRate(echoer, Math.min(5000, Math.max(2000, count / 2)), param);
            } else if (mode.equals("latency-wait")) {
                waiting(echoer, Math.min(5000, Math.max(2000, count / 2)), param);
            }
            System.out.println(MEASURING); // the harness samples the server's CPU time at these two lines
            System.out.flush();
            long cpu0 = Cpu.processNanos();
            long t0 = System.nanoTime();
            ArrayNode latencies = out.arrayNode();
            if (mode.equals("throughput")) {
                pipelined(echoer, count, param);
            } else if (mode.equals("latency") || mode.equals("latency-wait")) {
                long[] sentAt = new long[count];
                long[] measured = mode.equals("latency") ? fixedRate(echoer, count, param, sentAt) : waiting(echoer, count, param);
                for (long l : measured) {
                    latencies.add(l / 1000.0);
                }
                if (args.length == 6) {
                    writeTimeline(Path.of(args[5]), sentAt, measured);
                }
            } else {
                throw new IllegalArgumentException("unknown mode " + mode);
            }
            long seconds = System.nanoTime() - t0;
            long cpu = Cpu.processNanos() - cpu0;
            System.out.println(MEASURED);
            System.out.flush();
            out.put("client", client).put("mode", mode).put("replies", count).put("seconds", seconds / 1e9)
                    .put("cpuNanos", cpu).set("latenciesMicros", latencies);
        }
        System.out.println(out);
        System.out.flush();
        System.exit(0);
    }

    /**
     * Keeps {@code window} pushes outstanding until {@code count} replies are in: each reply sends the next push (from
     * the thread the reply came on, as phoenix.js does on its one thread).
     */
    static void pipelined(Echoer echoer, int count, int window) throws InterruptedException {
        CountDownLatch all = new CountDownLatch(count);
        AtomicInteger sent = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (sent.incrementAndGet() <= count) {
                echoer.send(() -> {
                    all.countDown();
                    next[0].run();
                });
            }
        };
        echoer.onClientThread(() -> {
            for (int i = 0; i < Math.min(window, count); i++) {
                next[0].run();
            }
        });
        if (!all.await(120, TimeUnit.SECONDS)) {
            Echoer.fail("replies missing after 120 s: " + (count - all.getCount()) + " of " + count, null);
        }
    }

    /**
     * One thread sends a push at {@code rate} per second on a fixed schedule and waits for its reply before the next
     * (a caller that only waits: {@code get}, {@code join}, a sync API); returns push-to-wake-up nanos. A reply later
     * than the next due time delays that push, so the schedule never queues pushes behind a slow one.
     */
    static long[] waiting(Echoer echoer, int count, int rate) throws InterruptedException {
        long[] latencies = new long[count];
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            parkUntil(start + i * interval);
            long sent = System.nanoTime();
            echoer.sendAndWait();
            latencies[i] = System.nanoTime() - sent;
        }
        return latencies;
    }

    /** Parks until {@code due} on the {@link System#nanoTime()} clock (at once when it has passed). */
    static void parkUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Sends {@code count} pushes at {@code rate} per second on a fixed schedule; returns push-to-reply nanos. */
    static long[] fixedRate(Echoer echoer, int count, int rate) throws InterruptedException {
        return fixedRate(echoer, count, rate, new long[count]);
    }

    /** As {@link #fixedRate(Echoer, int, int)}, noting in {@code sentAt} when each push was sent (nanoTime). */
    static long[] fixedRate(Echoer echoer, int count, int rate, long[] sentAt) throws InterruptedException {
        long[] latencies = new long[count];
        CountDownLatch all = new CountDownLatch(count);
        AtomicInteger done = new AtomicInteger();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            parkUntil(start + i * interval);
            int index = i;
            long sent = System.nanoTime();
            sentAt[i] = sent;
            echoer.send(() -> {
                latencies[index] = System.nanoTime() - sent;
                done.incrementAndGet();
                all.countDown();
            });
        }
        if (!all.await(60, TimeUnit.SECONDS)) {
            Echoer.fail("replies missing after 60 s: " + done.get() + " of " + count, null);
        }
        return latencies;
    }

    /** One line per push: its send time and its latency, both in nanoseconds. */
    private static void writeTimeline(Path file, long[] sentAt, long[] latencies) throws IOException {
        StringBuilder lines = new StringBuilder(sentAt.length * 24);
        for (int i = 0; i < sentAt.length; i++) {
            lines.append(sentAt[i]).append(' ').append(latencies[i]).append('\n');
        }
        Files.writeString(file, lines);
    }
}
