package dev.slipstream.testing.script;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.opentest4j.AssertionFailedError;

/**
 * The events of one connection, in arrival order, and the waits on them. Server threads {@link #add} events; the
 * test thread {@link #take}s the first one matching an expectation (a selective receive, as ExUnit's
 * {@code assert_receive}: events the test does not ask for stay where they are) or {@link #refute}s one.
 *
 * <p>Every wait is a bounded {@link Condition#awaitNanos} on this mailbox's lock, woken by each new event, so an
 * assertion returns as soon as its event arrives and never sleeps. A wait also ends early once the connection is
 * closed, since nothing more can arrive on it.
 */
final class Mailbox {
    private final String name;
    private final long openedAt = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Inbound> events = new ArrayList<>();
    private boolean closed;

    Mailbox(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    long nanosSinceOpen() {
        return System.nanoTime() - openedAt;
    }

    /** Records a frame the client sent; returns the event so the caller can attach the answer handle. */
    Inbound add(dev.slipstream.protocol.Message message, Object handle) {
        lock.lock();
        try {
            Inbound e = Inbound.frame(events.size() + 1, message, nanosSinceOpen());
            e.handle = handle;
            events.add(e);
            changed.signalAll();
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** Records the end of the connection; nothing is added after it. */
    void close(int code, String detail, boolean byServer) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            events.add(Inbound.disconnect(events.size() + 1, code, detail, byServer, nanosSinceOpen()));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops every event, taken or not, for a server shared between tests; a closed mailbox stays closed. */
    void clear() {
        lock.lock();
        try {
            events.clear();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Consumes the first untaken event matching {@code expected}, waiting up to {@code timeout} for it.
     *
     * @throws AssertionFailedError naming what was expected, how long it waited, the closest event and every event
     *     of this connection
     */
    Inbound take(Expectation expected, Duration timeout, String assertion) {
        long start = System.nanoTime();
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            int scanned = 0;
            while (true) {
                for (int i = scanned; i < events.size(); i++) {
                    Inbound e = events.get(i);
                    if (e.takenBy == null && expected.matches(e)) {
                        e.takenBy = assertion;
                        return e;
                    }
                }
                // Taken events never become untaken, and old events never change: rescan only what is new.
                scanned = events.size();
                if (closed || remaining <= 0) {
                    throw timedOut(expected, System.nanoTime() - start, timeout, assertion);
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError(assertion + " was interrupted while waiting for " + expected.describe()
                    + " on " + name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fails if an untaken event matching {@code expected} is present or arrives within {@code window}. Always waits
     * the whole window unless the connection closes, after which nothing can arrive.
     */
    void refute(Expectation expected, Duration window, String assertion) {
        long start = System.nanoTime();
        long remaining = window.toNanos();
        lock.lock();
        try {
            int scanned = 0;
            while (true) {
                for (int i = scanned; i < events.size(); i++) {
                    Inbound e = events.get(i);
                    if (e.takenBy == null && expected.matches(e)) {
                        throw refuted(expected, e, System.nanoTime() - start, assertion);
                    }
                }
                scanned = events.size();
                if (closed || remaining <= 0) {
                    return;
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError(assertion + " was interrupted on " + name);
        } finally {
            lock.unlock();
        }
    }

    /** Untaken events other than heartbeats, for {@code assertNoMoreEvents}-style checks. */
    List<Inbound> untaken(boolean includeHeartbeats) {
        lock.lock();
        try {
            List<Inbound> out = new ArrayList<>();
            for (Inbound e : events) {
                if (e.takenBy == null && (includeHeartbeats || e.kind != Inbound.Kind.HEARTBEAT)) {
                    out.add(e);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Every event of this connection, as lines, for failure messages; caller holds no lock. */
    String history() {
        lock.lock();
        try {
            return historyLocked();
        } finally {
            lock.unlock();
        }
    }

    private String historyLocked() {
        if (events.isEmpty()) {
            return "nothing was received on " + name + ".";
        }
        StringBuilder sb = new StringBuilder("everything received on ").append(name).append(", in order (")
                .append(events.size()).append(events.size() == 1 ? " event):" : " events):");
        for (Inbound e : events) {
            sb.append("\n  ").append(e.line());
            if (e.takenBy != null) {
                sb.append("   (taken by ").append(e.takenBy).append(')');
            }
        }
        return sb.toString();
    }

    private AssertionFailedError timedOut(Expectation expected, long waitedNanos, Duration timeout, String assertion) {
        Inbound closest = null;
        int best = -1;
        Inbound alreadyTaken = null;
        for (Inbound e : events) {
            if (e.takenBy != null) {
                if (alreadyTaken == null && expected.matches(e)) {
                    alreadyTaken = e;
                }
                continue;
            }
            int c = expected.closeness(e);
            if (c > best) {
                best = c;
                closest = e;
            }
        }
        StringBuilder sb = new StringBuilder(assertion).append(" failed: expected ").append(expected.describe());
        if (closed) {
            sb.append(", but ").append(name).append(" closed after ").append(millis(waitedNanos))
                    .append(" of waiting, and it never arrived.");
        } else {
            sb.append(" within ").append(millis(timeout.toNanos())).append(" on ").append(name)
                    .append(", but it did not arrive.");
        }
        if (closest != null) {
            sb.append("\nclosest match: ").append(closest.line()).append("\n  ").append(expected.mismatch(closest));
        } else {
            sb.append("\nno ").append(expected.kind.label).append(" arrived that the test had not taken yet.");
        }
        if (alreadyTaken != null) {
            sb.append("\nnote: #").append(alreadyTaken.seq).append(" matches, but ").append(alreadyTaken.takenBy)
                    .append(" already took it.");
        }
        sb.append('\n').append(historyLocked());
        String actual = closest != null ? expected.actualText(closest) : historyLocked();
        return new AssertionFailedError(sb.toString(), expected.expectedText(), actual);
    }

    private AssertionFailedError refuted(Expectation expected, Inbound e, long waitedNanos, String assertion) {
        String message = assertion + " failed: expected " + expected.describeNegated() + " on " + name
                + ", but " + e.line() + " arrived (" + millis(waitedNanos) + " into the "
                + "refute window).\n" + historyLocked();
        return new AssertionFailedError(message, "(nothing)", expected.actualText(e));
    }

    static String millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }
}
