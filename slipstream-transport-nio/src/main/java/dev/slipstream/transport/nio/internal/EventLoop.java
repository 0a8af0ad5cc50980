package dev.slipstream.transport.nio.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One selector serving many connections, led by one of its {@link LoopThread}s at a time: the leader reads, runs the
 * tasks other threads hand it, and fires its timers ("the loop thread" in the other classes' comments is whichever
 * thread leads). It owns one read buffer shared by all its connections, so an idle connection holds no I/O buffer. An
 * exception from one connection goes to that connection's {@link Handler#onFailure}; the loop carries on.
 *
 * <p>Work that must not run on a thread doing I/O but should run as soon as the frame that decided it was read (the
 * stages of callers' futures) is given to {@link #afterIo}: at the end of its turn the leader leaves the loop unled,
 * runs that work itself, and leads again; the loop's other thread watches meanwhile and takes the loop over if the
 * work holds it ({@link LoopThread}). At most {@link #MAX_THREADS} threads per loop; when the other one cannot
 * watch (it runs work of its own), the work goes to the pool it came with.
 *
 * <pre>{@code
 * EventLoop loop = new EventLoop();
 * loop.execute(() -> channel.register(loop.selector(), SelectionKey.OP_CONNECT, handler));
 * }</pre>
 */
final class EventLoop {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final AtomicInteger LOOPS = new AtomicInteger();
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Enough for several TLS records (16 KiB of plaintext each, plus overhead). */
    static final int TLS_NET_BUFFER_BYTES = 64 * 1024;
    /**
     * Threads of one loop: the leader and one follower. When the follower cannot watch (it still runs, or is blocked
     * in, the work of a batch that held the loop), the leader's work goes to its pool: a burst never grows threads,
     * and blocking work never holds up the loop for long.
     */
    static final int MAX_THREADS = 2;

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
    private final int number;
    private final AtomicInteger threadNumbers = new AtomicInteger();
    /** Every live thread of this loop (copied on change, which is rare): the leader looks for held-up batches. */
    private volatile LoopThread[] threads = new LoopThread[0];
    /**
     * The thread leading now, the only one that touches the selector, the timers and the buffers; or, while it runs a
     * batch with the loop left unled, that thread's {@link LoopThread#away} mark, which only that thread (coming back)
     * or a watching follower (taking over) replaces, so a thread coming back late can never lead beside another.
     */
    private volatile Object leader;
    /** How many times the loop was left unled for a batch; written by the leader only. */
    private volatile long unledTurns;
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

    private static final VarHandle LEADER;

    static {
        try {
            LEADER = MethodHandles.lookup().findVarHandle(EventLoop.class, "leader", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    EventLoop() throws IOException {
        selector = Selector.open();
        number = LOOPS.incrementAndGet();
        LoopThread first = newThread();
        leader = first;
        first.start();
    }

    Selector selector() {
        return selector;
    }

    /** Whether the calling thread leads this loop now (the "loop thread" of every other comment). */
    boolean inLoop() {
        return Thread.currentThread() == leader;
    }

    boolean leads(LoopThread t) {
        return leader == t && !stopping;
    }

    boolean isTerminated() {
        return terminated;
    }

    /** Whether the loop is left unled by a batch now (watched by a follower). */
    boolean unled() {
        return !(leader instanceof LoopThread);
    }

    long unledTurns() {
        return unledTurns;
    }

    /** How many of this loop's followers watch it now (for tests). */
    int followersWatching() {
        return (int) Arrays.stream(threads).filter(LoopThread::watching).count();
    }

    /** How many looks this loop's threads have taken as watching followers (for tests). */
    long followerLooks() {
        return Arrays.stream(threads).mapToLong(LoopThread::looks).sum();
    }

    /** How many of this loop's threads follow it now, watching or resting (for tests). */
    int followers() {
        return (int) Arrays.stream(threads).filter(LoopThread::follows).count();
    }

    /**
     * By a watching follower: takes the loop left unled, and writes what the batch that held it holds; false when its
     * leader came back first.
     */
    boolean takeOver(LoopThread follower) {
        Object away = leader;
        if (away instanceof LoopThread || !LEADER.compareAndSet(this, away, follower)) {
            return false;
        }
        for (LoopThread t : threads) {
            if (t != follower) {
                t.stopHolding();
            }
        }
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof NioConnection c) {
                c.flushHeld();
            }
        }
        return true;
    }

    /**
     * Runs {@code task} at the end of the calling thread's turn, with the loop left unled and watched, or on
     * {@code pool} when it does not lead this loop or the loop has no thread to watch it. The tasks of one turn run in
     * the order given, unless one holds up the rest for the patience, which then go to their pools.
     */
    static void afterIo(Runnable task, Executor pool) {
        if (Thread.currentThread() instanceof LoopThread t && t.leads()) {
            t.later(task, pool);
        } else {
            pool.execute(task);
        }
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

    /** Stops the loop: its connections fail, its threads end. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    // ============================================================================================ leading the loop

    private synchronized LoopThread newThread() {
        LoopThread t = new LoopThread(this, "slipstream-nio-" + number + "-" + threadNumbers.incrementAndGet());
        LoopThread[] all = Arrays.copyOf(threads, threads.length + 1);
        all[all.length - 1] = t;
        threads = all;
        return t;
    }

    /** A thread of this loop ended (or never started). */
    synchronized void unregister(LoopThread t) {
        threads = Arrays.stream(threads).filter(x -> x != t).toArray(LoopThread[]::new);
    }

    /**
     * Leads until the loop stops or is taken over while this thread runs a batch. A batch runs here, with the loop
     * left unled and a follower watching it; when no follower can, it goes to the pools.
     */
    void lead(LoopThread self) {
        while (!stopping) {
            try {
                turn(self);
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "slipstream websocket loop " + self.getName() + " caught an error; it goes on", t);
            }
            if (self.sealLater()) { // sealed before the loop is left, so that a leader taking over can rescue it
                self.beginHolding(); // before the loop is left: a follower taking over must find it holding
                unledTurns++;
                leader = self.away; // before asking for a watcher, which checks it before it stops watching
                if (watched(self)) {
                    self.runLater();
                    if (!LEADER.compareAndSet(this, self.away, self)) {
                        return; // taken over while the batch ran: this thread follows now
                    }
                } else if (LEADER.compareAndSet(this, self.away, self)) {
                    self.laterToPools(); // nobody watches the loop: the pools run the batch
                } else {
                    self.laterToPools(); // a follower began watching just now and took over
                    return;
                }
            }
        }
        terminate();
    }

    /** One turn: due timers, held-up batches, ready sockets, queued tasks. */
    private void turn(LoopThread self) throws IOException {
        long waitNanos = earliest(runTimers(), rescueHeldUp());
        // Work a timer gave for after the turn (a close timeout settling a caller's future) must not wait for the
        // next I/O or task: a turn with some does not block in select.
        if (!tasks.isEmpty() || self.hasLater()) {
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
    }

    /** Makes sure a follower (the other thread, or a new one) watches the loop; false when none can. */
    private boolean watched(LoopThread self) {
        LoopThread[] all = threads;
        for (LoopThread t : all) {
            if (t != self && t.watch()) {
                return true;
            }
        }
        if (all.length >= MAX_THREADS) {
            return false;
        }
        LoopThread next = newThread();
        next.startWatching();
        try {
            next.start();
            return true;
        } catch (Throwable t) { // no thread to be had: the pools run the batch
            unregister(next);
            LOG.log(Level.WARNING, "slipstream websocket loop could not start a thread; callers' stages go to the pool", t);
            return false;
        }
    }

    /** Rescues batches held up by one piece; returns the nanoseconds until the next may need it, or -1. */
    private long rescueHeldUp() {
        LoopThread[] all = threads;
        if (all.length < 2) {
            return -1;
        }
        long wait = -1;
        for (LoopThread t : all) {
            wait = earliest(wait, t.rescueIfHeldUp());
        }
        return wait;
    }

    private static long earliest(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
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
            for (SelectionKey key : new ArrayList<>(selector.keys())) {
                failSafely((Handler) key.attachment(), new IOException("the websocket transport was closed"));
            }
            selector.close();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "slipstream websocket loop did not close cleanly", t);
        }
        terminated = true;
        runTasks();
        timers.clear();
        for (LoopThread t : threads) {
            t.dismiss();
        }
    }
}
