package dev.slipstream.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Map;

/**
 * JSON value equality for {@link Payload.Json}: Jackson's trees tell an {@code int} 5 from a {@code long} 5 or a
 * {@code 5.0}, but on the wire they are the same JSON number, so numbers compare (and hash) by value.
 */
final class JsonEquality {
    /** For {@link JsonNode#equals(Comparator, JsonNode)}, which applies it to leaf values. */
    static final Comparator<JsonNode> COMPARATOR = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonEquality() {}

    /** A hash consistent with {@link #COMPARATOR}: key order ignored, numbers by value. */
    static int hash(JsonNode n) {
        if (n.isObject()) {
            int h = 1;
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                h += e.getKey().hashCode() ^ hash(e.getValue());
            }
            return h;
        }
        if (n.isArray()) {
            int h = 2;
            for (JsonNode child : n) {
                h = 31 * h + hash(child);
            }
            return h;
        }
        if (n.isNumber()) {
            BigDecimal d = n.decimalValue();
            return d.signum() == 0 ? 0 : d.stripTrailingZeros().hashCode();
        }
        return n.hashCode();
    }
}
