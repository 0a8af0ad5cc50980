package dev.slipstream.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The codec's one Jackson configuration, shared by every serializer: strict (one JSON value, no trailing tokens),
 * no default typing and no polymorphic deserialisation, so untrusted frames can only ever become {@link JsonNode}
 * trees. Thread-safe.
 *
 * <pre>{@code
 * JsonNode node = JsonCodec.parse("{\"a\":1}");
 * String text = JsonCodec.write(node); // {"a":1}
 * JsonNode fromRecord = JsonCodec.toTree(new Greeting("hi"));
 * }</pre>
 */
public final class JsonCodec {
    static final JsonFactory FACTORY = factory();

    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The mapper of payloads not bound to a client's own: {@link Payload#of(Object)}, {@link Payload#as(Class)}. */
    static final ObjectMapper VALUES = newObjectMapper();

    private JsonCodec() {}

    private static JsonFactory factory() {
        return JsonFactory.builder()
                // Phoenix's own limit on an inbound frame is 10 MB; payloads may be far larger on the way out, and the
                // transport enforces the size limit, so the parser must not impose a smaller one of its own.
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE)
                        .maxDocumentLength(-1)
                        .maxNestingDepth(1000)
                        .build())
                .build();
    }

    /**
     * A new {@code ObjectMapper} configured as a client's default one, for typed payloads: Jackson's defaults, except
     * that properties a type does not have are ignored (servers add fields; a client should not break on them) and
     * the parser takes strings and documents as long as the codec does. Add modules to it and give it to a client's
     * builder ({@code objectMapper(...)}). Each call returns a new mapper, so changing one changes no other.
     *
     * <pre>{@code
     * ObjectMapper mapper = JsonCodec.newObjectMapper()
     *     .registerModule(new JavaTimeModule())
     *     .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
     * SlipstreamClient client = SlipstreamClient.builder(uri).objectMapper(mapper).build();
     * }</pre>
     */
    public static ObjectMapper newObjectMapper() {
        return JsonMapper.builder(factory())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /**
     * Parses exactly one JSON value.
     *
     * @throws IllegalArgumentException with the parser's message when {@code text} is not one well-formed value
     */
    public static JsonNode parse(String text) {
        return parseStrict(text);
    }

    /** Writes {@code node} as compact JSON. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Converts a record, POJO, map or list into a JSON tree through Jackson's default bean mapping. */
    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    static JsonNode parseStrict(String text) {
        if (text == null) {
            throw new IllegalArgumentException("JSON text is null");
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("JSON text is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
