package dev.slipstream.transport.nio.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread of one {@link EventLoop} ({@code slipstream-nio-N-K}, daemon). The loop's threads take turns: one leads
 * (selects, reads, runs the loop's tasks and timers). Work given to {@link EventLoop#afterIo} while it leads (the
 * stages of callers' futures that a frame decided) waits for the end of its turn; then, if there is any, the leader
 * steps down, leaving the loop unled, runs that work itself on the thread that read the frame, and leads again. It
 * wakes nobody for that: the loop's other thread, a follower, watches while batches come and takes the loop over
 * when it finds it left unled by the same batch at two looks in a row, {@link #TICK_NANOS} apart. A look that finds
 * the loop led doubles the time to the next, up to {@link #MAX_LOOK_NANOS}, so that a follower beside short batches
 * wakes rarely; one that finds it unled looks again a tick later. So a batch that runs long (a stage that blocks, even
 * on another reply read by this same loop) holds up reading for about 17 ms at most (2 ms while stages keep
 * blocking), and the thread that ran it follows once it is done.
 *
 * <p>Nor can a piece hold up the rest of its own batch for long: the leader hands what the thread has not started
 * to the pools the work came with when one piece has run for {@link #PATIENCE_NANOS} (a stage that joins a future
 * settled later in the same batch would otherwise wait for itself). A follower stops looking after
 * {@link #WATCH_NANOS} with no batch (it is woken by the next one) and ends after 30 s of that.
 *
 * <pre>{@code
 * // on the loop, while handling a frame: settle this future once the turn is over, off the I/O
 * EventLoop.afterIo(future::settle, completionPool);
 * }</pre>
 */
final class LoopThread extends Thread {
    private static final System.Logger LOG = System.getLogger(LoopThread.class.getName());
    /** How long one piece of after-I/O work may hold up the pieces after it before the leader rescues them. */
    static final long PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * How soon a watching follower looks again after a look that found the loop left unled by a batch: if the same
     * batch still holds it then, it takes the loop over.
     */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The longest a watching follower goes between looks: after each look that finds the loop led it waits twice as
     * long, up to this. A follower looking every tick woke 1,000 times a second beside a connection paced at 1,000
     * pushes a second, and doubled its p99 against Phoenix on two vCPUs (BENCHMARKS.md, session 11).
     */
    static final long MAX_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(16);
    /** Time with no batch after which a follower stops watching and rests. */
    static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Leading, or running a batch after the loop was taken over: not a follower. */
    private static final int BUSY = 0;
    /** A follower that sleeps until a batch wakes it. */
    private static final int RESTING = 1;
    /** A follower that looks every tick whether the loop is left unled. */
    private static final int WATCHING = 2;
    private static final int GONE = 3;

    private final EventLoop loop;
    /** What the loop's leader field holds while this thread runs a batch with the loop left unled. */
    final Object away = new Object();
    private final AtomicInteger state = new AtomicInteger(BUSY);
    /** Work given while this thread leads, and the pool each piece came with. This thread only. */
    private final ArrayList<Runnable> later = new ArrayList<>();
    private final ArrayList<Executor> laterPools = new ArrayList<>();
    /** The batch this thread runs after its turn, null when none: read by the leader, to rescue it. */
    private volatile Batch running;
    /** While this thread runs its batch: frames its stages send wait for the batch's end, to leave in one write. */
    private volatile boolean holding;
    /** Looks taken as a watching follower (for tests). Written by this thread only. */
    private volatile long looks;
    /** The connections it holds frames of. This thread only. */
    private final ArrayList<NioConnection> heldConnections = new ArrayList<>();

    LoopThread(EventLoop loop, String name) {
        super(name);
        this.loop = loop;
        setDaemon(true);
    }

    /** Whether this thread leads its loop now: only then is work for after its turn taken. */
    boolean leads() {
        return loop.leads(this);
    }

    /** While leading: {@code task} runs after this turn, here or (when the loop has no thread to spare) on {@code pool}. */
    void later(Runnable task, Executor pool) {
        later.add(task);
        laterPools.add(pool);
    }

    /** Whether work was given for after this turn so far. This thread only. */
    boolean hasLater() {
        return !later.isEmpty();
    }

    /** At the end of a turn: makes the work it left this thread's batch; false when it left none. */
    boolean sealLater() {
        if (later.isEmpty()) {
            return false;
        }
        running = new Batch(later.toArray(new Runnable[0]), laterPools.toArray(new Executor[0]));
        later.clear();
        laterPools.clear();
        return true;
    }

    /**
     * With the loop unled and watched: runs this thread's batch, holding the frames its stages send until its end,
     * then writes them, one write per connection.
     */
    void runLater() {
        try {
            running.run();
        } finally {
            holding = false;
            running = null;
            for (NioConnection c : heldConnections) {
                c.flushHeld();
            }
            heldConnections.clear();
        }
    }

    /**
     * The calling thread when it is a thread of {@code loop} running its batch: frames it sends to that loop's
     * connections wait for the batch's end. Only the same loop's: a thread taking that loop over writes what its
     * connections hold, and would not find another loop's.
     */
    static LoopThread holding(EventLoop loop) {
        return Thread.currentThread() instanceof LoopThread t && t.holding && t.loop == loop ? t : null;
    }

    /** Whether this thread still holds frames: asked under the connection's write lock, see {@link #stopHolding}. */
    boolean holds() {
        return holding;
    }

    /** This thread began holding frames of {@code c}. This thread only. */
    void held(NioConnection c) {
        heldConnections.add(c);
    }

    /**
     * By a leader that took the loop over from this thread's batch: frames sent from now on go straight out. The leader
     * then flushes every connection's held frames; since {@link #holds} is asked under the write lock that flushing
     * takes, no frame can be held after that flush (a stage that waits for a reply to a frame it sent would wait for
     * itself).
     */
    void stopHolding() {
        holding = false;
    }

    /** When the loop has no thread to watch it: the pools run the batch. */
    void laterToPools() {
        holding = false;
        running.handToPools();
        running = null;
    }

    /** Before the leader leaves the loop for its batch: frames its stages send wait for the batch's end. */
    void beginHolding() {
        holding = true;
    }

    /**
     * By the leader: when one piece of this thread's batch has run for the patience, hands the pieces not started to
     * their pools. Returns the nanoseconds until that is due, or -1 when nothing waits behind a piece.
     */
    long rescueIfHeldUp() {
        Batch b = running;
        if (b == null || !b.waiting()) {
            return -1; // the usual case: no clock read on the leader's turn
        }
        long left = PATIENCE_NANOS - (System.nanoTime() - b.pieceStarted);
        if (left > 0) {
            return left;
        }
        b.handToPools();
        return -1;
    }

    /**
     * By a leader about to leave the loop unled (already marked so): makes sure this follower watches, waking it if
     * it rests. False when it cannot (it leads, runs a batch of its own, or ended).
     */
    boolean watch() {
        for (;;) {
            int s = state.get();
            if (s == WATCHING) {
                return true;
            }
            if (s != RESTING) {
                return false;
            }
            if (state.compareAndSet(RESTING, WATCHING)) {
                LockSupport.unpark(this);
                return true;
            }
        }
    }

    boolean watching() {
        return state.get() == WATCHING;
    }

    long looks() {
        return looks;
    }

    boolean follows() {
        int s = state.get();
        return s == WATCHING || s == RESTING;
    }

    /** Marks a thread not yet started as a watching follower. */
    void startWatching() {
        state.set(WATCHING);
    }

    /** Ends this follower (the loop stopped). */
    void dismiss() {
        int s;
        while ((s = state.get()) == RESTING || s == WATCHING) {
            if (state.compareAndSet(s, GONE)) {
                LockSupport.unpark(this);
                return;
            }
        }
    }

    @Override
    public void run() {
        try {
            boolean leading = loop.leads(this);
            while (leading || follow()) {
                loop.lead(this); // returns when the loop stopped, or was taken over while this thread ran a batch
                leading = false;
                if (loop.isTerminated()) {
                    return;
                }
            }
        } finally {
            state.set(GONE);
            loop.unregister(this);
        }
    }

    /**
     * As a follower: watches while batches come (one look per tick), rests when they stop. True once this thread took
     * the loop over (it leads now); false when it rested too long or the loop ended.
     */
    private boolean follow() {
        state.set(WATCHING);
        long lastTurn = loop.unledTurns();
        boolean sawUnled = false;
        long look = TICK_NANOS;
        long lastBatchSeen = System.nanoTime();
        long restingSince = 0;
        for (;;) {
            if (loop.isTerminated()) {
                return false;
            }
            int s = state.get();
            if (s == GONE) {
                return false;
            }
            if (s == WATCHING) {
                LockSupport.parkNanos(this, look);
                looks++;
                long turn = loop.unledTurns();
                boolean unled = loop.unled();
                if (unled && sawUnled && turn == lastTurn && loop.takeOver(this)) {
                    state.set(BUSY); // nobody asks a leader to watch: only a leader asks
                    return true; // the same batch has held the loop for a whole tick
                }
                // A batch running now may be one that holds the loop: look again in a tick. The loop led: batches
                // are short, look half as often (a blocking stage then holds the loop up to MAX_LOOK_NANOS + a tick).
                look = unled ? TICK_NANOS : Math.min(2 * look, MAX_LOOK_NANOS);
                long now = System.nanoTime();
                if (unled || turn != lastTurn) {
                    lastBatchSeen = now;
                }
                sawUnled = unled;
                lastTurn = turn;
                if (now - lastBatchSeen >= WATCH_NANOS && state.compareAndSet(WATCHING, RESTING)) {
                    restingSince = now;
                    if (loop.unled()) { // a batch began as this thread stopped watching: it may not have woken it
                        state.compareAndSet(RESTING, WATCHING);
                    }
                    lastBatchSeen = now;
                    look = TICK_NANOS;
                }
                continue;
            }
            // RESTING: until a batch wakes this thread (watch()) or it has rested too long.
            long left = IDLE_NANOS - (System.nanoTime() - restingSince);
            if (left <= 0) {
                if (!loop.unled() && state.compareAndSet(RESTING, GONE)) {
                    return false;
                }
                left = TICK_NANOS; // a batch is about to wake it: not gone, and no spinning meanwhile
            }
            LockSupport.parkNanos(this, left);
            if (state.get() == WATCHING) { // woken by a batch: if it still holds the loop a tick from now, take over
                sawUnled = loop.unled();
                lastTurn = loop.unledTurns();
                lastBatchSeen = System.nanoTime();
                look = TICK_NANOS;
            }
        }
    }

    /** One turn's after-I/O work: claimed piece by piece, by the thread that runs it or by the leader rescuing it. */
    private static final class Batch {
        private final Runnable[] tasks;
        private final Executor[] pools;
        private final AtomicInteger next = new AtomicInteger();
        volatile long pieceStarted;

        Batch(Runnable[] tasks, Executor[] pools) {
            this.tasks = tasks;
            this.pools = pools;
            this.pieceStarted = System.nanoTime();
        }

        boolean waiting() {
            return next.get() < tasks.length;
        }

        void run() {
            int i;
            while ((i = next.getAndIncrement()) < tasks.length) {
                pieceStarted = System.nanoTime();
                try {
                    tasks[i].run();
                } catch (Throwable t) {
                    LOG.log(Level.ERROR, "slipstream websocket loop: work after a turn failed", t);
                }
            }
        }

        void handToPools() {
            int i;
            while ((i = next.getAndIncrement()) < tasks.length) {
                pools[i].execute(tasks[i]);
            }
        }
    }
}
