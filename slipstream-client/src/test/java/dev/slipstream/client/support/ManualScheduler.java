package dev.slipstream.client.support;

import dev.slipstream.client.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Virtual time for tests: nothing runs until {@link #advance(Duration)}, which runs every task that falls due, in
 * deadline order, with the clock set to each task's deadline.
 */
public final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long seq;

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long order;
        final Runnable body;
        final Duration delay;
        volatile boolean cancelled;

        Task(long due, long order, Runnable body, Duration delay) {
            this.due = due;
            this.order = order;
            this.body = body;
            this.delay = delay;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
            synchronized (ManualScheduler.this) {
                tasks.remove(this);
            }
        }
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(now + Math.max(0, delay.toNanos()), seq++, task, delay);
        tasks.add(t);
        return t;
    }

    /** Moves the clock forward by {@code d}, running every task due on the way. */
    public void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = next.due;
            }
            if (!next.cancelled) {
                next.body.run();
            }
        }
    }

    /** The delays (as scheduled) of the tasks still waiting, in deadline order. */
    public synchronized List<Duration> pendingDelays() {
        List<Task> copy = new ArrayList<>(tasks);
        copy.sort(null);
        List<Duration> out = new ArrayList<>();
        for (Task t : copy) {
            out.add(t.delay);
        }
        return out;
    }

    /** How many tasks are waiting. */
    public synchronized int pending() {
        return tasks.size();
    }
}
