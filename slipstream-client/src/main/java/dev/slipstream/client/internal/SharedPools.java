package dev.slipstream.client.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two pools shared by every client of the application. {@link #clients()} runs the clients' serial executors:
 * a few threads, as many as cores. {@link #completions()} completes the futures handed to callers (unless their
 * transport runs that work itself off its I/O, {@code Transport.completions}), so that code chained on them (even
 * blocking code) never runs on, nor blocks, a client's owner.
 *
 * <p>The completion pool is a {@link ForkJoinPool} with as many threads as cores, not a pool that grows per task:
 * a cached pool grew to dozens of threads completing thousands of futures in a burst, and every completion cost a
 * thread hand-off through a {@code SynchronousQueue}. The trade-off is blocking inside a dependent stage:
 * <ul>
 *   <li>{@link java.util.concurrent.CompletableFuture#join()} and {@code get()} (on any future, this client's or
 *       not) block through {@link ForkJoinPool#managedBlock}, so the pool adds a spare thread for as long as the
 *       stage waits (up to 256 spares; idle ones end after 30 s). A stage that waits for another reply of the same
 *       client therefore cannot deadlock it, however many do so at once;</li>
 *   <li>other blocking in a stage ({@code Thread.sleep}, a {@code CountDownLatch}, blocking I/O) is not seen by the
 *       pool and holds one of its few threads: completions of every client wait while all are held. Such code
 *       belongs on the caller's own executor ({@code thenApplyAsync(fn, myExecutor)}), or inside
 *       {@link ForkJoinPool#managedBlock}.</li>
 * </ul>
 * The owners never run callers' stages, so neither kind of blocking ever stops a client's connection, heartbeat or
 * timers.
 *
 * <pre>{@code
 * Executor owners = SharedPools.clients();
 * }</pre>
 */
public final class SharedPools {
    private SharedPools() {
    }

    private static final class Clients {
        static final ThreadPoolExecutor POOL;

        static {
            int n = Math.max(2, Runtime.getRuntime().availableProcessors());
            POOL = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory("slipstream-client-"));
            POOL.allowCoreThreadTimeOut(true);
        }
    }

    private static final class Completions {
        // Parallelism = cores, async (FIFO) mode for event-style tasks; spares only while a stage is in a managed
        // block (CompletableFuture.join/get), at most 256, ended after 30 s idle like the clients' pool.
        static final ForkJoinPool POOL;

        static {
            int n = Runtime.getRuntime().availableProcessors();
            AtomicInteger count = new AtomicInteger();
            ForkJoinPool.ForkJoinWorkerThreadFactory factory = pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("slipstream-completion-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            POOL = new ForkJoinPool(n, factory, null, true, 0, n + 256, 1, null, 30, TimeUnit.SECONDS);
        }
    }

    /** The pool of the clients' serial executors. */
    public static Executor clients() {
        return Clients.POOL;
    }

    /** The pool that completes callers' futures: bounded, see the class comment for blocking in dependent stages. */
    public static Executor completions() {
        return Completions.POOL;
    }

    private static java.util.concurrent.ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
