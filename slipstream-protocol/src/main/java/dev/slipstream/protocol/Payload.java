package dev.slipstream.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;

/**
 * The payload of a Phoenix message: JSON, binary, or (for {@code phx_reply}) a reply with a status and a response.
 *
 * <p>JSON payloads are kept as the text they arrived in and parsed into a tree only when {@link Json#json()} is
 * first called, so relaying or ignoring a large payload costs one copy, not a tree. Binary payloads are views of the
 * frame they arrived in (never copied by the codec).
 *
 * <pre>{@code
 * Payload hello = Payload.json("{\"body\":\"hi\"}");
 * Payload bytes = Payload.binary(new byte[] {1, 2, 3});
 * Payload ok = Payload.reply("ok", Payload.json("{}"));
 * String body = hello.asJson().json().get("body").asText();
 * }</pre>
 */
public sealed interface Payload permits Payload.Json, Payload.Binary, Payload.Reply {

    /** The empty JSON object {@code {}}, the payload of joins without params, leaves and heartbeats. */
    static Json empty() {
        return Json.EMPTY;
    }

    /**
     * A JSON payload from JSON text, validated now (its tree is built on first use of {@link Json#json()}).
     *
     * @throws IllegalArgumentException if {@code jsonText} is not one well-formed JSON value
     */
    static Json json(String jsonText) {
        return Json.parse(jsonText);
    }

    /** A JSON payload from a Jackson tree (not copied: do not mutate it afterwards). */
    static Json json(JsonNode node) {
        return Json.of(node);
    }

    /** A binary payload over a copy of {@code bytes}. */
    static Binary binary(byte[] bytes) {
        return new Binary(ByteBuffer.wrap(bytes.clone()));
    }

    /** A binary payload over the remaining bytes of {@code bytes} (not copied: do not mutate them afterwards). */
    static Binary binary(ByteBuffer bytes) {
        return new Binary(bytes);
    }

    /** The payload of a {@code phx_reply}: a status such as {@code "ok"} or {@code "error"} and a response. */
    static Reply reply(String status, Payload response) {
        return new Reply(status, response);
    }

    /** Whether this payload travels as a binary frame in V2 (a binary payload, or a reply with a binary response). */
    boolean isBinary();

    /** This payload as JSON. */
    default Json asJson() {
        if (this instanceof Json j) {
            return j;
        }
        throw new IllegalStateException("payload is " + kind() + ", not JSON");
    }

    /** This payload as binary. */
    default Binary asBinary() {
        if (this instanceof Binary b) {
            return b;
        }
        throw new IllegalStateException("payload is " + kind() + ", not binary");
    }

    /** This payload as a reply. */
    default Reply asReply() {
        if (this instanceof Reply r) {
            return r;
        }
        throw new IllegalStateException("payload is " + kind() + ", not a reply");
    }

    private String kind() {
        return this instanceof Json ? "JSON" : this instanceof Binary ? "binary" : "a reply";
    }

    /**
     * A JSON payload. Holds its JSON text, its tree, or both; each is made from the other on first use.
     * Equality is JSON equality of the trees: key order does not matter, and numbers are equal by value, so
     * {@code 5}, {@code 5.0} and a {@code long} 5 in a tree built by hand are all equal.
     *
     * <pre>{@code
     * Payload.Json p = Payload.json("{\"n\":1}");
     * int n = p.json().get("n").asInt();
     * String wire = p.text(); // {"n":1}, exactly as given or as received
     * }</pre>
     */
    final class Json implements Payload {
        static final Json EMPTY = new Json("{}", JsonCodec.MAPPER.createObjectNode());

        private volatile String text;
        private volatile JsonNode node;

        private Json(String text, JsonNode node) {
            this.text = text;
            this.node = node;
        }

        static Json parse(String jsonText) {
            if (jsonText == null) {
                throw new IllegalArgumentException("JSON text is null");
            }
            if (JsonScan.isOneValue(jsonText)) {
                return new Json(jsonText, null); // valid; the tree is built only if someone asks for it
            }
            return new Json(jsonText, JsonCodec.parseStrict(jsonText)); // Jackson decides, and words the error
        }

        static Json of(JsonNode node) {
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("JSON node is null or missing");
            }
            return new Json(null, node);
        }

