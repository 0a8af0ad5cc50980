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
 * stages of callers' futures that a frame decided) waits for the end of its turn; then, if there is any, it hands the
 * loop to a follower and runs that work itself, on the thread that read the frame, without waiting for another thread
 * to wake. Then it waits as a follower until promoted again, or ends after 30 s idle.
 *
 * <p>Nothing that work does can hold up the loop, since another thread leads it by then; and it cannot hold up the
 * rest of its own batch for long either: the leader hands what the thread has not started to the pools the work came
 * with when one piece has run for {@link #PATIENCE_NANOS} (a stage that joins a future settled later in the same
 * batch would otherwise wait for itself).
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
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static final int IDLE = 0;
    private static final int PROMOTED = 1;
    private static final int GONE = 2;

    private final EventLoop loop;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    /** Work given while this thread leads, and the pool each piece came with. This thread only. */
    private final ArrayList<Runnable> later = new ArrayList<>();
    private final ArrayList<Executor> laterPools = new ArrayList<>();
    /** The batch this thread runs after its turn, null when none: read by the leader, to rescue it. */
    private volatile Batch running;

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

    /** Once this thread handed the loop over: runs its batch. */
    void runLater() {
        running.run();
        running = null;
    }

    /** When the loop has no thread to hand over to: the pools run the batch. */
    void laterToPools() {
        running.handToPools();
        running = null;
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

    /** By the thread handing the loop over: true when this idle follower is now promoted. */
    boolean promote() {
        return state.compareAndSet(IDLE, PROMOTED);
    }

    /** Marks a newly made thread as the one the loop is handed to. */
    void promoteNew() {
        state.set(PROMOTED);
    }

    /** Ends this follower (the loop stopped). */
    void dismiss() {
        if (state.compareAndSet(IDLE, GONE)) {
            LockSupport.unpark(this);
        }
    }

    @Override
    public void run() {
        try {
            do {
                loop.lead(this);
            } while (!loop.isTerminated() && awaitTurn());
        } finally {
            loop.unregister(this);
        }
    }

    /** As a follower: true once promoted (and named the leader), false when idle too long or the loop ended. */
    private boolean awaitTurn() {
        state.set(IDLE);
        loop.idle(this);
        if (loop.isTerminated()) {
            dismiss();
        }
        long idleSince = System.nanoTime();
        for (;;) {
            int s = state.get();
            if (s == PROMOTED && loop.leads(this)) {
                return true;
            }
            if (s == GONE) {
                return false;
            }
            long left = IDLE_NANOS - (System.nanoTime() - idleSince);
            if (left <= 0 && s == IDLE) {
                if (state.compareAndSet(IDLE, GONE)) {
                    loop.notIdle(this);
                    return false;
                }
                continue;
            }
            LockSupport.parkNanos(this, Math.max(left, 1));
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
