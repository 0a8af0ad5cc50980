package dev.slipstream.testing.script;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns what a test writes (maps, JSON text, records, bytes) into payloads, renders payloads for failure messages
 * with sorted keys (so the same payload always reads the same and IDE diffs line up), and finds the first
 * difference between two JSON trees.
 */
final class JsonSupport {
    /** Pretty printing with sorted keys: stable output for failure messages, whatever order the client wrote. */
    private static final ObjectMapper PRETTY = new ObjectMapper()
            .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private static final ObjectMapper COMPACT_SORTED = new ObjectMapper()
            .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);

    /** Longest payload text shown inline in a list of frames; the closest match is always shown in full. */
    private static final int MAX_INLINE = 400;
    /** Maps what a client sent into the test's types: the client's default configuration (unknown keys ignored). */
    static final ObjectMapper TYPED = JsonCodec.newObjectMapper();

    /** {@code message}'s payload bound to {@link #TYPED}, so a mapping error names its topic and event. */
    static Payload typed(Message message) {
        return message.payload().mappedBy(TYPED, message.topic(), message.event());
    }

    private JsonSupport() {}

    /**
     * A payload from what a test passes: a {@link Payload} as is, {@code byte[]} or {@link ByteBuffer} as binary, a
     * {@link JsonNode} as JSON, a {@link String} as JSON text, and anything else (maps, lists, records, POJOs,
     * numbers) through Jackson's default mapping.
     */
    static Payload toPayload(Object value, String what) {
        if (value instanceof Payload p) {
            return p;
        }
        if (value instanceof byte[] bytes) {
            return Payload.binary(bytes);
        }
        if (value instanceof ByteBuffer buffer) {
            return Payload.binary(buffer.duplicate());
        }
        return Payload.json(toJson(value, what));
    }

    /** A JSON tree from what a test passes (see {@link #toPayload}); binary values are refused. */
    static JsonNode toJson(Object value, String what) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof Payload.Json json) {
            return json.json();
        }
        if (value instanceof Payload || value instanceof byte[] || value instanceof ByteBuffer) {
            throw new IllegalArgumentException(what + " must be JSON, but is binary: " + value);
        }
        if (value instanceof String text) {
            try {
                return JsonCodec.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " is a String, so it must be JSON text, but "
                        + e.getMessage() + ": " + abbreviate(text, 200)
                        + " (to expect the JSON string \"" + abbreviate(text, 40) + "\", pass it quoted)", e);
            }
        }
        try {
            return JsonCodec.toTree(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " cannot be turned into JSON by Jackson: "
                    + value.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /** A JSON object payload for a push or broadcast; Phoenix refuses anything but a map there. */
    static Payload toObjectPayload(Object value, String what) {
        Payload p = toPayload(value, what);
        if (p instanceof Payload.Json json && !json.json().isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object (Phoenix pushes and broadcasts only "
                    + "maps), but is: " + compact(json.json()));
        }
        return p;
    }

    /** Pretty JSON with sorted keys, or a readable description of binary bytes. */
    static String pretty(Payload payload) {
        if (payload instanceof Payload.Json json) {
            return pretty(json.json());
        }
        if (payload instanceof Payload.Reply reply) {
            return "{\"response\": " + pretty(reply.response()) + ", \"status\": \"" + reply.status() + "\"}";
        }
        return binary(payload.asBinary());
    }

    static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return String.valueOf(node); // a tree always writes; keep the message readable regardless
        }
    }

    static String compact(JsonNode node) {
        try {
            return COMPACT_SORTED.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return String.valueOf(node);
        }
    }

    /** A payload on one line, shortened when long. */
    static String inline(Payload payload) {
        String text;
        if (payload instanceof Payload.Json json) {
            text = compact(json.json());
        } else if (payload instanceof Payload.Reply reply) {
            text = "{\"response\":" + inline(reply.response()) + ",\"status\":\"" + reply.status() + "\"}";
        } else {
            text = binary(payload.asBinary());
        }
        return abbreviate(text, MAX_INLINE);
    }

    /** A message as its V2 array, on one line, with sorted payload keys. */
    static String inline(Message m) {
        return "[" + quote(m.joinRef()) + "," + quote(m.ref()) + "," + quote(m.topic()) + "," + quote(m.event())
                + "," + inline(m.payload()) + "]";
    }

    static String binary(Payload.Binary binary) {
        ByteBuffer b = binary.buffer();
        StringBuilder sb = new StringBuilder("<binary, ").append(b.remaining()).append(" bytes:");
        int shown = Math.min(b.remaining(), 64);
        for (int i = 0; i < shown; i++) {
            sb.append(' ').append(String.format("%02x", b.get(i) & 0xff));
        }
        if (shown < b.remaining()) {
            sb.append(" ...");
        }
        return sb.append('>').toString();
    }

    static String quote(String s) {
        return s == null ? "null" : '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }

    /** JSON equality where numbers compare by value ({@code 1} equals {@code 1.0} and a long 1). */
    static boolean sameJson(JsonNode expected, JsonNode actual) {
        return firstDifference(expected, actual, "", false) == null;
    }

    /**
     * Where {@code actual} first departs from {@code expected}, as a sentence naming the JSON pointer, or null when
     * they match. With {@code partial}, keys of {@code actual} absent from {@code expected} are ignored at every
     * depth; arrays must still have the same length.
     */
    static String firstDifference(JsonNode expected, JsonNode actual, String path, boolean partial) {
        String where = path.isEmpty() ? "the payload" : path;
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0
                    ? null
                    : "at " + where + " expected " + compact(expected) + " but was " + compact(actual);
        }
        if (expected.isObject() && actual.isObject()) {
            for (Map.Entry<String, JsonNode> e : expected.properties()) {
                String childPath = path + "/" + e.getKey();
                JsonNode a = actual.get(e.getKey());
                if (a == null) {
                    return "missing key " + childPath + " (expected " + abbreviate(compact(e.getValue()), 80) + ")";
                }
                String d = firstDifference(e.getValue(), a, childPath, partial);
                if (d != null) {
                    return d;
                }
            }
            if (!partial) {
                for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!expected.has(key)) {
                        return "unexpected key " + path + "/" + key + " = "
                                + abbreviate(compact(actual.get(key)), 80);
                    }
                }
            }
            return null;
        }
        if (expected.isArray() && actual.isArray()) {
            if (expected.size() != actual.size()) {
                return "at " + where + " expected an array of " + expected.size() + " but it has " + actual.size()
                        + ": " + abbreviate(compact(actual), 120);
            }
            for (int i = 0; i < expected.size(); i++) {
                String d = firstDifference(expected.get(i), actual.get(i), path + "/" + i, partial);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (expected.equals(actual)) {
            return null;
        }
        return "at " + where + " expected " + abbreviate(compact(expected), 120) + " but was "
                + abbreviate(compact(actual), 120);
    }
}