        /** For the decoder: text already checked to be exactly one JSON value. */
        static Json trusted(String validatedText) {
            return new Json(validatedText, null);
        }

        /** The JSON tree, parsed on first use. Treat it as read-only. */
        public JsonNode json() {
            JsonNode n = node;
            if (n == null) {
                n = JsonCodec.parseStrict(text);
                node = n;
            }
            return n;
        }

        /** The JSON text, compact, written on first use when the payload was made from a tree. */
        public String text() {
            String t = text;
            if (t == null) {
                t = JsonCodec.write(node);
                text = t;
            }
            return t;
        }

        /** Whether this is a JSON object (Phoenix requires object payloads for pushes and broadcasts). */
        public boolean isObject() {
            JsonNode n = node;
            if (n != null) {
                return n.isObject();
            }
            String t = text;
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (!Character.isWhitespace(c)) {
                    return c == '{';
                }
            }
            return false;
        }

        @Override
        public boolean isBinary() {
            return false;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Json other)) {
                return false;
            }
            String a = text;
            String b = other.text;
            if (a != null && a.equals(b)) {
                return true;
            }
            return json().equals(JsonEquality.COMPARATOR, other.json());
        }

        @Override
        public int hashCode() {
            return JsonEquality.hash(json());
        }

        @Override
        public String toString() {
            return text();
        }
    }

    /**
     * A binary payload: a read-only view of bytes. Equality is byte equality.
     *
     * <pre>{@code
     * Payload.Binary b = Payload.binary(new byte[] {1, 2, 3});
     * ByteBuffer view = b.buffer(); // no copy
     * byte[] copy = b.toByteArray();
     * }</pre>
     */
    final class Binary implements Payload {
        private final ByteBuffer bytes;

        private Binary(ByteBuffer bytes) {
            if (bytes == null) {
                throw new IllegalArgumentException("binary payload is null");
            }
            this.bytes = bytes.slice().asReadOnlyBuffer();
        }

        /** A read-only view of the bytes, positioned at 0. */
        public ByteBuffer buffer() {
            return bytes.duplicate();
        }

        /** A copy of the bytes. */
        public byte[] toByteArray() {
            byte[] out = new byte[bytes.remaining()];
            bytes.duplicate().get(out);
            return out;
        }

        /** The number of bytes. */
        public int size() {
            return bytes.remaining();
        }

        @Override
        public boolean isBinary() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary other && bytes.equals(other.bytes);
        }

        @Override
        public int hashCode() {
            return bytes.hashCode();
        }

        @Override
        public String toString() {
            return "<binary " + bytes.remaining() + " bytes: " + Bytes.hex(bytes, 32) + ">";
        }
    }

    /**
     * The payload of a {@code phx_reply}: on the wire {@code {"response": ..., "status": ...}} (in that key order, as
     * Phoenix writes it), or a binary reply frame when the response is binary.
     *
     * <pre>{@code
     * Payload.Reply r = message.payload().asReply();
     * if (r.isOk()) {
     *     JsonNode response = r.response().asJson().json();
     * }
     * }</pre>
     */
    final class Reply implements Payload {
        private final String status;
        private final Payload response;

        private Reply(String status, Payload response) {
            if (status == null) {
                throw new IllegalArgumentException("reply status is null");
            }
            if (response == null || response instanceof Reply) {
                throw new IllegalArgumentException("reply response must be JSON or binary, got " + response);
            }
            this.status = status;
            this.response = response;
        }

        /** The status, usually {@code "ok"} or {@code "error"}. */
        public String status() {
            return status;
        }

        /** Whether the status is {@code "ok"}. */
        public boolean isOk() {
            return "ok".equals(status);
        }

        /** The response: JSON or binary. */
        public Payload response() {
            return response;
        }

        @Override
        public boolean isBinary() {
            return response.isBinary();
        }

        /** The reply as the JSON object Phoenix writes; only for JSON responses. */
        public ObjectNode toJson() {
            ObjectNode node = JsonCodec.MAPPER.createObjectNode();
            node.set("response", response.asJson().json());
            node.put("status", status);
            return node;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reply other && status.equals(other.status) && response.equals(other.response);
        }

        @Override
        public int hashCode() {
            return status.hashCode() * 31 + response.hashCode();
        }

        @Override
        public String toString() {
            return "{response=" + response + ", status=" + status + "}";
        }
    }
}
