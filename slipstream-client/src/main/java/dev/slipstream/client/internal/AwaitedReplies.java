package dev.slipstream.client.internal;

import dev.slipstream.client.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The replies a client's owner waits for (joins, leaves, pushes), by ref, and their deadlines, served by one timer
 * armed for the earliest of them: an answered push costs no timer operation, only a deadline earlier than the armed
 * one touches the scheduler. Owner-only state; a firing only hands the owner a command carrying its token.
 *
 * <pre>{@code
 * AwaitedReplies replies = new AwaitedReplies(scheduler, token -> () -> owner.send(new Command.DeadlinesDue(token)));
 * replies.await(push);                      // sent: wait for "7"
 * AwaitedReply answered = replies.get("7"); // the reply came
 * replies.forget(answered);
 * }</pre>
 */
final class AwaitedReplies {
    private final Scheduler scheduler;
    /** The timer's task for a token: hands the owner a {@code DeadlinesDue} command. */
    private final LongFunction<Runnable> firing;
    private final Map<String, AwaitedReply> byRef = new LinkedHashMap<>();
    private final Deadlines<AwaitedReply> deadlines = new Deadlines<>();
    private Scheduler.Cancellable timer;
    private long armedFor = Long.MAX_VALUE;
    private long token;

    AwaitedReplies(Scheduler scheduler, LongFunction<Runnable> firing) {
        this.scheduler = scheduler;
        this.firing = firing;
    }

    /** Starts waiting for {@code p}'s reply, from now until its timeout. */
    void await(AwaitedReply p) {
        p.sentNanos = scheduler.nanoTime();
        byRef.put(p.ref, p);
        if (deadlines.add(p, p.sentNanos, p.timeout) < armedFor) {
            arm();
        }
    }

    AwaitedReply get(String ref) {
        return byRef.get(ref);
    }

    /** Every reply awaited, in the order sent; a copy, so the caller may forget entries while going through it. */
    List<AwaitedReply> snapshot() {
        return new ArrayList<>(byRef.values());
    }

    /**
     * Stops waiting for {@code p}'s reply. The timer stays armed (a firing with nothing due only re-arms it), so an
     * answered push costs no timer operation.
     */
    void forget(AwaitedReply p) {
        byRef.remove(p.ref);
        deadlines.remove(p);
    }

    /** Takes {@code p} out if it is still awaited; false when something else ended it first. */
    boolean remove(AwaitedReply p) {
        return byRef.remove(p.ref, p);
    }

    /**
     * The timer fired with {@code firedToken}: returns the replies now overdue, earliest deadline first, still
     * awaited (check each with {@link #remove} before handling it). The timer is armed again for the next deadline
     * before any of them is handled, so by the time a caller sees a timed-out future the next deadline already has
     * its timer (virtual-time tests rely on that to advance the clock deterministically). A firing made stale by a
     * re-arm returns nothing.
     */
    List<AwaitedReply> takeDue(long firedToken) {
        if (firedToken != token) {
            return List.of();
        }
        timer = null;
        armedFor = Long.MAX_VALUE;
        long now = scheduler.nanoTime();
        List<AwaitedReply> due = new ArrayList<>();
        for (AwaitedReply p; (p = deadlines.pollDue(now)) != null; ) {
            due.add(p);
        }
        arm();
        return due;
    }

    /** Cancels the timer when no reply is awaited any more (after a disconnect or close). */
    void disarmIfIdle() {
        if (deadlines.isEmpty() && timer != null) {
            timer.cancel();
            timer = null;
            armedFor = Long.MAX_VALUE;
            token++;
        }
    }

    /** Arms the timer for the earliest deadline, unless it is already armed for it or earlier. */
    private void arm() {
        long next = deadlines.earliest();
        if (next == Long.MAX_VALUE || next >= armedFor) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        long t = ++token;
        armedFor = next;
        timer = scheduler.schedule(Duration.ofNanos(Math.max(0, next - scheduler.nanoTime())), firing.apply(t));
    }
}
