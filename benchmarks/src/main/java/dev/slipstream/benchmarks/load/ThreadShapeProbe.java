package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which thread writes a push and which reads its reply, with no client library in the way: a bare Phoenix V2 client
 * on a plain {@link SocketChannel}, paced like {@link ClientProbe}'s {@code latency} mode, in one of six shapes.
 * <ul>
 *   <li>{@code one}: the pacing thread writes each push and then reads its reply itself (blocking), as a
 *       single-threaded client such as phoenix.js does;</li>
 *   <li>{@code spin}: as {@code one}, but the pacing thread polls its non-blocking socket without ever sleeping
 *       until the reply is in: a client that never waits for a wake-up, at the price of a vCPU while it waits;</li>
 *   <li>{@code two}: the pacing thread writes, a second thread reads (blocking), as every asynchronous JVM client
 *       does (a caller sends, an I/O thread reads);</li>
 *   <li>{@code loop}: the pacing thread hands each push to an I/O thread, which writes it and reads the replies on a
 *       selector, as an event loop that writes for its callers does;</li>
 *   <li>{@code wait}: the pacing thread writes each push and waits for its reply, which an I/O thread reads on a
 *       selector and hands to it, as a caller blocked in {@code get} on an event-loop client is woken;</li>
 *   <li>{@code lead}: as {@code wait}, but the waiting pacing thread takes the selector over from the I/O thread (a
 *       {@link Selector#wakeup() wakeup}, then it selects and reads its reply itself) and hands it back once its
 *       reply is in: a caller that leads the loop while it waits, so that no thread hands it the reply.</li>
 * </ul>
 * It prints {@link ClientProbe}'s JSON line ({@code client} is {@code bare-} and the shape), so its runs sit beside
 * the other probes' (docs/BENCHMARKS.md, sessions 16 to 18). The endpoint must be
 * a Phoenix socket serving {@code echo:*} over plain {@code ws://}.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.ThreadShapeProbe one ws://127.0.0.1:4100/socket 10000 1000
 * }</pre>
 */
public final class ThreadShapeProbe {
    private static final String PUSH = "[\"1\",\"100000\",\"" + Echoer.TOPIC + "\",\"echo\"," + Echoer.PAYLOAD + "]";
    private static final String OK = "\"status\":\"ok\"";
    private static final List<String> SHAPES = List.of("one", "spin", "two", "loop", "wait", "lead");

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();

    private ThreadShapeProbe(URI endpoint) throws IOException {
        channel = SocketChannel.open(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        String host = endpoint.getHost() + ":" + endpoint.getPort();
        String upgrade = "GET " + endpoint.getPath() + "/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: " + host
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        channel.write(ByteBuffer.wrap(upgrade.getBytes(StandardCharsets.US_ASCII)));
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            head.append((char) readByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("the upgrade was refused: " + head);
        }
        write("[\"1\",\"1\",\"" + Echoer.TOPIC + "\",\"phx_join\",{}]");
        checkOk(readFrame());
    }

    /** {@code <shape> <endpoint> <count> <rate per second>}, the shape one of {@link #SHAPES}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !SHAPES.contains(args[0])) {
            System.err.println("usage: ThreadShapeProbe <" + String.join("|", SHAPES)
                    + "> <endpoint> <count> <rate per second>");
            System.exit(2);
        }
        String shape = args[0];
        int count = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        ThreadShapeProbe probe = new ThreadShapeProbe(URI.create(args[1]));
        probe.paced(shape, Math.min(5000, Math.max(2000, count / 2)), rate); // warm-up, as ClientProbe's paced one
        System.out.println(ClientProbe.MEASURING);
        long cpu0 = Cpu.processNanos();
        long t0 = System.nanoTime();
        long[] measured = probe.paced(shape, count, rate);
        long seconds = System.nanoTime() - t0;
        long cpu = Cpu.processNanos() - cpu0;
        System.out.println(ClientProbe.MEASURED);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode latencies = out.arrayNode();
        for (long l : measured) {
            latencies.add(l / 1000.0);
        }
        out.put("client", "bare-" + shape).put("mode", "latency").put("replies", count).put("seconds", seconds / 1e9)
                .put("cpuNanos", cpu).set("latenciesMicros", latencies);
        System.out.println(out);
        System.out.flush();
        System.exit(0);
    }

    /** Sends {@code count} pushes at {@code rate} per second in {@code shape}; returns push-to-reply nanos. */
    private long[] paced(String shape, int count, int rate) throws Exception {
        long[] latencies = new long[count];
        AtomicLongArray sent = new AtomicLongArray(count); // stamped by the pacing thread, read by the I/O thread
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        if (shape.equals("one")) {
            for (int i = 0; i < count; i++) {
                ClientProbe.parkUntil(start + i * interval);
                long t = System.nanoTime();
                write(PUSH);
                checkOk(readFrame());
                latencies[i] = System.nanoTime() - t;
            }
            return latencies;
        }
        if (shape.equals("spin")) {
            channel.configureBlocking(false);
            for (int i = 0; i < count; i++) {
                ClientProbe.parkUntil(start + i * interval);
                long t = System.nanoTime();
                write(PUSH);
                long deadline = t + 60_000_000_000L;
                String reply;
                while ((reply = frameIfWhole()) == null) {
                    if (System.nanoTime() > deadline) {
                        Echoer.fail("no reply after 60 s to push " + i, null);
                    }
                    Thread.onSpinWait();
                }
                checkOk(reply);
                latencies[i] = System.nanoTime() - t;
            }
            channel.configureBlocking(true);
            return latencies;
        }
        if (shape.equals("wait") || shape.equals("lead")) {
            return waiting(shape.equals("lead"), count, interval, start);
        }
        ConcurrentLinkedQueue<Integer> handed = new ConcurrentLinkedQueue<>();
        Selector selector = shape.equals("loop") ? Selector.open() : null;
        Thread io = new Thread(() -> {
            try {
                if (selector == null) {
                    for (int i = 0; i < count; i++) {
                        checkOk(readFrame());
                        long t = System.nanoTime();
                        long at;
                        while ((at = sent.get(i)) == 0) {
                            Thread.onSpinWait(); // the pacing thread stamps right before writing
                        }
                        latencies[i] = t - at;
                    }
                } else {
                    loop(selector, handed, sent, latencies);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "io");
        if (selector != null) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
        }
        io.start();
        for (int i = 0; i < count; i++) {
            ClientProbe.parkUntil(start + i * interval);
            sent.set(i, System.nanoTime());
            if (selector == null) {
                write(PUSH);
            } else {
                handed.add(i);
                selector.wakeup();
            }
        }
        io.join(60_000);
        if (io.isAlive()) {
            Echoer.fail("replies missing after 60 s", null);
        }
        if (selector != null) {
            selector.close(); // deregisters the channel, so the next phase can block on it again
            channel.configureBlocking(true);
        }
        return latencies;
    }

    /** The I/O thread of {@code loop}: writes the pushes handed to it and reads the replies, on one selector. */
    private void loop(Selector selector, ConcurrentLinkedQueue<Integer> handed, AtomicLongArray sent, long[] latencies)
            throws IOException {
        ArrayDeque<Integer> awaiting = new ArrayDeque<>();
        int replies = 0;
        while (replies < latencies.length) {
            selector.select();
            selector.selectedKeys().clear();
            Integer push;
            while ((push = handed.poll()) != null) {
                write(PUSH);
                awaiting.add(push);
            }
            String reply;
            while ((reply = frameIfWhole()) != null) {
                long t = System.nanoTime();
                checkOk(reply);
                int i = awaiting.remove();
                latencies[i] = t - sent.get(i);
                replies++;
            }
        }
    }

    /**
     * The shapes {@code wait} and {@code lead}: the pacing thread writes each push and waits for its reply before the
     * next; an I/O thread leads a selector (reading whatever arrives) unless a waiting caller has taken it over.
     */
    private long[] waiting(boolean lead, int count, long interval, long start) throws Exception {
        long[] latencies = new long[count];
        Selector selector = Selector.open();
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ);
        ReentrantLock reading = new ReentrantLock(); // whoever holds it leads the selector and reads the socket
        AtomicBoolean callerLeads = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger replied = new AtomicInteger();
        Thread caller = Thread.currentThread();
        Thread io = new Thread(() -> {
            while (!stop.get()) {
                reading.lock();
                try {
                    if (!callerLeads.get()) {
                        selector.select();
                        selector.selectedKeys().clear();
                        if (!callerLeads.get()) {
                            readReplies(replied, caller);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    reading.unlock();
                }
                while (callerLeads.get() && !stop.get()) {
                    LockSupport.park(); // the caller unparks it when it hands the selector back
                }
            }
        }, "io");
        io.start();
        for (int i = 0; i < count; i++) {
            ClientProbe.parkUntil(start + i * interval);
            long t = System.nanoTime();
            write(PUSH);
            int expected = i + 1;
            long deadline = System.nanoTime() + 60_000_000_000L;
            if (lead) {
                callerLeads.set(true);
                selector.wakeup(); // the I/O thread leaves its select, sees callerLeads and lets go of the lock
                reading.lock();
                try {
                    while (replied.get() < expected) { // it may have read the reply before letting go
                        if (System.nanoTime() > deadline) {
                            Echoer.fail("no reply after 60 s to push " + i, null);
                        }
                        selector.select(1000);
                        selector.selectedKeys().clear();
                        readReplies(replied, null);
                    }
                } finally {
                    callerLeads.set(false);
                    reading.unlock();
                    LockSupport.unpark(io);
                }
            } else {
                while (replied.get() < expected) {
                    if (System.nanoTime() > deadline) {
                        Echoer.fail("no reply after 60 s to push " + i, null);
                    }
                    LockSupport.parkNanos(deadline - System.nanoTime());
                }
            }
            latencies[i] = System.nanoTime() - t;
        }
        stop.set(true);
        selector.wakeup();
        LockSupport.unpark(io);
        io.join(60_000);
        if (io.isAlive()) {
            Echoer.fail("the I/O thread did not stop within 60 s", null);
        }
        selector.close(); // deregisters the channel, so the next phase can block on it again
        channel.configureBlocking(true);
        return latencies;
    }

    /** Reads every whole reply that has arrived, counting it and waking {@code waiter} (if any) for each. */
    private void readReplies(AtomicInteger replied, Thread waiter) throws IOException {
        String reply;
        while ((reply = frameIfWhole()) != null) {
            checkOk(reply);
            replied.incrementAndGet();
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }
    }

    private static void checkOk(String reply) {
        if (!reply.contains(OK)) {
            Echoer.fail("a reply that is not ok: " + reply, null);
        }
    }

    /** One masked text frame (fragments never: the frames are small). */
    private synchronized void write(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 8);
        frame.put((byte) 0x81);
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else {
            frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        frame.flip();
        while (frame.hasRemaining()) {
            channel.write(frame); // non-blocking only in loop, where the socket always takes a 130-byte frame
        }
    }

    private int readByte() throws IOException {
        while (!in.hasRemaining()) {
            in.compact();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
        return in.get() & 0xff;
    }

    /** Blocking: the next text frame's text (server frames are unmasked; other opcodes are skipped). */
    private String readFrame() throws IOException {
        while (true) {
            int opcode = readByte() & 0x0f;
            int length = readByte() & 0x7f;
            if (length == 126) {
                length = readByte() << 8 | readByte();
            } else if (length == 127) {
                throw new IOException("a frame over 64 KiB: not an echo reply");
            }
            byte[] payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) readByte();
            }
            if (opcode == 1) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }
    }

    /** Non-blocking: the next text frame if it has fully arrived, else null with its bytes kept. */
    private String frameIfWhole() throws IOException {
        in.compact();
        int n = channel.read(in);
        in.flip();
        if (n < 0) {
            throw new EOFException("the server closed the connection");
        }
        in.mark();
        if (in.remaining() < 2) {
            return null;
        }
        int opcode = in.get() & 0x0f;
        int length = in.get() & 0x7f;
        if (length == 126) {
            if (in.remaining() < 2) {
                in.reset();
                return null;
            }
            length = in.getShort() & 0xffff;
        } else if (length == 127) {
            throw new IOException("a frame over 64 KiB: not an echo reply");
        }
        if (in.remaining() < length) {
            in.reset();
            return null;
        }
        byte[] payload = new byte[length];
        in.get(payload);
        return opcode == 1 ? new String(payload, StandardCharsets.UTF_8) : frameIfWhole();
    }
}
