package dev.slipstream.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON as Phoenix writes it: Jason encodes Erlang maps, and maps of up to 32 keys (Erlang "flatmaps") iterate in
 * sorted key order (Erlang term order), so every such object comes out with its keys sorted. Keys decoded from
 * client JSON are binaries, compared by their bytes; keys Phoenix itself puts into maps are atoms, and atoms sort
 * before binaries. The only atom keys that share a map with application keys are Presence's {@code phx_ref} and
 * {@code phx_ref_prev} (a real server sends {@code {"phx_ref":...,"online_at":...}}), so those two come first.
 * Larger maps come out in hash order, which nobody can predict; they keep their order here. Not part of the API.
 *
 * <pre>{@code
 * JsonNode sorted = PhoenixJson.sortKeys(JsonCodec.parse("{\"b\":1,\"a\":2}")); // {"a":2,"b":1}
 * }</pre>
 */
public final class PhoenixJson {
    /** Erlang's {@code MAP_SMALL_MAP_LIMIT}. */
    static final int FLATMAP_LIMIT = 32;

    private PhoenixJson() {}

    /** Whether any object inside {@code node} would be written in another key order by Phoenix. */
    public static boolean needsSorting(JsonNode node) {
        if (node.isObject()) {
            String previous = null;
            boolean small = node.size() <= FLATMAP_LIMIT;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (small && previous != null && compareKeys(previous, e.getKey()) > 0) {
                    return true;
                }
                previous = e.getKey();
                if (needsSorting(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                if (needsSorting(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A copy of {@code node} with the keys of every object of up to 32 keys sorted; {@code node} itself if none needs it. */
    public static JsonNode sortKeys(JsonNode node) {
        return needsSorting(node) ? sorted(node) : node;
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            List<String> keys = new ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(keys::add);
            if (keys.size() <= FLATMAP_LIMIT) {
                keys.sort(PhoenixJson::compareKeys);
            }
            for (String k : keys) {
                out.set(k, sorted(node.get(k)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode child : node) {
                out.add(sorted(child));
            }
            return out;
        }
        return node;
    }

    static int compareKeys(String a, String b) {
        boolean atomA = isAtom(a);
        boolean atomB = isAtom(b);
        if (atomA != atomB) {
            return atomA ? -1 : 1;
        }
        return compareUtf8(a, b);
    }

    private static boolean isAtom(String key) {
        return key.equals("phx_ref") || key.equals("phx_ref_prev");
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
