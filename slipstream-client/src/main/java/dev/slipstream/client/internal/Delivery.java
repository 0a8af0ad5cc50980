package dev.slipstream.client.internal;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the {@link ConnectionOwner} hands to user code, and where: events and module callbacks in order on the
 * client's callbacks executor (pooled, never inline, so never on the owner's thread), callers' futures completed so
 * that a waiting thread wakes from the owner and dependent stages run on the completer: the completion pool, or
 * where the transport runs them off its I/O ({@code Transport.completions}).
 *
 * <pre>{@code
 * Delivery out = new Delivery(listener, scheduler, new SerialExecutor(pool), SharedPools.completions());
 * out.emit(new ClientEvent.TopicLeft("room:lobby"));
 * out.complete(callerFuture, reply);
 * out.flush(); // when the owner runs dry: one callbacks task for the drain
 * }</pre>
 */
final class Delivery {
    private static final System.Logger LOG = System.getLogger(Delivery.class.getName());

    private final ClientEventListener listener;
    private final Scheduler scheduler;
    private final SerialExecutor callbacks;
    private final Executor completer;
    /** What the owner handed out in its current drain, in order: one callbacks task per drain, not one per event. */
    private final ArrayList<Runnable> batch = new ArrayList<>();

    Delivery(ClientEventListener listener, Scheduler scheduler, SerialExecutor callbacks, Executor completer) {
        this.listener = listener;
        this.scheduler = scheduler;
        this.callbacks = callbacks;
        this.completer = completer;
    }

    /** Whether the calling thread runs one of the client's callbacks or listener calls. */
    boolean inCallback() {
        return callbacks.inExecutor();
    }

    /** Waits (bounded) until everything handed to the callbacks executor so far has run. */
    void awaitDelivered(long millis) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        callbacks.execute(() -> delivered.complete(null));
        delivered.get(millis, TimeUnit.MILLISECONDS);
    }

    /** Hands {@code event} to the listener on the callbacks executor, in order with the module's callbacks. */
    void emit(ClientEvent event) {
        batch.add(() -> deliver(event));
    }

    /** On the owner, when its drain runs dry: hands the drain's callbacks, events and queued completions over. */
    void flush() {
        if (batch.isEmpty()) {
            return;
        }
        Runnable[] items = batch.toArray(new Runnable[0]);
        batch.clear();
        callbacks.execute(() -> {
            for (Runnable r : items) {
                r.run(); // each catches what user code throws
            }
        });
    }

    private void deliver(ClientEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "slipstream event listener threw on " + event.getClass().getSimpleName(), e);
        }
    }

    /** Runs a module callback on the callbacks executor: one at a time, in order, never on the owner's thread. */
    void callback(String name, Runnable body) {
        batch.add(() -> runCallback(name, body));
    }

    private void runCallback(String name, Runnable body) {
        long start = scheduler.nanoTime();
        if (listener != null) {
            deliver(new ClientEvent.CallbackStarted(name));
        }
        try {
            body.run();
            if (listener != null) {
                deliver(new ClientEvent.CallbackFinished(name, Duration.ofNanos(scheduler.nanoTime() - start)));
            }
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            if (listener != null) {
                deliver(new ClientEvent.CallbackFailed(name, Duration.ofNanos(scheduler.nanoTime() - start), e));
            }
            LOG.log(Level.WARNING, "slipstream module callback " + name + " threw; the client carries on", e);
        }
    }

    /**
     * Completes a caller's future: a thread waiting on it wakes now, from here; its dependent stages run on the
     * completion pool ({@link CallerFuture}). Callbacks and events the owner handed out before still come first: while
     * any is undelivered the completion queues behind them. The owner's own futures complete here (their stages are
     * the owner's).
     */
    <T> void complete(CompletableFuture<T> f, T value) {
        if (!(f instanceof CallerFuture<T> c)) {
            f.complete(value);
        } else if (batch.isEmpty() && callbacks.isIdle()) {
            completeNow(c, value);
        } else {
            batch.add(() -> completeNow(c, value));
        }
    }

    private <T> void completeNow(CallerFuture<T> c, T value) {
        if (c.completeForWaiters(value) && c.needsSettling()) {
            completer.execute(c::settle);
        }
    }

    void fail(CompletableFuture<?> f, Throwable error) {
        if (!(f instanceof CallerFuture<?> c)) {
            f.completeExceptionally(error);
        } else if (batch.isEmpty() && callbacks.isIdle()) {
            failNow(c, error);
        } else {
            batch.add(() -> failNow(c, error));
        }
    }

    private void failNow(CallerFuture<?> c, Throwable error) {
        if (c.failForWaiters(error) && c.needsSettling()) {
            completer.execute(c::settle);
        }
    }

    <T> void completeAll(List<CompletableFuture<T>> fs, T value) {
        for (CompletableFuture<T> f : fs) {
            complete(f, value);
        }
        fs.clear();
    }

    void failAll(List<? extends CompletableFuture<?>> fs, Throwable error) {
        for (CompletableFuture<?> f : fs) {
            fail(f, error);
        }
        fs.clear();
    }
}
