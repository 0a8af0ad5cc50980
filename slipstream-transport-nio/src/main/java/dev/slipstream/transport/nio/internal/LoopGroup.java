package dev.slipstream.transport.nio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of {@link EventLoop}s, started on first use, handed out round robin. One shared group with one loop
 * serves every {@code NioWebSocketTransport} that has no loops of its own.
 *
 * <pre>{@code
 * LoopGroup own = new LoopGroup(2);
 * CompletableFuture<TransportConnection> c = NioConnection.open(own, request, listener, null, Duration.ofSeconds(2));
 * own.close(); // its connections end with onError
 * }</pre>
 */
public final class LoopGroup {
    private static final class Shared {
        static final LoopGroup INSTANCE = new LoopGroup(1);
    }

    private static final class Worker {
        private static final AtomicInteger THREADS = new AtomicInteger();
        /**
         * Blocking work that must stay off the loops: DNS lookups and TLS delegated tasks (certificate checks may
         * fetch revocation data). Up to 4 threads, none while idle.
         */
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "slipstream-nio-worker-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });

        static {
            POOL.allowCoreThreadTimeOut(true);
        }
    }

    private final int size;
    private final AtomicInteger next = new AtomicInteger();
    private volatile EventLoop[] loops;
    private volatile boolean closed;

    public LoopGroup(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a loop group needs at least one loop, was " + size);
        }
        this.size = size;
    }

    /** The group shared by transports without loops of their own. */
    public static LoopGroup shared() {
        return Shared.INSTANCE;
    }

    /** The pool for DNS lookups and TLS delegated tasks, shared by every group. */
    static Executor worker() {
        return Worker.POOL;
    }

    /** Runs {@code task} after the calling loop thread's turn, with the loop watched, or on {@code pool} when not on one. */
    public static void afterIo(Runnable task, Executor pool) {
        EventLoop.afterIo(task, pool);
    }

    public int size() {
        return size;
    }

    /** The loop for a new connection. */
    EventLoop next() {
        if (closed) {
            throw new IllegalStateException("this websocket transport was closed");
        }
        EventLoop[] l = loops;
        if (l == null) {
            l = start();
        }
        return l[Math.floorMod(next.getAndIncrement(), l.length)];
    }

    private synchronized EventLoop[] start() {
        if (closed) {
            throw new IllegalStateException("this websocket transport was closed");
        }
        if (loops == null) {
            EventLoop[] l = new EventLoop[size];
            try {
                for (int i = 0; i < size; i++) {
                    l[i] = new EventLoop();
                }
            } catch (IOException e) {
                for (EventLoop started : l) {
                    if (started != null) {
                        started.stop();
                    }
                }
                throw new UncheckedIOException("could not open a selector", e);
            }
            loops = l;
        }
        return loops;
    }

    /** Stops every loop: their connections fail with an IOException. */
    public synchronized void close() {
        closed = true;
        if (loops != null) {
            for (EventLoop l : loops) {
                l.stop();
            }
        }
    }
}
