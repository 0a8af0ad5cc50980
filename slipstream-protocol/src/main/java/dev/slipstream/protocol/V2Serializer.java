package dev.slipstream.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;

/**
 * The V2 serializer ({@code vsn=2.0.0}): text frames {@code [join_ref, ref, topic, event, payload]}, and binary
 * frames for binary payloads (see {@link BinaryFrames} for the layout). Obtain it with {@link Serializer#v2()}.
 */
final class V2Serializer implements Serializer {
    static final V2Serializer INSTANCE = new V2Serializer();

    private V2Serializer() {}

    @Override
    public String vsn() {
        return Protocol.VSN_2;
    }

    @Override
    public Frame encodeToServer(Message message) {
        Objects.requireNonNull(message, "message");
        if (message.payload().isBinary()) {
            return BinaryFrames.encodeClientPush(message);
        }
        return Frame.text(encodeText(message));
    }

    @Override
    public Frame encodeToClient(Message message) {
        Objects.requireNonNull(message, "message");
        if (message.payload().isBinary()) {
            return BinaryFrames.encodeServerFrame(message);
        }
        return Frame.text(encodeText(message));
    }

    @Override
    public Message decodeFromServer(Frame frame) {
        return decode(frame, true);
    }

    @Override
    public Message decodeFromClient(Frame frame) {
        return decode(frame, false);
    }

    @Override
    public String toString() {
        return "V2 serializer (vsn " + vsn() + ")";
    }

    private static Message decode(Frame frame, boolean fromServer) {
        if (frame == null) {
            throw new DecodeException("frame is null", "frame", -1);
        }
        if (frame instanceof Frame.Binary b) {
            return fromServer ? BinaryFrames.decodeServerFrame(b.bytes()) : BinaryFrames.decodeClientPush(b.bytes());
        }
        return decodeText(((Frame.Text) frame).text(), fromServer);
    }

    /**
     * Writes {@code [join_ref, ref, topic, event, payload]} as Phoenix does (Jason's compact output; a reply as
     * {@code {"response":...,"status":...}}). One string concatenation: the payload text is copied once, into the
     * frame, and nothing else is buffered.
     */
    static String encodeText(Message m) {
        Payload p = m.payload();
        if (JsonFrames.isPlain(m.joinRef()) && JsonFrames.isPlain(m.ref()) && JsonFrames.isPlain(m.topic())
                && JsonFrames.isPlain(m.event())) {
            // The common frame: no header field needs escaping, so the frame is one concatenation, without a quoted
            // copy of each field first.
            if (p instanceof Payload.Json json) {
                return "[\"" + m.joinRef() + "\",\"" + m.ref() + "\",\"" + m.topic() + "\",\"" + m.event() + "\","
                        + json.text() + "]";
            }
            Payload.Reply r = (Payload.Reply) p;
            if (r.response() instanceof Payload.Json json && JsonFrames.isPlain(r.status())) {
                return "[\"" + m.joinRef() + "\",\"" + m.ref() + "\",\"" + m.topic() + "\",\"" + m.event()
                        + "\",{\"response\":" + json.text() + ",\"status\":\"" + r.status() + "\"}]";
            }
        }
        return encodeTextQuoted(m);
    }

    /** The general case of {@link #encodeText}: every header field quoted (and escaped) on its own first. */
    static String encodeTextQuoted(Message m) {
        Payload p = m.payload();
        String joinRef = JsonFrames.quote(m.joinRef(), "join_ref");
        String ref = JsonFrames.quote(m.ref(), "ref");
        String topic = JsonFrames.quote(m.topic(), "topic");
        String event = JsonFrames.quote(m.event(), "event");
        if (p instanceof Payload.Reply r) {
            String response = JsonFrames.jsonText(r.response(), "response");
            String status = JsonFrames.quote(r.status(), "status");
            return "[" + joinRef + "," + ref + "," + topic + "," + event + ",{\"response\":" + response
                    + ",\"status\":" + status + "}]";
        }
        return "[" + joinRef + "," + ref + "," + topic + "," + event + "," + JsonFrames.jsonText(p, "payload") + "]";
    }

    private static Message decodeText(String text, boolean fromServer) {
        Message fast = decodeTextFast(text, fromServer);
        return fast != null ? fast : decodeTextWithJackson(text, fromServer);
    }

