package dev.slipstream.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Helpers shared by the JSON serializers. Decoding streams through the frame with Jackson and slices payloads out
 * of the frame text instead of building trees, so decoding a large payload costs one copy. Encoding concatenates the
 * escaped header fields and the payload text in one step (one copy of the payload, no generator buffers).
 */
final class JsonFrames {
    private JsonFrames() {}

    /**
     * The JSON string literal of {@code s}, or {@code null} for a null ref, escaped exactly as Jason (Phoenix's JSON
     * library) escapes by default: {@code \"}, {@code \\} and the short escapes {@code \b \t \n \f \r}, other
     * control characters as a backslash, {@code u00} and two upper-case hex digits, everything else (non-ASCII
     * included) as is. So a frame this codec writes is byte for byte the frame Phoenix writes for the same message.
     *
     * @throws EncodeException naming {@code field} when {@code s} holds an unpaired surrogate, which UTF-8 (and so a
     *     websocket text frame) cannot carry
     */
    static String quote(String s, String field) {
        if (s == null) {
            return "null";
        }
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                break;
            }
            i++;
        }
        if (i == n) {
            return "\"" + s + "\"";
        }
        StringBuilder sb = new StringBuilder(n + 16).append('"').append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\b': sb.append("\\b"); break;
                case '\t': sb.append("\\t"); break;
                case '\n': sb.append("\\n"); break;
                case '\f': sb.append("\\f"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new EncodeException(field + " has an unpaired surrogate U+"
                                + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i
                                + ", which UTF-8 cannot carry", field);
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * Whether {@code s} is not null and {@link #quote} would write it as is between quotes: no character JSON must
     * escape, no surrogate (a pair would be written as is too, but an unpaired one must be refused by quote).
     */
    static boolean isPlain(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The JSON text of a JSON payload; a binary payload (or a reply) cannot be written in a text frame. */
    static String jsonText(Payload p, String field) {
        if (p instanceof Payload.Json j) {
            return j.text();
        }
        throw new EncodeException("a " + (p instanceof Payload.Binary ? "binary " : "reply as ") + field
                + " cannot be written in a JSON text frame"
                + (p instanceof Payload.Binary ? " (binary frames need the V2 serializer)" : ""), field);
    }

    static JsonParser parser(String text) {
        try {
            return JsonCodec.FACTORY.createParser(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
        return readString(p, field, 0);
    }

    static String readString(JsonParser p, String field, long base) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw error(field + " must be a string, got " + describe(t), field, p, base);
    }

    /** Slices the JSON value at the current token out of {@code text}, validating it on the way. */
    static Payload.Json readJsonValue(JsonParser p, String text, String field) throws IOException {
        return readJsonValue(p, text, field, 0);
    }

    static Payload.Json readJsonValue(JsonParser p, String text, String field, long base) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null || t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
            throw error("missing " + field + ", got " + describe(t), field, p, base);
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

    /**
     * Reads a {@code phx_reply} payload {@code {"response": ..., "status": "..."}} at the current token. Phoenix
     * writes exactly these two keys, so another key or a repeated one is an error rather than something dropped.
     *
     * @param base added to the parser's offsets when {@code p} reads a slice of the frame rather than the frame
     */
    static Payload.Reply readReply(JsonParser p, String text, long base) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("a phx_reply payload must be an object {\"response\":...,\"status\":...}, got "
                    + describe(p.currentToken()), "payload", p, base);
        }
        String status = null;
        Payload.Json response = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t == null) {
                throw error("the frame ends inside the phx_reply payload", "payload", p, base);
            }
            String name = p.currentName();
            if ("status".equals(name)) {
                if (status != null) {
                    throw error("phx_reply payload has \"status\" twice", "status", p, base);
                }
                p.nextToken();
                status = readString(p, "status", base);
            } else if ("response".equals(name)) {
                if (response != null) {
                    throw error("phx_reply payload has \"response\" twice", "response", p, base);
                }
                p.nextToken();
                response = readJsonValue(p, text, "response", base);
            } else {
                throw error("phx_reply payload has the key " + shorten(name)
                        + "; it may hold only \"response\" and \"status\"", "payload", p, base);
            }
        }
        if (status == null) {
            throw error("phx_reply payload has no \"status\"", "status", p, base);
        }
        if (response == null) {
            throw error("phx_reply payload has no \"response\"", "response", p, base);
        }
        return Payload.reply(status, response);
    }

    /** A JSON string literal for error messages, cut short so a hostile frame cannot blow up a log line. */
    static String shorten(String s) {
        String q = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return '"' + q.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static DecodeException error(String problem, String field, JsonParser p) {
        return error(problem, field, p, 0);
    }

    static DecodeException error(String problem, String field, JsonParser p, long base) {
        long at = p.currentTokenLocation().getCharOffset();
        if (at < 0) {
            at = p.currentLocation().getCharOffset(); // at the end of the input there is no token, only a position
        }
        return new DecodeException(problem, field, Math.max(0, at) + base);
    }

    static DecodeException invalidJson(JsonProcessingException e) {
        return invalidJson(e, 0);
    }

    static DecodeException invalidJson(JsonProcessingException e, long base) {
        long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
        String why = e.getOriginalMessage();
        if (why != null && why.length() > 300) {
            why = why.substring(0, 300) + "...";
        }
        return new DecodeException("invalid JSON: " + why, "frame", at < 0 ? -1 : base + at, e);
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
