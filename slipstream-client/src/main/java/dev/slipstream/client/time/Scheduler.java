package dev.slipstream.client.time;

import java.time.Duration;

/**
 * The clock and timer service of a client. Every timer of the client (heartbeat, reconnect and rejoin backoff, push
 * and join timeouts, connect timeout, close wait) goes through it, so tests can drive them in virtual time.
 *
 * <p>A scheduled task must only hand work over (the client's tasks enqueue a command to the client's owner); it must
 * not block. Implementations must be thread-safe.
 *
 * <pre>{@code
 * Scheduler scheduler = Scheduler.system();
 * Scheduler.Cancellable timer = scheduler.schedule(Duration.ofSeconds(30), () -> System.out.println("tick"));
 * timer.cancel();
 * long now = scheduler.nanoTime();
 * }</pre>
 */
public interface Scheduler {

    /**
     * The scheduler backed by the real clock and one shared daemon timer thread for the whole application (never one
     * thread per client).
     */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }

    /** A monotonic time in nanoseconds, only meaningful as a difference between two calls (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} once after {@code delay}; a zero or negative delay runs it as soon as possible. */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * A scheduled task that can still be cancelled.
     *
     * <pre>{@code
     * Scheduler.Cancellable c = Scheduler.system().schedule(Duration.ofSeconds(1), task);
     * c.cancel(); // the task will not run, if it has not started yet
     * }</pre>
     */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run yet; idempotent. */
        void cancel();
    }
}
