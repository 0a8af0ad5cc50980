package dev.slipstream.transport.nio.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One selector thread ({@code slipstream-nio-N}, daemon) serving many connections: it reads, runs the tasks other
 * threads hand it, and fires its timers. It owns one read buffer shared by all its connections, so an idle connection
 * holds no I/O buffer. An exception from one connection goes to that connection's {@link Handler#onFailure}; the loop
 * carries on.
 *
 * <pre>{@code
 * EventLoop loop = new EventLoop();
 * loop.execute(() -> channel.register(loop.selector(), SelectionKey.OP_CONNECT, handler));
 * }</pre>
 */
final class EventLoop {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Enough for several TLS records (16 KiB of plaintext each, plus overhead). */
    static final int TLS_NET_BUFFER_BYTES = 64 * 1024;

    /** What a selection key's attachment is. */
    interface Handler {
        void onReady(SelectionKey key) throws Exception;

        /** Something this connection's code threw on the loop: fail the connection, never the loop. */
        void onFailure(Throwable error);
    }

    /** A timer of this loop; cancel it on the loop thread. */
    static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final long sequence;
        private Runnable task;

        private Timer(long deadline, long sequence, Runnable task) {
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** False only while the loop is about to block in select: then a new task needs a wakeup. */
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSequence;
    private int cancelledTimers;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private ByteBuffer tlsNet;
    private ByteBuffer tlsApp;
    private volatile boolean stopping;
    private volatile boolean terminated;

    EventLoop() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "slipstream-nio-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    boolean isTerminated() {
        return terminated;
    }

    /** Runs {@code task} on the loop thread soon; tasks run in the order given. */
    void execute(Runnable task) {
        tasks.add(task);
        if (terminated) {
            runTasks(); // nobody else will: the tasks find the selector closed and fail their connections
            return;
        }
        if (!awake.get() && awake.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Schedules {@code task} on the loop after {@code delayNanos}. Loop thread only. */
    Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(System.nanoTime() + delayNanos, timerSequence++, task);
        timers.add(t);
        return t;
    }

    /** Cancels a timer (null is fine). Loop thread only. */
    void cancel(Timer t) {
        if (t == null || t.task == null) {
            return;
        }
        t.task = null; // the entry stays until its deadline or a purge; it no longer holds the connection
        if (++cancelledTimers > 64 && cancelledTimers > timers.size() / 2) {
            timers.removeIf(x -> x.task == null);
            cancelledTimers = 0;
        }
    }

    /** The loop's read buffer, shared by its connections. Loop thread only; empty it before returning. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** The loop's buffer for TLS records read from a socket (made on first use). Loop thread only. */
    ByteBuffer tlsNetBuffer(int packetSize) {
        if (tlsNet == null || tlsNet.capacity() < 2 * packetSize) {
            tlsNet = ByteBuffer.allocateDirect(Math.max(TLS_NET_BUFFER_BYTES, 2 * packetSize));
        }
        return tlsNet;
    }

    /** The loop's buffer for decrypted TLS bytes (made on first use). Loop thread only. */
    ByteBuffer tlsAppBuffer(int applicationSize) {
        if (tlsApp == null || tlsApp.capacity() < applicationSize) {
            tlsApp = ByteBuffer.allocateDirect(Math.max(32 * 1024, applicationSize));
        }
        return tlsApp;
    }

    /** Stops the loop: its connections fail, its thread ends. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    private void run() {
        while (!stopping) {
            try {
                long waitNanos = runTimers();
                if (!tasks.isEmpty()) {
                    selector.selectNow(this::dispatch);
                } else {
                    awake.set(false);
                    if (tasks.isEmpty() && !stopping) {
                        long millis = waitNanos < 0 ? 0 : Math.max(1, (waitNanos + 999_999) / 1_000_000);
                        selector.select(this::dispatch, millis);
                    } else {
                        selector.selectNow(this::dispatch);
                    }
                    awake.set(true);
                }
                runTasks();
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "slipstream websocket loop " + thread.getName() + " caught an error; it goes on", t);
            }
        }
        terminate();
    }

    private void dispatch(SelectionKey key) {
        Handler h = (Handler) key.attachment();
        try {
            h.onReady(key);
        } catch (Throwable t) {
            failSafely(h, t);
        }
    }

    private static void failSafely(Handler h, Throwable t) {
        try {
            h.onFailure(t);
        } catch (Throwable again) {
            LOG.log(Level.ERROR, "slipstream websocket connection failed while failing", again);
        }
    }

    private void runTasks() {
        // A bounded batch: tasks that queue tasks cannot starve the sockets.
        for (int n = 0; n < 4096; n++) {
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "slipstream websocket loop task failed", t);
            }
        }
    }

    /** Fires due timers; returns the nanoseconds until the next one, or -1 when there is none. */
    private long runTimers() {
        if (timers.isEmpty()) {
            return -1;
        }
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null) {
            if (t.task == null) {
                timers.poll();
                cancelledTimers = Math.max(0, cancelledTimers - 1);
                continue;
            }
            long left = t.deadline - now;
            if (left > 0) {
                return left;
            }
            timers.poll();
            Runnable r = t.task;
            t.task = null;
            try {
                r.run();
            } catch (Throwable e) {
                LOG.log(Level.ERROR, "slipstream websocket timer failed", e);
            }
        }
        return -1;
    }

    private void terminate() {
        try {
            for (SelectionKey key : new java.util.ArrayList<>(selector.keys())) {
                failSafely((Handler) key.attachment(), new IOException("the websocket transport was closed"));
            }
            selector.close();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "slipstream websocket loop did not close cleanly", t);
        }
        terminated = true;
        runTasks();
        timers.clear();
    }
}
