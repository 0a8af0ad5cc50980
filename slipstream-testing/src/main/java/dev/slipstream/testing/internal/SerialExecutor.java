package dev.slipstream.testing.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: one per connection, so a connection's frames are
 * handled sequentially (as in Phoenix's transport process) without a thread per connection. Not part of the API.
 *
 * <pre>{@code
 * SerialExecutor serial = new SerialExecutor(pool, error -> errors.add(error));
 * serial.execute(() -> handle(frame));
 * }</pre>
 */
public final class SerialExecutor implements Executor {
    private static final int BATCH = 64;

    private final Executor pool;
    private final Consumer<Throwable> onError;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Thread runner;

    public SerialExecutor(Executor pool, Consumer<Throwable> onError) {
        this.pool = pool;
        this.onError = onError;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /** Whether the calling thread is running one of this executor's tasks right now. */
    public boolean inExecutor() {
        return runner == Thread.currentThread();
    }

    private void schedule() {
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The server is shutting down: nothing will run these tasks any more.
                tasks.clear();
                scheduled.set(false);
            }
        }
    }

    private void drain() {
        runner = Thread.currentThread();
        try {
            // A bounded batch, so one busy connection cannot starve the others on the shared pool.
            for (int i = 0; i < BATCH; i++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                try {
                    task.run();
                } catch (Throwable t) {
                    onError.accept(t);
                }
            }
        } finally {
            runner = null;
            scheduled.set(false);
        }
        schedule();
    }
}
