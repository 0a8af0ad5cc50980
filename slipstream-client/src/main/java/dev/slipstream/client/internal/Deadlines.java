package dev.slipstream.client.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The deadlines of one client's sent messages (pushes, joins, leaves) waiting for their replies, so that the client
 * needs one timer for all of them instead of one per message. Entries with the same timeout are added in deadline
 * order (their send times never go back), so each timeout keeps a FIFO lane: adding and removing an entry are O(1),
 * with no timer scheduled or cancelled; only the earliest deadline of all needs a timer. Owned by one thread (the
 * client's owner); not thread-safe.
 *
 * <pre>{@code
 * Deadlines<Pending> deadlines = new Deadlines<>();
 * deadlines.add(pending, scheduler.nanoTime(), Duration.ofSeconds(10));
 * deadlines.remove(pending);                        // the reply came
 * for (Pending p; (p = deadlines.pollDue(now)) != null; ) { timeOut(p); }
 * long next = deadlines.earliest();                 // Long.MAX_VALUE when nothing waits
 * }</pre>
 *
 * @param <E> the entries, which carry their own links so that adding and removing allocate nothing
 */
final class Deadlines<E extends Deadlines.Entry> {

    /** Lanes left in the map once empty (a few distinct timeouts in use); beyond this an empty lane is dropped. */
    private static final int KEPT_LANES = 8;

    /**
     * Something with a deadline, linked into the lane of its timeout. Subclassed by the owner's pending replies.
     *
     * <pre>{@code
     * final class Pending extends Deadlines.Entry { ... }
     * }</pre>
     */
    abstract static class Entry {
        long deadline;
        long order;
        Lane lane;
        Entry prev;
        Entry next;

        /** The deadline, in the scheduler's nanoseconds; {@link Long#MAX_VALUE} for a timeout too long to matter. */
        final long deadline() {
            return deadline;
        }

        /** Whether this entry is waiting in a {@link Deadlines}. */
        final boolean isWaiting() {
            return lane != null;
        }
    }

    /** The entries of one timeout, oldest (earliest deadline) first. */
    private static final class Lane {
        final Duration timeout;
        Entry head;
        Entry tail;
        boolean inMap = true;

        Lane(Duration timeout) {
            this.timeout = timeout;
        }
    }

    private final Map<Duration, Lane> lanes = new HashMap<>();
    private Lane lastLane;
    private long orders;
    private int size;

    /**
     * Adds {@code e} with the deadline {@code now + timeout} (saturating: a timeout of centuries never fires).
     *
     * @return the entry's deadline
     */
    long add(E e, long now, Duration timeout) {
        if (e.lane != null) {
            throw new IllegalStateException("entry already waiting");
        }
        Lane lane = lastLane;
        if (lane == null || !lane.timeout.equals(timeout)) {
            lane = lanes.get(timeout);
            if (lane == null) {
                lane = new Lane(timeout);
                lanes.put(timeout, lane);
            }
            lastLane = lane;
        } else if (!lane.inMap) {
            lanes.put(timeout, lane);
            lane.inMap = true;
        }
        e.deadline = deadline(now, timeout);
        e.order = orders++;
        e.lane = lane;
        e.prev = lane.tail;
        e.next = null;
        if (lane.tail == null) {
            lane.head = e;
        } else {
            lane.tail.next = e;
        }
        lane.tail = e;
        size++;
        return e.deadline;
    }

    /** Removes {@code e} if it is waiting; returns whether it was. */
    boolean remove(E e) {
        Lane lane = e.lane;
        if (lane == null) {
            return false;
        }
        if (e.prev == null) {
            lane.head = e.next;
        } else {
            e.prev.next = e.next;
        }
        if (e.next == null) {
            lane.tail = e.prev;
        } else {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.lane = null;
        size--;
        if (lane.head == null && lanes.size() > KEPT_LANES) {
            lanes.remove(lane.timeout);
            lane.inMap = false;
        }
        return true;
    }

    /** The earliest deadline of all waiting entries, or {@link Long#MAX_VALUE} when none waits. */
    long earliest() {
        Entry first = first();
        return first == null ? Long.MAX_VALUE : first.deadline;
    }

    /**
     * Removes and returns the entry with the earliest deadline if that deadline is {@code <= now} (ties in the order
     * the entries were added), or returns null.
     */
    @SuppressWarnings("unchecked")
    E pollDue(long now) {
        Entry first = first();
        if (first == null || first.deadline > now || first.deadline == Long.MAX_VALUE) {
            return null;
        }
        remove((E) first);
        return (E) first;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private Entry first() {
        if (size == 0) {
            return null;
        }
        Entry best = null;
        for (Lane lane : lanes.values()) {
            Entry h = lane.head;
            if (h != null && (best == null || h.deadline < best.deadline
                    || (h.deadline == best.deadline && h.order < best.order))) {
                best = h;
            }
        }
        return best;
    }

    /** {@code now + timeout} in nanoseconds, {@link Long#MAX_VALUE} when that does not fit. */
    static long deadline(long now, Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
        long d = now + nanos;
        return ((now ^ d) & (nanos ^ d)) < 0 ? Long.MAX_VALUE : d;
    }
}
