package dev.slipstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Payload;
import java.nio.ByteBuffer;

/**
 * How the fake server turns Java values into payloads, wherever its API takes an {@code Object} payload.
 *
 * <ul>
 * <li>a {@link Payload.Json} or {@link Payload.Binary}: as is;</li>
 * <li>{@code byte[]} or {@link ByteBuffer}: a binary payload (binary frames, V2 clients only);</li>
 * <li>a Jackson {@link JsonNode}: that JSON;</li>
 * <li>{@code null}: JSON {@code null};</li>
 * <li>anything else (maps, lists, records, strings, numbers): Jackson's default mapping, so a {@code String} is a
 *     JSON string, not JSON text: use {@code Payload.json("{...}")} for JSON text.</li>
 * </ul>
 *
 * <pre>{@code
 * Payload p = Payloads.of(Map.of("body", "hi"));  // {"body":"hi"}
 * Payload b = Payloads.of(new byte[] {1, 2});     // binary
 * }</pre>
 */
public final class Payloads {
    private Payloads() {}

    /** Converts {@code value} as described in the class documentation. */
    public static Payload of(Object value) {
        return of(value, "payload");
    }

    static Payload of(Object value, String what) {
        if (value instanceof Payload.Reply) {
            throw new IllegalArgumentException(what + " cannot be a reply payload (a phx_reply envelope): " + value);
        }
        if (value instanceof Payload p) {
            return p;
        }
        if (value instanceof byte[] bytes) {
            return Payload.binary(bytes);
        }
        if (value instanceof ByteBuffer buffer) {
            return Payload.binary(buffer.duplicate());
        }
        if (value == null) {
            return Payload.json("null");
        }
        if (value instanceof JsonNode node) {
            return Payload.json(node);
        }
        try {
            return Payload.json(JsonCodec.toTree(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot turn the " + what + " " + value.getClass().getName()
                    + " into JSON: " + e.getMessage(), e);
        }
    }

    /** Like {@link #of(Object)}, but only a JSON object or a binary payload (what Phoenix allows for pushes). */
    static Payload pushable(Object value, String what) {
        Payload p = of(value, what);
        if (p instanceof Payload.Json j && !j.isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object or binary (Phoenix raises "
                    + "ArgumentError otherwise), got " + j.text());
        }
        return p;
    }

    /** Like {@link #of(Object)}, but only a JSON object (what Phoenix allows for join replies and join errors). */
    static Payload object(Object value, String what) {
        Payload p = of(value, what);
        if (!(p instanceof Payload.Json j) || !j.isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object (a map), got " + p);
        }
        return p;
    }
}
