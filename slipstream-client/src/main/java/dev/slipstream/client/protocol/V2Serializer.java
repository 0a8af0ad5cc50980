package dev.slipstream.client.protocol;

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
    private static String encodeText(Message m) {
        String joinRef = JsonFrames.quote(m.joinRef(), "join_ref");
        String ref = JsonFrames.quote(m.ref(), "ref");
        String topic = JsonFrames.quote(m.topic(), "topic");
        String event = JsonFrames.quote(m.event(), "event");
        Payload p = m.payload();
        if (p instanceof Payload.Reply r) {
            String response = JsonFrames.jsonText(r.response(), "response");
            String status = JsonFrames.quote(r.status(), "status");
            return "[" + joinRef + "," + ref + "," + topic + "," + event + ",{\"response\":" + response
                    + ",\"status\":" + status + "}]";
        }
        return "[" + joinRef + "," + ref + "," + topic + "," + event + "," + JsonFrames.jsonText(p, "payload") + "]";
    }

    private static Message decodeText(String text, boolean fromServer) {
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
