package dev.slipstream.client.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Supplier;

/**
 * The future a caller gets from the client: a thread that only waits on it ({@code get}, {@code join}) is woken by
 * the client's owner itself, the moment the reply is in, while stages chained on it ({@code thenApply},
 * {@code whenComplete}, {@code allOf}, ...) run where the transport says ({@code Transport.completions}: the
 * completion pool, or a transport thread no longer doing I/O), never on the owner or a thread doing I/O.
 *
 * <p>How: the outcome lives first in a private future that only waiting threads ever wait on, which the owner
 * completes where it runs (its waiters are parked threads, never code). The public future itself is settled with
 * the same outcome on the completion pool ({@link #settle()}), and that is where dependent stages run, or by a
 * waiting caller once it woke, whichever comes first. When a thread waits and no stage depends on the future yet, the
 * pool is left out ({@link #needsSettling()}): the waiter settles it on its way out, so a caller that only waits makes
 * one thread runnable per reply, not two. Reads ({@code isDone}, {@code getNow}, ...) see the private outcome at
 * once. A caller who completes or cancels the future completes both, first one wins, as with any
 * {@link CompletableFuture}.
 *
 * <pre>{@code
 * CallerFuture<Payload.Reply> f = new CallerFuture<>();
 * if (f.completeForWaiters(reply) && f.needsSettling()) { // on the owner: a thread in f.join() wakes now
 *     SharedPools.completions().execute(f::settle);      // f's dependent stages run there
 * }
 * }</pre>
 */
public final class CallerFuture<T> extends CompletableFuture<T> {
    private static final AtomicIntegerFieldUpdater<CallerFuture<?>> WAITERS = waiters();

    /** What waiting threads wait on; completed first, by the owner or by a caller. */
    private final CompletableFuture<T> outcome = new CompletableFuture<>();
    /** Threads in get/join that have not yet left: each settles after it counted itself out. */
    @SuppressWarnings("unused") // through WAITERS
    private volatile int waiters;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static AtomicIntegerFieldUpdater<CallerFuture<?>> waiters() {
        return (AtomicIntegerFieldUpdater) AtomicIntegerFieldUpdater.newUpdater(CallerFuture.class, "waiters");
    }

    /**
     * After the outcome was decided: whether the completion pool must settle this future. Not when a thread still
     * waits and no stage depends on it yet: that thread settles it on its way out (it counts itself out first, then
     * settles, so if this read saw it, its settle sees the outcome); a stage attached later runs on that thread or, once
     * settled, where it is attached, as on any completed future: never on the owner. So a caller that only waits
     * makes one thread runnable, not two.
     */
    boolean needsSettling() {
        return WAITERS.get(this) == 0 || super.getNumberOfDependents() != 0;
    }

    /** On the owner: completes for waiting threads now; true when this call decided the outcome (then settle it). */
    boolean completeForWaiters(T v) {
        return outcome.complete(v);
    }

    /** On the owner: fails for waiting threads now; true when this call decided the outcome (then settle it). */
    boolean failForWaiters(Throwable e) {
        return outcome.completeExceptionally(e);
    }

    /**
     * Gives the public future the outcome, running the stages that depend on it on this thread: the completion pool,
     * or a caller that waited (who then, like any thread completing a future, runs its dependants).
     */
    void settle() {
        if (super.isDone() || !outcome.isDone()) {
            return;
        }
        try {
            super.complete(outcome.join());
        } catch (CancellationException e) {
            super.cancel(false);
        } catch (CompletionException e) {
            super.completeExceptionally(e.getCause());
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

    /**
     * A waiting thread on its way out: counts itself out, then settles (in this order: see {@link #needsSettling()}),
     * so a stage added after it returned runs at once on its thread, as with any future.
     */
    private void leave() {
        WAITERS.decrementAndGet(this);
        settle();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        WAITERS.incrementAndGet(this);
        try {
            return outcome.get();
        } finally {
            leave();
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        WAITERS.incrementAndGet(this);
        try {
            return outcome.get(timeout, unit);
        } finally {
            leave();
        }
    }

    @Override
    public T join() {
        WAITERS.incrementAndGet(this);
        try {
            return outcome.join();
        } finally {
            leave();
        }
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
