package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.ServerListener;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What clients sent, for the admin API: every inbound message (joins, pushes, leaves, heartbeats) with its connection,
 * socket id and arrival time, oldest first, at most {@code capacity} of them. When full, the oldest entry goes and
 * {@link #dropped()} counts it; the sequence numbers keep counting, so a reader sees the gap.
 *
 * <p>Written by every connection's serial executor and read by admin requests, so one lock guards it; each
 * operation is short and never calls out while holding it.
 */
final class Journal implements ServerListener {

    /** One inbound message. */
    record Entry(long seq, Instant time, String connection, String socketId, Message message) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("seq", seq);
            o.put("time", time.toString());
            o.put("connection", connection);
            o.put("socket_id", socketId);
            o.put("topic", message.topic());
            o.put("event", message.event());
            o.put("ref", message.ref());
            o.put("join_ref", message.joinRef());
            Payload payload = message.payload();
            Json.putPayload(o, payload);
            return o;
        }
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextSeq = 1;
    private long dropped;

    Journal(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("journal capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public void onInbound(ServerConnection connection, Message message) {
        add(connection.id(), connection.socketId().orElse(null), message, Instant.now());
    }

    void add(String connection, String socketId, Message message, Instant time) {
        synchronized (entries) {
            if (entries.size() == capacity) {
                entries.removeFirst();
                dropped++;
            }
            entries.addLast(new Entry(nextSeq++, time, connection, socketId, message));
        }
    }

    int capacity() {
        return capacity;
    }

    /** The entries that match, oldest first. */
    List<Entry> find(Predicate<Entry> filter) {
        List<Entry> copy;
        synchronized (entries) {
            copy = new ArrayList<>(entries);
        }
        copy.removeIf(filter.negate());
        return copy;
    }

    /** How many entries were dropped to keep the limit since the journal was last reset. */
    long dropped() {
        synchronized (entries) {
            return dropped;
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Empties the journal and its drop count; returns how many entries it held. Sequence numbers go on. */
    int reset() {
        synchronized (entries) {
            int n = entries.size();
            entries.clear();
            dropped = 0;
            return n;
        }
    }
}
