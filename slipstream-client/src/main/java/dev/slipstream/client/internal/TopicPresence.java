package dev.slipstream.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is online on one topic, as phoenix.js's {@code Presence} object keeps it for its channel: the state merged from
 * {@code presence_state} and {@code presence_diff}, and the diffs that arrived before the state of the current join.
 * Owned by the client's {@link ConnectionOwner} (one per topic incarnation, touched only on the owner's executor).
 *
 * <p>phoenix.js holds a diff while no state has arrived for the channel's current join_ref (a rejoin sends a fresh
 * state, and Phoenix broadcasts the diff of our own join before it pushes the state) and applies the held diffs after
 * the next state. The state itself is kept across rejoins, so the fresh state yields only the real joins and leaves.
 * One deliberate difference: a held diff is kept with the join_ref it arrived under and is dropped if a newer join's
 * state comes first, where phoenix.js would apply it after that newer state and could bring back a meta that left
 * while the client was away (see the {@code held-diff-of-an-older-join} sequence in slipstream-testing).
 *
 * <pre>{@code
 * TopicPresence presence = new TopicPresence();
 * List<PresenceSync.Change> changes = new ArrayList<>();
 * if (presence.onDiff("1", diff, changes)) { ... } // false: held until the state of join "1"
 * if (presence.onState("1", state, changes)) { publish(presence.snapshot()); }
 * }</pre>
 */
public final class TopicPresence {
    /** The event that carries the whole state, pushed by the channel after each join (phoenix.js's default name). */
    public static final String STATE_EVENT = "presence_state";
    /** The event that carries joins and leaves, broadcast on every change. */
    public static final String DIFF_EVENT = "presence_diff";

    private final Map<String, ObjectNode> state = new LinkedHashMap<>();
    private final List<Held> held = new ArrayList<>();
    /** The join_ref whose presence_state was applied last; null before the first. */
    private String syncedJoinRef;

    private record Held(String joinRef, JsonNode diff) {
    }

    /**
     * Applies a {@code presence_state} that arrived under {@code joinRef} (the topic's current join_ref), then the
     * diffs held for that join. Always a sync.
     *
     * @throws IllegalArgumentException for a malformed payload (the state is left as it was)
     */
    public boolean onState(String joinRef, JsonNode payload, List<PresenceSync.Change> changes) {
        PresenceSync.syncState(state, payload, changes);
        syncedJoinRef = joinRef;
        for (Held h : held) {
            if (java.util.Objects.equals(h.joinRef(), joinRef)) {
                PresenceSync.syncDiff(state, h.diff(), changes); // its shape was checked when it arrived
            }
        }
        held.clear();
        return true;
    }

    /**
     * Applies a {@code presence_diff} that arrived under {@code joinRef}, or holds it while the state of that join has
     * not arrived yet. Returns whether it was applied (a sync).
     *
     * @throws IllegalArgumentException for a malformed payload (checked before it is held, so it never waits)
     */
    public boolean onDiff(String joinRef, JsonNode payload, List<PresenceSync.Change> changes) {
        if (syncedJoinRef == null || !syncedJoinRef.equals(joinRef)) {
            PresenceSync.checkDiff(payload);
            held.add(new Held(joinRef, payload));
            return false;
        }
        PresenceSync.syncDiff(state, payload, changes);
        return true;
    }

    /** How many diffs wait for the state. */
    public int heldDiffs() {
        return held.size();
    }

    /** The state now, in phoenix.js's {@code list()} order; the presences are never changed after this. */
    public List<Map.Entry<String, ObjectNode>> snapshot() {
        List<Map.Entry<String, ObjectNode>> list = new ArrayList<>(state.size());
        for (String key : PresenceSync.keys(state)) {
            list.add(Map.entry(key, state.get(key)));
        }
        return list;
    }
}
