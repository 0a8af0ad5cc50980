package dev.slipstream.client.internal;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the tasks of one client one at a time, in submission order, on a shared pool: a client borrows a pool thread
 * only while it has work, so there is no thread per client. Knows whether the calling thread is running one of its
 * tasks, so blocking calls made from a callback can fail fast instead of deadlocking.
 *
 * <p>An <em>inline</em> executor (the client's owner) does not hand work to the pool when it is idle: the thread that
 * submits the first task runs it, and whatever other threads submit meanwhile, right there (a transport's reader, a
 * caller's thread, a timer). That saves a thread wake-up per command and per inbound frame; only after
 * {@value #BATCH} tasks in a row does the drain move to the pool, so no submitter is held for long. Only code that
 * never blocks and never calls user code may run on an inline executor: user code goes to a non-inline one.
 * {@code whenIdle} runs on the draining thread each time the queue runs dry (and before the drain moves to the pool):
 * the owner writes the frames of a burst there in one go.
 *
 * <pre>{@code
 * SerialExecutor owner = new SerialExecutor(SharedPools.clients(), true, transportWriter::flush);
 * SerialExecutor callbacks = new SerialExecutor(SharedPools.clients());
 * owner.execute(() -> state.apply(command));
 * }</pre>
 */
public final class SerialExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
    private static final ThreadLocal<SerialExecutor> CURRENT = new ThreadLocal<>();
    private static final Runnable NOTHING = () -> { };
    /** After this many tasks in a row the drain yields its thread, so one busy client cannot starve others. */
    static final int BATCH = 256;

    private final Executor pool;
    private final boolean inline;
    private final Runnable whenIdle;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Runnable drain = this::drain;

    /** An executor that always runs its tasks on {@code pool}. */
    public SerialExecutor(Executor pool) {
        this(pool, false, NOTHING);
    }

    /** An executor that runs on the submitting thread when idle ({@code inline}), with {@code whenIdle} as above. */
    public SerialExecutor(Executor pool, boolean inline, Runnable whenIdle) {
        this.pool = pool;
        this.inline = inline;
        this.whenIdle = whenIdle;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (pending.getAndIncrement() == 0) {
            if (inline) {
                drain();
            } else {
                pool.execute(drain);
            }
        }
    }

    /** Whether every task handed over so far has finished running. */
    public boolean isIdle() {
        return pending.get() == 0;
    }

    /** Whether the calling thread is running a task of this executor. */
    public boolean inExecutor() {
        return CURRENT.get() == this;
    }

    private void drain() {
        SerialExecutor previous = CURRENT.get();
        CURRENT.set(this);
        try {
            int ran = 0;
            do {
                run(queue.poll());
                if (pending.get() == 1) {
                    run(whenIdle); // the last task known: write what the burst produced before letting go
                }
                if (++ran == BATCH) {
                    if (pending.get() != 1) {
                        run(whenIdle);
                    }
                    if (pending.decrementAndGet() != 0) {
                        pool.execute(drain);
                    }
                    return;
                }
            } while (pending.decrementAndGet() != 0);
        } finally {
            CURRENT.set(previous);
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            // The owner catches its own failures; reaching here is a bug, which must not stop the queue.
            LOG.log(Level.ERROR, "slipstream client task failed", t);
        }
    }
}
