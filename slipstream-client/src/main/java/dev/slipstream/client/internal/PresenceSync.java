package dev.slipstream.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * phoenix.js's {@code Presence.syncState} and {@code Presence.syncDiff} (1.8.16), rule for rule, on Jackson trees.
 * A presence is the server's object for one key, {@code {"metas":[{"phx_ref":...}, ...], ...}}; metas are told apart
 * by their {@code phx_ref}. Keys are visited in JavaScript's property order (array-index keys such as {@code "42"}
 * first, ascending, then the others in insertion order), because that order decides the order of phoenix.js's
 * callbacks and of its {@code list()}, and the two clients must agree on both.
 *
 * <p>The state is a map the caller owns; its values are never mutated once stored (a changed presence is a new
 * object), so a shallow copy of the map is a safe snapshot to publish.
 *
 * <pre>{@code
 * LinkedHashMap<String, ObjectNode> state = new LinkedHashMap<>();
 * List<PresenceSync.Change> changes = new ArrayList<>();
 * PresenceSync.syncState(state, presenceStatePayload, changes);
 * PresenceSync.syncDiff(state, presenceDiffPayload, changes);
 * List<String> online = PresenceSync.keys(state);
 * }</pre>
 */
public final class PresenceSync {

    private PresenceSync() {
    }

    /**
     * One {@code onJoin} or {@code onLeave} call of phoenix.js: for a join, {@code current} is the presence before
     * (null when the key was not online) and {@code delta} the joined presence; for a leave, {@code current} is the
     * presence after (its metas empty when the key went offline) and {@code delta} the presence that left.
     */
    public record Change(boolean join, String key, ObjectNode current, ObjectNode delta) {
    }

    /**
     * Replaces {@code state} by {@code newState} (a {@code presence_state} payload): keys missing from it leave, new
     * keys and new metas join, metas missing from a key leave. On a malformed payload nothing changes.
     *
     * @throws IllegalArgumentException if {@code newState} is not an object of presences with {@code metas} arrays
     */
    public static void syncState(Map<String, ObjectNode> state, JsonNode newState, List<Change> changes) {
        requirePresences(newState, "presence_state");
        Map<String, ObjectNode> joins = new LinkedHashMap<>();
        Map<String, ObjectNode> leaves = new LinkedHashMap<>();
        for (String key : keys(state)) {
            if (!newState.has(key)) {
                leaves.put(key, state.get(key));
            }
        }
        for (String key : jsOrder(newState.fieldNames())) {
            ObjectNode newPresence = (ObjectNode) newState.get(key);
            ObjectNode current = state.get(key);
            if (current == null) {
                joins.put(key, newPresence);
                continue;
            }
            List<JsonNode> newRefs = refs(newPresence);
            List<JsonNode> currentRefs = refs(current);
            ArrayNode joinedMetas = newPresence.arrayNode();
            newPresence.get("metas").forEach(m -> {
                if (!currentRefs.contains(ref(m))) {
                    joinedMetas.add(m);
                }
            });
            ArrayNode leftMetas = current.arrayNode();
            current.get("metas").forEach(m -> {
                if (!newRefs.contains(ref(m))) {
                    leftMetas.add(m);
                }
            });
            if (!joinedMetas.isEmpty()) {
                joins.put(key, withMetas(newPresence, joinedMetas));
            }
            if (!leftMetas.isEmpty()) {
                leaves.put(key, withMetas(current, leftMetas));
            }
        }
        apply(state, joins, leaves, changes);
    }

    /**
     * Applies {@code diff} (a {@code presence_diff} payload, {@code {"joins":{...},"leaves":{...}}}; a missing side
     * counts as empty) to {@code state}: joins first (metas of a key already online are kept before the joined ones,
     * unless the same {@code phx_ref} joined again), then leaves by {@code phx_ref}; a key whose metas become empty
     * goes offline. On a malformed payload nothing changes.
     *
     * @throws IllegalArgumentException if {@code diff} does not have that shape
     */
    public static void syncDiff(Map<String, ObjectNode> state, JsonNode diff, List<Change> changes) {
        checkDiff(diff);
        apply(state, toMap(diff.get("joins")), toMap(diff.get("leaves")), changes);
    }