    /**
     * The common frame without a parser: refs, topic and event as strings without escapes, the payload checked by
     * {@link JsonScan} and sliced out of the text, exactly five elements. Null when the frame is anything else (an
     * escape in a header field, a sixth element, an error), so that Jackson decides it and words any error; for what
     * it accepts this gives the message the Jackson path gives.
     */
    static Message decodeTextFast(String text, boolean fromServer) {
        int i = JsonScan.skipWhitespace(text, 0);
        if (i >= text.length() || text.charAt(i) != '[') {
            return null;
        }
        int start = JsonScan.skipWhitespace(text, i + 1);
        int end = refEnd(text, start);
        if (end == JsonScan.UNSURE || (i = separator(text, end, ',')) == JsonScan.UNSURE) {
            return null;
        }
        String joinRef = refValue(text, start, end);
        start = i;
        end = refEnd(text, start);
        if (end == JsonScan.UNSURE || (i = separator(text, end, ',')) == JsonScan.UNSURE) {
            return null;
        }
        String ref = refValue(text, start, end);
        start = i;
        end = JsonScan.plainString(text, start);
        if (end == JsonScan.UNSURE || (i = separator(text, end, ',')) == JsonScan.UNSURE) {
            return null;
        }
        String topic = text.substring(start + 1, end - 1);
        start = i;
        end = JsonScan.plainString(text, start);
        if (end == JsonScan.UNSURE || (i = separator(text, end, ',')) == JsonScan.UNSURE) {
            return null;
        }
        boolean reply = isKey(text, start, end, Protocol.PHX_REPLY);
        String event = reply ? Protocol.PHX_REPLY : text.substring(start + 1, end - 1);
        Payload payload;
        if (fromServer && reply) {
            // {"response": ..., "status": "..."}: either order, each once, nothing else, no escape in the status.
            if (i >= text.length() || text.charAt(i) != '{') {
                return null;
            }
            String status = null;
            Payload.Json response = null;
            i = JsonScan.skipWhitespace(text, i + 1);
            while (true) {
                int keyEnd = JsonScan.plainString(text, i);
                int valueStart = keyEnd == JsonScan.UNSURE ? JsonScan.UNSURE : separator(text, keyEnd, ':');
                if (valueStart == JsonScan.UNSURE) {
                    return null;
                }
                int valueEnd;
                if (status == null && isKey(text, i, keyEnd, "status")) {
                    valueEnd = JsonScan.plainString(text, valueStart);
                    if (valueEnd == JsonScan.UNSURE) {
                        return null;
                    }
                    status = isKey(text, valueStart, valueEnd, "ok") ? "ok"
                            : text.substring(valueStart + 1, valueEnd - 1);
                } else if (response == null && isKey(text, i, keyEnd, "response")) {
                    valueEnd = JsonScan.value(text, valueStart, 2);
                    if (valueEnd == JsonScan.UNSURE) {
                        return null;
                    }
                    response = Payload.Json.trusted(text.substring(valueStart, valueEnd));
                } else {
                    return null;
                }
                i = JsonScan.skipWhitespace(text, valueEnd);
                if (i >= text.length()) {
                    return null;
                }
                char c = text.charAt(i++);
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    return null;
                }
                i = JsonScan.skipWhitespace(text, i);
            }
            if (status == null || response == null) {
                return null;
            }
            payload = Payload.reply(status, response);
            end = i;
        } else {
            end = JsonScan.value(text, i, 1);
            if (end == JsonScan.UNSURE) {
                return null;
            }
            payload = Payload.Json.trusted(text.substring(i, end));
        }
        i = separator(text, end, ']');
        if (i != text.length()) {
            return null; // not the end of the array, or something after it: Jackson says what
        }
        return Message.of(joinRef, ref, topic, event, payload);
    }

    /** Whether the plain string literal between {@code start} and {@code end} (quotes included) is {@code key}. */
    private static boolean isKey(String text, int start, int end, String key) {
        return end - start - 2 == key.length() && text.startsWith(key, start + 1);
    }

    /** The end of a ref at {@code i}: {@code null} or a string without escapes. */
    private static int refEnd(String text, int i) {
        if (text.startsWith("null", i)) {
            return i + 4;
        }
        return JsonScan.plainString(text, i);
    }

    private static String refValue(String text, int start, int end) {
        return text.charAt(start) == 'n' ? null : text.substring(start + 1, end - 1);
    }

    /** After optional whitespace, {@code c} at or after {@code i}: the index past it and the whitespace after it. */
    private static int separator(String text, int i, char c) {
        i = JsonScan.skipWhitespace(text, i);
        if (i >= text.length() || text.charAt(i) != c) {
            return JsonScan.UNSURE;
        }
        return JsonScan.skipWhitespace(text, i + 1);
    }

    static Message decodeTextWithJackson(String text, boolean fromServer) {
        try (JsonParser p = JsonFrames.parser(text)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw JsonFrames.error("expected a JSON array [join_ref, ref, topic, event, payload], got "
                        + JsonFrames.describe(t), "frame", p);
            }
            p.nextToken();
            String joinRef = JsonFrames.readRef(p, "join_ref");
            p.nextToken();
            String ref = JsonFrames.readRef(p, "ref");
            p.nextToken();
            String topic = JsonFrames.readString(p, "topic");
            p.nextToken();
            String event = JsonFrames.readString(p, "event");
            p.nextToken();
            Payload payload = fromServer && Protocol.PHX_REPLY.equals(event)
                    ? JsonFrames.readReply(p, text, 0)
                    : JsonFrames.readJsonValue(p, text, "payload");
            t = p.nextToken();
            if (t != JsonToken.END_ARRAY) {
                if (fromServer) {
                    throw JsonFrames.error("expected 5 elements [join_ref, ref, topic, event, payload], got more",
                            "frame", p);
                }
                // Phoenix decodes client frames as lists of at least five elements and ignores the rest.
                while (t != JsonToken.END_ARRAY) {
                    p.skipChildren();
                    t = p.nextToken();
                }
            }
            if (p.nextToken() != null) {
                throw JsonFrames.error("unexpected data after the frame's array", "frame", p);
            }
            return Message.of(joinRef, ref, topic, event, payload);
        } catch (JsonProcessingException e) {
            throw JsonFrames.invalidJson(e);
        } catch (IOException e) {
            throw new DecodeException("unreadable frame: " + e.getMessage(), "frame", -1, e);
        }
    }
}
