package dev.slipstream.examples.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is online on a Phoenix topic, merged from {@code presence_state} and {@code presence_diff} payloads exactly as
 * phoenix.js's {@code Presence.syncState} and {@code Presence.syncDiff} do. A presence is the server's object for one
 * key, {@code {"metas":[{"phx_ref":...}, ...], ...}}; metas are told apart by their {@code phx_ref}, so a state that is
 * sent again after a reconnect produces joins and leaves only for what really changed.
 *
 * <p>Values are immutable: every sync returns a new state and leaves the old one (and the payload) untouched.
 *
 * <pre>{@code
 * PresenceState state = PresenceState.empty()
 *     .syncState(stateFromServer, PresenceState.Callbacks.NONE)
 *     .syncDiff(diffFromServer, new PresenceState.Callbacks() {
 *         public void onLeave(String key, ObjectNode current, ObjectNode left) {
 *             if (current.withArray("metas").isEmpty()) System.out.println(key + " went offline");
 *         }
 *     });
 * List<String> online = state.keys();
 * }</pre>
 */
public final class PresenceState {

    /**
     * What a sync reports, per key, as phoenix.js's {@code onJoin} and {@code onLeave}.
     *
     * <pre>{@code
     * PresenceState.Callbacks log = new PresenceState.Callbacks() {
     *     public void onJoin(String key, ObjectNode current, ObjectNode joined) {
     *         if (current == null) System.out.println(key + " came online");
     *     }
     * };
     * }</pre>
     */
    public interface Callbacks {
        /** Callbacks that do nothing. */
        Callbacks NONE = new Callbacks() { };

        /**
         * {@code joined} (with only the new metas) joined {@code key}; {@code current} is the presence before, or
         * null when the key was not online.
         */
        default void onJoin(String key, ObjectNode current, ObjectNode joined) {
        }

        /**
         * {@code left} (the metas that left) left {@code key}; {@code current} is the presence after, whose metas are
         * empty when the key went offline.
         */
        default void onLeave(String key, ObjectNode current, ObjectNode left) {
        }
    }

    private static final PresenceState EMPTY = new PresenceState(Map.of());

    private final Map<String, ObjectNode> presences;

    private PresenceState(Map<String, ObjectNode> presences) {
        this.presences = presences;
    }

    /** Nobody online. */
    public static PresenceState empty() {
        return EMPTY;
    }

