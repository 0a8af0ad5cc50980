package dev.slipstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * The threads that fake servers built with {@link FakePhoenixServer.Builder#sharedThreads(boolean)} run on: one XNIO
 * worker (one I/O thread), a pool for the connections' work and a timer, made when the first such server starts and
 * stopped {@link #LINGER} after the last one closed. A test suite that starts a server per test then creates no
 * thread per test: making and joining a server's own five threads costs more than everything else a short test does.
 *
 * <p>Each server gets a {@link Lease}: a view of the pool and the timer that it can close as if they were its own
 * (its running tasks are interrupted and awaited, its queued and scheduled ones never run, later ones are
 * refused), so closing one server never disturbs another. The pool grows as needed and reuses idle threads, so a
 * handler that blocks in one server never starves another that runs in parallel.
 *
 * <pre>{@code
 * SharedThreads.Lease lease = SharedThreads.lease();
 * lease.execute(() -> handle(frame));
 * lease.close(Duration.ofSeconds(1));   // this server's tasks end; the threads stay for the next server
 * }</pre>
 */
final class SharedThreads {
    /** How long the threads outlive the last server: longer than the gap between two tests, short enough to vanish. */
    static final Duration LINGER = Duration.ofSeconds(1);

    private static final Object LOCK = new Object();
    // Guarded by LOCK.
    private static SharedThreads current;
    private static int leases;
    private static ScheduledFuture<?> stopping;

    private final ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor timer;
    private final XnioWorker worker;

    private SharedThreads() {
        // Cached: a task never waits for a busy thread, whatever the servers' handlers do.
        pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads("slipstream-fake-shared-worker-"));
        timer = new ScheduledThreadPoolExecutor(1, daemonThreads("slipstream-fake-shared-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        // Every lease cancels its tasks when it closes, so the timer has none left when it stops; if it had, they
        // must not keep its thread alive.
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        try {
            worker = xnioWorker("slipstream-fake-shared-io");
        } catch (UncheckedIOException e) {
            pool.shutdown();
            timer.shutdown();
            throw e;
        }
    }

    /** An XNIO worker of daemon threads for a server's I/O: one I/O thread, 1 to 2 task threads. */
    static XnioWorker xnioWorker(String name) {
        try {
            return Xnio.getInstance(Xnio.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_NAME, name)
                    .set(Options.WORKER_IO_THREADS, 1)
                    .set(Options.WORKER_TASK_CORE_THREADS, 1)
                    .set(Options.WORKER_TASK_MAX_THREADS, 2)
                    .set(Options.THREAD_DAEMON, true)
                    .getMap());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the XNIO worker", e);
        }
    }

    /** A lease on the shared threads, starting them if no server holds them now. */
    static Lease lease() {
        synchronized (LOCK) {
            if (current == null) {
                current = new SharedThreads();
            }
            if (stopping != null) {
                stopping.cancel(false);
                stopping = null;
            }
            leases++;
            return new Lease(current);
        }
    }

    private static void released(SharedThreads threads) {
        synchronized (LOCK) {
            leases--;
            if (leases == 0 && current == threads) {
                stopping = threads.timer.schedule(() -> stopIfUnused(threads), LINGER.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    private static void stopIfUnused(SharedThreads threads) {
        synchronized (LOCK) {
            if (leases > 0 || current != threads) {
                return;
            }
            current = null;
            stopping = null;
        }
        // Runs on the timer thread, so nothing here waits: the threads end once their last task is done.
        threads.worker.shutdown();
        threads.pool.shutdown();
        threads.timer.shutdown();
    }

    /** Daemon threads named {@code prefix} plus a number, for a server's own threads and for the shared ones. */
    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * One server's share of the threads. Closing it ends that server's work as shutting down its own pool and timer
     * would: running tasks are interrupted and awaited, queued and scheduled ones are dropped, new ones refused.
     */
    static final class Lease implements Executor {
        private final SharedThreads threads;
        // Guarded by this: the threads running this lease's tasks now, and its scheduled tasks.
        private final Set<Thread> running = new HashSet<>();
        private final Set<ScheduledFuture<?>> scheduled = new HashSet<>();
        private boolean closed;

        private Lease(SharedThreads threads) {
            this.threads = threads;
        }

        /** The XNIO worker, for the server's listening socket and connections. */
        XnioWorker worker() {
            return threads.worker;
        }

        /**
         * Runs {@code task} on the shared pool.
         *
         * @throws RejectedExecutionException once the lease is closed
         */
        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (closed) {
                    throw new RejectedExecutionException("the server is closed");
                }
            }
            threads.pool.execute(() -> run(task));
        }

        private void run(Runnable task) {
            Thread me = Thread.currentThread();
            synchronized (this) {
                if (closed) {
                    return; // queued before the close: dropped, as shutdownNow drops a pool's queue
                }
                running.add(me);
            }
            try {
                task.run();
            } finally {
                synchronized (this) {
                    running.remove(me);
                    // An interrupt meant for this lease's task must not reach the next lease's.
                    Thread.interrupted();
                    notifyAll();
                }
            }
        }

        /**
         * Runs {@code task} on the shared timer after {@code delay}.
         *
         * @throws RejectedExecutionException once the lease is closed
         */
        ScheduledFuture<?> schedule(Runnable task, Duration delay) {
            AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
            synchronized (this) {
                if (closed) {
                    throw new RejectedExecutionException("the server is closed");
                }
                ScheduledFuture<?> f = threads.timer.schedule(() -> {
                    synchronized (this) {
                        scheduled.remove(self.get());
                        if (closed) {
                            return;
                        }
                    }
                    task.run();
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
                self.set(f);
                scheduled.add(f);
                return f;
            }
        }

        /**
         * Ends this lease: refuses new tasks, drops queued and scheduled ones, interrupts the running ones and waits
         * up to {@code timeout} for them to return; then hands the threads back. Idempotent.
         */
        void close(Duration timeout) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                for (ScheduledFuture<?> f : scheduled) {
                    f.cancel(false);
                }
                scheduled.clear();
                Thread me = Thread.currentThread();
                for (Thread t : running) {
                    if (t != me) {
                        t.interrupt();
                    }
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                boolean interrupted = false;
                // A task of this lease that closes the server cannot wait for itself.
                while (!running.isEmpty() && !(running.size() == 1 && running.contains(me))) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                        break;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            released(threads);
        }
    }
}
