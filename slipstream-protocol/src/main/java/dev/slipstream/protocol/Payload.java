package dev.slipstream.protocol;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The payload of a Phoenix message: JSON, binary, or (for {@code phx_reply}) a reply with a status and a response.
 *
 * <p>JSON payloads are kept as the text they arrived in and parsed into a tree only when {@link Json#json()} is
 * first called, so relaying or ignoring a large payload costs one copy, not a tree. Binary payloads are views of the
 * frame they arrived in (never copied by the codec).
 *
 * <p>Typed payloads go through Jackson: {@link #of(Object)} writes a record, POJO, map or list as JSON, and
 * {@link #as(Class)} maps JSON back into one, reading the kept text directly (no tree, no second copy), only when
 * asked. A payload a client received maps with that client's {@code ObjectMapper} and names its topic and event in
 * a {@link PayloadMappingException}.
 *
 * <pre>{@code
 * record Msg(String body) {}
 * Payload hello = Payload.of(new Msg("hi"));             // {"body":"hi"}
 * Msg back = hello.as(Msg.class);
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

    /**
     * A JSON payload written from {@code value} by Jackson with the default mapper ({@link JsonCodec#newObjectMapper()}):
     * a record, POJO, {@code Map}, {@code List} or {@code JsonNode} (a {@code JsonNode} is kept as the tree, a
     * {@code Payload.Json} is returned as is). The text is written now, once; the tree only if someone asks.
     *
     * <pre>{@code
     * record NewMsg(String body, List<String> tags) {}
     * Payload p = Payload.of(new NewMsg("hi", List.of("a")));   // {"body":"hi","tags":["a"]}
     * Payload q = Payload.of(Map.of("user", "u1"));
     * }</pre>
     *
     * @throws IllegalArgumentException for null, a {@code String} (JSON text goes to {@link #json(String)}), bytes
     *     (binary payloads are {@link #binary(byte[])}) or a binary payload or reply
     * @throws PayloadMappingException when Jackson cannot write the value (naming its type and the path)
     */
    static Json of(Object value) {
        return of(value, JsonCodec.VALUES);
    }

    /**
     * {@link #of(Object)} written with {@code mapper}, which the payload also keeps for {@link #as(Class)}. A client
     * writes the values given to its {@code push} and {@code join} this way, with its own mapper.
     *
     * <pre>{@code
     * Payload p = Payload.of(new NewMsg("hi", List.of()), myMapper);
     * }</pre>
     */
    static Json of(Object value, ObjectMapper mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (value == null) {
            throw new IllegalArgumentException("payload value is null: use Payload.empty() for {}");
        }
        if (value instanceof Json j) {
            return j;
        }
        if (value instanceof Payload p) {
            throw new IllegalArgumentException("Payload.of got " + (p instanceof Binary ? "a binary payload" : "a reply")
                    + ", which is no JSON value: pass it as it is");
        }
        if (value instanceof CharSequence) {
            throw new IllegalArgumentException("Payload.of got a String, which would travel as a JSON string: "
                    + "for JSON text use Payload.json(text), for an object pass a record, POJO or Map");
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            throw new IllegalArgumentException("Payload.of got bytes: binary payloads are Payload.binary(bytes)");
        }
        if (value instanceof JsonNode node) {
            return Json.of(node).mappedBy(mapper, null, null);
        }
        String text;
        try {
            text = mapper.writeValueAsString(value);
        } catch (IOException e) {
            throw PayloadMappingException.writing(value.getClass(), null, e);
        }
        if (!JsonScan.isOneValue(text)) {
            // Only a custom serializer writing raw text can get here; Phoenix would close the socket on it.
            throw PayloadMappingException.writing(value.getClass(), "Jackson wrote no single JSON value: "
                    + (text.length() > 100 ? text.substring(0, 100) + "..." : text), null);
        }
        return new Json(text, null, mapper, null, null);
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

    /**
     * This JSON payload mapped by Jackson to {@code type} (a record, POJO, {@code Map}, ...), with the mapper of the
     * client that received it (or the one given to {@link #of(Object, ObjectMapper)}, else the default). Parsed
     * straight from the kept text at each call (no tree is built, the text is not copied); for a reply, its response
     * is mapped.
     *
     * <pre>{@code
     * record Msg(String body) {}
     * Msg m = payload.as(Msg.class);
     * Msg answer = sync.push("room:lobby", "ping", new Msg("hi")).as(Msg.class);
     * }</pre>
     *
     * @throws PayloadMappingException naming topic, event, type and JSON path when Jackson cannot map it, or when the
     *     payload is binary
     */
    <T> T as(Class<T> type);

    /**
     * {@link #as(Class)} for generic types.
     *
     * <pre>{@code
     * List<Msg> history = payload.as(new TypeReference<List<Msg>>() {});
     * }</pre>
     */
    <T> T as(TypeReference<T> type);

    /**
     * This payload, sharing its text, tree or bytes (nothing is copied), mapping with {@code mapper} in
     * {@link #as(Class)} and naming {@code topic} and {@code event} in its mapping errors. A client binds every
     * payload it receives this way, to its own mapper.
     *
     * <pre>{@code
     * Payload bound = payload.mappedBy(myMapper, "room:lobby", "new_msg");
     * }</pre>
     */
    Payload mappedBy(ObjectMapper mapper, String topic, String event);

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
        private final ObjectMapper mapper;
        private final String topic;
        private final String event;

        private Json(String text, JsonNode node) {
            this(text, node, JsonCodec.VALUES, null, null);
        }

        private Json(String text, JsonNode node, ObjectMapper mapper, String topic, String event) {
            this.text = text;
            this.node = node;
            this.mapper = mapper;
            this.topic = topic;
            this.event = event;
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

        @Override
        public <T> T as(Class<T> type) {
            return read(Objects.requireNonNull(type, "type"), mapper.constructType(type));
        }

        @Override
        public <T> T as(TypeReference<T> type) {
            return read(Objects.requireNonNull(type, "type").getType(), mapper.constructType(type));
        }

        private <T> T read(java.lang.reflect.Type asked, JavaType type) {
            try {
                JsonNode n = node;
                // The text is read directly: Jackson streams a long String through a small buffer, without copying
                // it whole and without a tree. A tree someone already built is read instead of parsing again.
                return n != null ? mapper.treeToValue(n, type) : mapper.readValue(text, type);
            } catch (IOException | IllegalArgumentException e) {
                throw PayloadMappingException.reading(topic, event, asked, type, e);
            }
        }

        @Override
        public Json mappedBy(ObjectMapper mapper, String topic, String event) {
            return new Json(text, node, Objects.requireNonNull(mapper, "mapper"), topic, event);
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
        private final String topic;
        private final String event;

        private Binary(ByteBuffer bytes) {
            this(bytes, null, null);
        }

        private Binary(ByteBuffer bytes, String topic, String event) {
            if (bytes == null) {
                throw new IllegalArgumentException("binary payload is null");
            }
            this.bytes = bytes.slice().asReadOnlyBuffer();
            this.topic = topic;
            this.event = event;
        }

        /** Always fails: a binary payload has no JSON to map. */
        @Override
        public <T> T as(Class<T> type) {
            throw notJson(Objects.requireNonNull(type, "type"), JsonCodec.VALUES.constructType(type));
        }

        /** Always fails: a binary payload has no JSON to map. */
        @Override
        public <T> T as(TypeReference<T> type) {
            throw notJson(Objects.requireNonNull(type, "type").getType(), JsonCodec.VALUES.constructType(type));
        }

        private PayloadMappingException notJson(java.lang.reflect.Type asked, JavaType type) {
            return PayloadMappingException.notJson(topic, event, asked, type, "the payload is binary (" + size()
                    + " bytes), not JSON; read it with asBinary()");
        }

        @Override
        public Binary mappedBy(ObjectMapper mapper, String topic, String event) {
            return new Binary(bytes, topic, event);
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

        /** The response mapped to {@code type}; see {@link Payload#as(Class)}. Check {@link #isOk()} first. */
        @Override
        public <T> T as(Class<T> type) {
            return response.as(type);
        }

        /** The response mapped to {@code type}; see {@link Payload#as(TypeReference)}. */
        @Override
        public <T> T as(TypeReference<T> type) {
            return response.as(type);
        }

        @Override
        public Reply mappedBy(ObjectMapper mapper, String topic, String event) {
            return new Reply(status, response.mappedBy(mapper, topic, event));
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
