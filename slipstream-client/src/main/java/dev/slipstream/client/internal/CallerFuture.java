package dev.slipstream.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The future a caller gets from the client: a thread that only waits on it ({@code get}, {@code join}) is woken by
 * the client's owner itself, the moment the reply is in, while stages chained on it ({@code thenApply},
 * {@code whenComplete}, {@code allOf}, ...) run on the completion pool, never on the owner or a transport thread.
 *
 * <p>How: the outcome lives first in a private future that only waiting threads ever wait on, which the owner
 * completes where it runs (its waiters are parked threads, never code). The public future itself is settled with
 * the same outcome on the completion pool ({@link #settle()}), one pool task per burst of replies, and that is where
 * dependent stages run. Reads ({@code isDone}, {@code getNow}, ...) see the private outcome at once. A caller who
 * completes or cancels the future completes both, first one wins, as with any {@link CompletableFuture}.
 *
 * <pre>{@code
 * CallerFuture<Payload.Reply> f = new CallerFuture<>();
 * owner.completeLater(f, reply);   // on the owner: wakes get()/join() now, queues f for the pool
 * f.settle();                      // on the completion pool: runs f's dependent stages
 * }</pre>
 */
public final class CallerFuture<T> extends CompletableFuture<T> {
    /** What waiting threads wait on; completed first, by the owner or by a caller. */
    private final CompletableFuture<T> outcome = new CompletableFuture<>();
    // Set by the owner before it queues this future for settle(); published by the pool hand-off.
    private T value;
    private Throwable error;

    /** On the owner: completes for waiting threads now; true when this call decided the outcome (then settle it). */
    boolean completeForWaiters(T v) {
        value = v;
        return outcome.complete(v);
    }

    /** On the owner: fails for waiting threads now; true when this call decided the outcome (then settle it). */
    boolean failForWaiters(Throwable e) {
        error = e;
        return outcome.completeExceptionally(e);
    }

    /** On the completion pool: gives the public future the owner's outcome, running its dependent stages here. */
    void settle() {
        if (error != null) {
            super.completeExceptionally(error);
        } else {
            super.complete(value);
        }
    }

    @Override
    public boolean complete(T v) {
        if (outcome.complete(v)) {
            return super.complete(v);
        }
        return false;
    }

    @Override
    public boolean completeExceptionally(Throwable e) {
        if (outcome.completeExceptionally(e)) {
            return super.completeExceptionally(e);
        }
        return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (outcome.cancel(mayInterruptIfRunning)) {
            super.cancel(mayInterruptIfRunning);
            return true;
        }
        return outcome.isCancelled();
    }

    @Override
    public void obtrudeValue(T v) {
        outcome.obtrudeValue(v);
        super.obtrudeValue(v);
    }

    @Override
    public void obtrudeException(Throwable e) {
        outcome.obtrudeException(e);
        super.obtrudeException(e);
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        if (supplier == null || executor == null) {
            throw new NullPointerException();
        }
        executor.execute(() -> {
            try {
                complete(supplier.get());
            } catch (Throwable t) {
                completeExceptionally(t);
            }
        });
        return this;
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        return completeAsync(supplier, defaultExecutor());
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return outcome.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return outcome.get(timeout, unit);
    }

    @Override
    public T join() {
        return outcome.join();
    }

    @Override
    public T getNow(T valueIfAbsent) {
        return outcome.getNow(valueIfAbsent);
    }

    @Override
    public boolean isDone() {
        return outcome.isDone();
    }

    @Override
    public boolean isCompletedExceptionally() {
        return outcome.isCompletedExceptionally();
    }

    @Override
    public boolean isCancelled() {
        return outcome.isCancelled();
    }

    @Override
    public int getNumberOfDependents() {
        return super.getNumberOfDependents() + outcome.getNumberOfDependents();
    }

    @Override
    public String toString() {
        String s = outcome.toString();
        return "CallerFuture" + s.substring(s.indexOf('@'));
    }

}