    /**
     * Checks that {@code diff} has the shape {@link #syncDiff} needs.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void checkDiff(JsonNode diff) {
        if (diff == null || !diff.isObject()) {
            throw new IllegalArgumentException("presence_diff must be an object with joins and leaves, got "
                    + describe(diff));
        }
        if (diff.get("joins") != null) {
            requirePresences(diff.get("joins"), "presence_diff joins");
        }
        if (diff.get("leaves") != null) {
            requirePresences(diff.get("leaves"), "presence_diff leaves");
        }
    }

    /** The keys of {@code state} in JavaScript's property order: phoenix.js's {@code list()} order. */
    public static List<String> keys(Map<String, ?> state) {
        return jsOrder(state.keySet().iterator());
    }

    private static void apply(Map<String, ObjectNode> state, Map<String, ObjectNode> joins,
            Map<String, ObjectNode> leaves, List<Change> changes) {
        for (String key : keys(joins)) {
            ObjectNode joined = joins.get(key);
            ObjectNode current = state.get(key);
            ObjectNode merged = joined.deepCopy();
            if (current != null) {
                List<JsonNode> joinedRefs = refs(merged);
                ArrayNode metas = merged.arrayNode();
                current.get("metas").forEach(m -> {
                    if (!joinedRefs.contains(ref(m))) {
                        metas.add(m);
                    }
                });
                metas.addAll((ArrayNode) merged.get("metas"));
                merged.set("metas", metas);
            }
            state.put(key, merged); // an existing key keeps its place, as a JavaScript property does
            changes.add(new Change(true, key, current, joined));
        }
        for (String key : keys(leaves)) {
            ObjectNode left = leaves.get(key);
            ObjectNode current = state.get(key);
            if (current == null) {
                continue;
            }
            List<JsonNode> toRemove = refs(left);
            ArrayNode kept = current.arrayNode();
            current.get("metas").forEach(m -> {
                if (!toRemove.contains(ref(m))) {
                    kept.add(m);
                }
            });
            ObjectNode after = withMetas(current, kept);
            state.put(key, after);
            changes.add(new Change(false, key, after, left));
            if (kept.isEmpty()) {
                state.remove(key);
            }
        }
    }

    /**
     * {@code keys} in the order JavaScript enumerates an object's own string properties: canonical array indices
     * (0 to 2^32 - 2) ascending, then every other key in insertion order.
     */
    static List<String> jsOrder(java.util.Iterator<String> keys) {
        List<String> indices = new ArrayList<>();
        List<String> others = new ArrayList<>();
        keys.forEachRemaining(k -> (isArrayIndex(k) ? indices : others).add(k));
        if (indices.isEmpty()) {
            return others;
        }
        indices.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        indices.addAll(others);
        return indices;
    }

    static boolean isArrayIndex(String key) {
        int n = key.length();
        if (n == 0 || n > 10 || (n > 1 && key.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Long.parseLong(key) <= 4_294_967_294L;
    }

    private static ObjectNode withMetas(ObjectNode presence, ArrayNode metas) {
        ObjectNode copy = presence.deepCopy();
        copy.set("metas", metas);
        return copy;
    }

    private static Map<String, ObjectNode> toMap(JsonNode presences) {
        Map<String, ObjectNode> map = new LinkedHashMap<>();
        if (presences != null) {
            presences.properties().forEach(e -> map.put(e.getKey(), (ObjectNode) e.getValue()));
        }
        return map;
    }

    private static void requirePresences(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(what + " must be an object of presences, got " + describe(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isObject() || !e.getValue().path("metas").isArray()) {
                throw new IllegalArgumentException(what + ": presence \"" + e.getKey()
                        + "\" must be an object with a metas array, got " + describe(e.getValue()));
            }
        }
    }

    private static String describe(JsonNode node) {
        String text = Objects.toString(node);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** The {@code phx_ref}s of a presence's metas, compared as phoenix.js does with {@code ===} on their values. */
    private static List<JsonNode> refs(ObjectNode presence) {
        List<JsonNode> refs = new ArrayList<>();
        presence.get("metas").forEach(m -> refs.add(ref(m)));
        return refs;
    }

    /** A missing {@code phx_ref} is JavaScript's undefined, equal only to another missing one. */
    private static JsonNode ref(JsonNode meta) {
        JsonNode r = meta.get("phx_ref");
        return r == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : r;
    }
}
