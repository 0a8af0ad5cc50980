package dev.slipstream.transport.nio.internal;

import dev.slipstream.client.time.Scheduler;
import java.time.Duration;

/**
 * The client's timers on a loop of the shared group, so that clients on the shared transport need no timer thread
 * of their own ({@code Transport.scheduler}). A task fires on the loop's thread within its turn, like the loop's own
 * timers, to the millisecond (the loop waits in {@code select} with a timeout in milliseconds); the client's tasks
 * only hand a command to its owner. Only the shared group hosts them: it is never closed, so a timer cannot be lost
 * with a stopped loop.
 *
 * <pre>{@code
 * Scheduler timers = new LoopScheduler(LoopGroup.shared());
 * Scheduler.Cancellable tick = timers.schedule(Duration.ofSeconds(30), () -> System.out.println("tick"));
 * tick.cancel();
 * }</pre>
 */
public final class LoopScheduler implements Scheduler {
    /** Delays beyond this (about 73 years) are taken as this, so that a deadline never overflows. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 4);

    private final LoopGroup group;

    public LoopScheduler(LoopGroup group) {
        this.group = group;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long due = System.nanoTime() + Math.max(0, (delay.compareTo(LONGEST) > 0 ? LONGEST : delay).toNanos());
        EventLoop loop = group.next();
        Pending pending = new Pending(task);
        if (loop.inLoop()) {
            pending.arm(loop, due);
        } else {
            loop.execute(() -> pending.arm(loop, due)); // the loop's timers are its thread's alone
        }
        return pending;
    }

    @Override
    public String toString() {
        return "Scheduler on the NIO transport's shared loop";
    }

    /** One timer: armed on the loop thread; cancelled from any thread (it then drops its task and never runs it). */
    private static final class Pending implements Runnable, Cancellable {
        private volatile Runnable task;

        Pending(Runnable task) {
            this.task = task;
        }

        void arm(EventLoop loop, long due) {
            if (task != null) {
                loop.schedule(due - System.nanoTime(), this); // a due time already passed fires on the next turn
            }
        }

        @Override
        public void run() {
            Runnable t = task;
            if (t != null) {
                task = null;
                t.run();
            }
        }

        @Override
        public void cancel() {
            // The loop's entry stays until its deadline, holding only this emptied object: a cancel from another
            // thread costs no wake-up of the loop.
            task = null;
        }
    }
}
