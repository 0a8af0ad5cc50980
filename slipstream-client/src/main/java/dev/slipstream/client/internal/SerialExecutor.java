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
 * <pre>{@code
 * SerialExecutor serial = new SerialExecutor(SharedPools.clients());
 * serial.execute(() -> state.apply(command));
 * }</pre>
 */
public final class SerialExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
    private static final ThreadLocal<SerialExecutor> CURRENT = new ThreadLocal<>();
    /** After this many tasks in a row the drain yields its pool thread, so one busy client cannot starve others. */
    private static final int BATCH = 256;

    private final Executor pool;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Runnable drain = this::drain;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (pending.getAndIncrement() == 0) {
            pool.execute(drain);
        }
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
                Runnable task = queue.poll();
                try {
                    task.run();
                } catch (Throwable t) {
                    // The owner catches its own failures; reaching here is a bug, which must not stop the queue.
                    LOG.log(Level.ERROR, "slipstream client task failed", t);
                }
                if (++ran == BATCH && pending.decrementAndGet() != 0) {
                    pool.execute(drain);
                    return;
                } else if (ran == BATCH) {
                    return;
                }
            } while (pending.decrementAndGet() != 0);
        } finally {
            CURRENT.set(previous);
        }
    }
}
