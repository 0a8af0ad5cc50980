package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Payload;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** JSON in and out of the admin API: request bodies, payloads (JSON or base64 binary), error bodies. */
final class Json {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    static ObjectNode error(String message) {
        return object().put("error", message);
    }

    /** The request body as a JSON object; an empty body is refused when {@code required}, else read as {}. */
    static ObjectNode body(byte[] body, boolean required) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            if (required) {
                throw AdminError.badRequest("the request needs a JSON object body");
            }
            return object();
        }
        JsonNode node;
        try {
            node = JsonCodec.parse(text);
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest("the body is not JSON: " + e.getMessage());
        }
        if (!node.isObject()) {
            throw AdminError.badRequest("the body must be a JSON object, got " + JsonCodec.write(node));
        }
        return (ObjectNode) node;
    }

    /** A required string field of a body. */
    static String text(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw AdminError.badRequest("\"" + field + "\" is required");
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw AdminError.badRequest("\"" + field + "\" must be a non-empty string, got " + JsonCodec.write(value));
        }
        return value.asText();
    }

    /**
     * The payload of a push or broadcast body: {@code payload} (a JSON object, {} when absent) or
     * {@code payload_base64} (binary frames), not both.
     */
    static Payload payload(ObjectNode body) {
        JsonNode json = body.get("payload");
        JsonNode base64 = body.get("payload_base64");
        if (json != null && base64 != null) {
            throw AdminError.badRequest("give \"payload\" or \"payload_base64\", not both");
        }
        if (base64 != null) {
            if (!base64.isTextual()) {
                throw AdminError.badRequest("\"payload_base64\" must be a base64 string, got " + JsonCodec.write(base64));
            }
            try {
                return Payload.binary(Base64.getDecoder().decode(base64.asText()));
            } catch (IllegalArgumentException e) {
                throw AdminError.badRequest("\"payload_base64\" is not base64: " + e.getMessage());
            }
        }
        if (json == null) {
            return Payload.json(object());
        }
        if (!json.isObject()) {
            // Phoenix raises ArgumentError for pushes and broadcasts that are not maps.
            throw AdminError.badRequest("\"payload\" must be a JSON object (as Phoenix requires), got "
                    + JsonCodec.write(json));
        }
        return Payload.json(json);
    }

    /** Writes a payload into {@code into}: {@code payload} for JSON, {@code payload_base64} for binary. */
    static void putPayload(ObjectNode into, Payload payload) {
        if (payload instanceof Payload.Binary b) {
            into.put("payload_base64", Base64.getEncoder().encodeToString(b.toByteArray()));
        } else if (payload instanceof Payload.Json j) {
            into.set("payload", j.json());
        } else {
            into.set("payload", ((Payload.Reply) payload).toJson());
        }
    }
}
