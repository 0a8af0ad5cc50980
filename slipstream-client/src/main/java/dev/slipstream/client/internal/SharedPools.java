package dev.slipstream.client.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two pools shared by every client of the application. {@link #clients()} runs the clients' serial executors:
 * a few threads, as many as cores. {@link #completions()} completes the futures handed to callers, so that code
 * chained on them (even blocking code) never runs on, nor blocks, a client's owner.
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
        // Cached: a caller blocking inside a dependent stage costs a thread, never a deadlock.
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory("slipstream-completion-"));
    }

    /** The pool of the clients' serial executors. */
    public static Executor clients() {
        return Clients.POOL;
    }

    /** The pool that completes callers' futures. */
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
