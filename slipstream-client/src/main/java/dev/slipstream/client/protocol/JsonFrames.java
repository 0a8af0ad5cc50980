package dev.slipstream.client.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Streaming helpers shared by the JSON serializers: payloads are located in the frame text and sliced out, not
 * built into trees, so decoding a large payload costs one copy.
 */
final class JsonFrames {
    private JsonFrames() {}

    /** A writer sized for the message, so large payloads are not copied while the buffer grows. */
    static StringWriter writerFor(Message m) {
        return new StringWriter(64 + m.topic().length() + m.event().length() + payloadLengthHint(m.payload()));
    }

    private static int payloadLengthHint(Payload p) {
        if (p instanceof Payload.Json j) {
            return j.text().length();
        }
        if (p instanceof Payload.Reply r) {
            return 32 + payloadLengthHint(r.response());
        }
        return 0;
    }

    static JsonGenerator generator(StringWriter w) {
        try {
            return JsonCodec.FACTORY.createGenerator(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonParser parser(String text) {
        try {
            return JsonCodec.FACTORY.createParser(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a JSON payload (or a reply as {@code {"response":...,"status":...}}) at the generator's position. */
    static void writePayload(JsonGenerator g, Payload p, String field) throws IOException {
        if (p instanceof Payload.Json j) {
            g.writeRawValue(j.text());
        } else if (p instanceof Payload.Reply r) {
            g.writeStartObject();
            g.writeFieldName("response");
            writePayload(g, r.response(), "response");
            g.writeStringField("status", r.status());
            g.writeEndObject();
        } else {
            throw new EncodeException(
                    "a binary " + field + " cannot be written in a JSON text frame (binary frames need the V2 serializer)",
                    field);
        }
    }

    static void writeNullableString(JsonGenerator g, String s) throws IOException {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(s);
        }
    }

    /** Reads a ref at the current token: a string or null. */
    static String readRef(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw error(field + " must be a string or null, got " + describe(t), field, p);
    }

    /** Reads a required string at the current token. */
    static String readString(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw error(field + " must be a string, got " + describe(t), field, p);
    }

    /** Slices the JSON value at the current token out of {@code text}, validating it on the way. */
    static Payload.Json readJsonValue(JsonParser p, String text, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null || t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
            throw error("missing " + field, field, p);
        }
        int start = (int) p.currentTokenLocation().getCharOffset();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else if (t == JsonToken.VALUE_STRING) {
            p.getText(); // strings are parsed lazily; finish this one so the location is past its closing quote
        }
        int end = (int) p.currentLocation().getCharOffset();
        return Payload.Json.trusted(text.substring(start, end));
    }

    /** Reads a {@code phx_reply} payload {@code {"response": ..., "status": "..."}} at the current token. */
    static Payload.Reply readReply(JsonParser p, String text) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("a phx_reply payload must be an object {\"response\":...,\"status\":...}, got "
                    + describe(p.currentToken()), "payload", p);
        }
        String status = null;
        Payload.Json response = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t == null) {
                throw error("the frame ends inside the phx_reply payload", "payload", p);
            }
            String name = p.currentName();
            p.nextToken();
            if ("status".equals(name)) {
                status = readString(p, "status");
            } else if ("response".equals(name)) {
                response = readJsonValue(p, text, "response");
            } else {
                p.skipChildren();
            }
        }
        if (status == null) {
            throw error("phx_reply payload has no \"status\"", "status", p);
        }
        if (response == null) {
            throw error("phx_reply payload has no \"response\"", "response", p);
        }
        return Payload.reply(status, response);
    }

    static DecodeException error(String problem, String field, JsonParser p) {
        return new DecodeException(problem, field, p.currentTokenLocation().getCharOffset());
    }

    static DecodeException invalidJson(JsonProcessingException e) {
        long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
        return new DecodeException("invalid JSON: " + e.getOriginalMessage(), "frame", offset, e);
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the frame";
        }
        switch (t) {
            case START_OBJECT: return "an object";
            case START_ARRAY: return "an array";
            case VALUE_STRING: return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            case END_ARRAY: return "the end of the array";
            case END_OBJECT: return "the end of the object";
            default: return t.toString();
        }
    }
}