    /**
     * This state replaced by {@code newState} (a {@code presence_state} payload): keys missing from it leave, new keys
     * and new metas join, metas missing from a key leave.
     *
     * @throws IllegalArgumentException if {@code newState} is not an object of presences with {@code metas} arrays
     */
    public PresenceState syncState(JsonNode newState, Callbacks callbacks) {
        requirePresences(newState, "presence_state");
        Objects.requireNonNull(callbacks, "callbacks");
        Map<String, ObjectNode> joins = new LinkedHashMap<>();
        Map<String, ObjectNode> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, ObjectNode> e : presences.entrySet()) {
            if (!newState.has(e.getKey())) {
                leaves.put(e.getKey(), e.getValue().deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : newState.properties()) {
            ObjectNode newPresence = (ObjectNode) e.getValue();
            ObjectNode current = presences.get(e.getKey());
            if (current == null) {
                joins.put(e.getKey(), newPresence.deepCopy());
                continue;
            }
            Set<String> newRefs = refs(newPresence);
            Set<String> currentRefs = refs(current);
            ArrayNode joinedMetas = newPresence.arrayNode();
            for (JsonNode meta : newPresence.get("metas")) {
                if (!currentRefs.contains(ref(meta))) {
                    joinedMetas.add(meta.deepCopy());
                }
            }
            ArrayNode leftMetas = current.arrayNode();
            for (JsonNode meta : current.get("metas")) {
                if (!newRefs.contains(ref(meta))) {
                    leftMetas.add(meta.deepCopy());
                }
            }
            if (!joinedMetas.isEmpty()) {
                ObjectNode joined = newPresence.deepCopy();
                joined.set("metas", joinedMetas);
                joins.put(e.getKey(), joined);
            }
            if (!leftMetas.isEmpty()) {
                ObjectNode left = current.deepCopy();
                left.set("metas", leftMetas);
                leaves.put(e.getKey(), left);
            }
        }
        return apply(joins, leaves, callbacks);
    }

    /**
     * This state with {@code diff} (a {@code presence_diff} payload, {@code {"joins":{...},"leaves":{...}}}) applied:
     * joins first (metas of a key already online are kept before the joined ones, unless the same {@code phx_ref}
     * joined again), then leaves by {@code phx_ref}; a key whose metas become empty goes offline.
     *
     * @throws IllegalArgumentException if {@code diff} does not have that shape
     */
    public PresenceState syncDiff(JsonNode diff, Callbacks callbacks) {
        if (diff == null || !diff.isObject()) {
            throw new IllegalArgumentException("presence_diff must be an object with joins and leaves, got " + diff);
        }
        Objects.requireNonNull(callbacks, "callbacks");
        JsonNode joins = diff.path("joins").isMissingNode() ? JsonNodeFactory.instance.objectNode() : diff.get("joins");
        JsonNode leaves = diff.path("leaves").isMissingNode() ? JsonNodeFactory.instance.objectNode() : diff.get("leaves");
        requirePresences(joins, "presence_diff joins");
        requirePresences(leaves, "presence_diff leaves");
        return apply(toMap(joins), toMap(leaves), callbacks);
    }

    private PresenceState apply(Map<String, ObjectNode> joins, Map<String, ObjectNode> leaves, Callbacks callbacks) {
        Map<String, ObjectNode> state = new LinkedHashMap<>();
        presences.forEach((k, v) -> state.put(k, v.deepCopy()));
        for (Map.Entry<String, ObjectNode> e : joins.entrySet()) {
            String key = e.getKey();
            ObjectNode current = state.get(key);
            ObjectNode merged = e.getValue().deepCopy();
            if (current != null) {
                Set<String> joinedRefs = refs(merged);
                ArrayNode metas = merged.arrayNode();
                for (JsonNode meta : current.get("metas")) {
                    if (!joinedRefs.contains(ref(meta))) {
                        metas.add(meta);
                    }
                }
                metas.addAll((ArrayNode) merged.get("metas"));
                merged.set("metas", metas);
            }
            state.put(key, merged);
            callbacks.onJoin(key, current == null ? null : current.deepCopy(), e.getValue().deepCopy());
        }
        for (Map.Entry<String, ObjectNode> e : leaves.entrySet()) {
            String key = e.getKey();
            ObjectNode current = state.get(key);
            if (current == null) {
                continue;
            }
            Set<String> toRemove = refs(e.getValue());
            ArrayNode kept = current.arrayNode();
            for (JsonNode meta : current.get("metas")) {
                if (!toRemove.contains(ref(meta))) {
                    kept.add(meta);
                }
            }
            current.set("metas", kept);
            callbacks.onLeave(key, current.deepCopy(), e.getValue().deepCopy());
            if (kept.isEmpty()) {
                state.remove(key);
            }
        }
        return new PresenceState(java.util.Collections.unmodifiableMap(state));
    }

    /** The keys online, in the order they came online. */
    public List<String> keys() {
        return List.copyOf(presences.keySet());
    }

    /** The presence of {@code key} (a copy), or null when offline. */
    public ObjectNode get(String key) {
        ObjectNode p = presences.get(key);
        return p == null ? null : p.deepCopy();
    }

    /** Every presence (copies), keyed and ordered as {@link #keys()}. */
    public Map<String, ObjectNode> list() {
        Map<String, ObjectNode> copy = new LinkedHashMap<>();
        presences.forEach((k, v) -> copy.put(k, v.deepCopy()));
        return copy;
    }

    /** Whether nobody is online. */
    public boolean isEmpty() {
        return presences.isEmpty();
    }

    @Override
    public String toString() {
        return "PresenceState" + presences;
    }

    private static Map<String, ObjectNode> toMap(JsonNode presences) {
        Map<String, ObjectNode> map = new LinkedHashMap<>();
        presences.properties().forEach(e -> map.put(e.getKey(), (ObjectNode) e.getValue()));
        return map;
    }

    private static void requirePresences(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(what + " must be an object of presences, got " + node);
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isObject() || !e.getValue().path("metas").isArray()) {
                throw new IllegalArgumentException(what + ": presence \"" + e.getKey()
                        + "\" must be an object with a metas array, got " + e.getValue());
            }
        }
    }

    private static Set<String> refs(JsonNode presence) {
        Set<String> refs = new HashSet<>();
        for (JsonNode meta : presence.get("metas")) {
            refs.add(ref(meta));
        }
        return refs;
    }

    private static String ref(JsonNode meta) {
        JsonNode r = meta.get("phx_ref");
        return r == null || r.isNull() ? null : r.asText();
    }
}
