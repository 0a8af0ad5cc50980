package dev.slipstream.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;

/**
 * The V1 serializer ({@code vsn=1.0.0}): JSON objects in text frames, no binary frames. Clients write
 * {@code {"topic","event","payload","ref","join_ref"}} (join_ref left out when null); servers write
 * {@code {"event","payload","ref","topic"}} and never a join_ref. Obtain it with {@link Serializer#v1()}.
 */
final class V1Serializer implements Serializer {
    static final V1Serializer INSTANCE = new V1Serializer();

    private V1Serializer() {}

    @Override
    public String vsn() {
        return Protocol.VSN_1;
    }

    @Override
    public Frame encodeToServer(Message m) {
        Objects.requireNonNull(m, "message");
        // The keys in the order phoenix.js 1.x and the recorded V1 client wrote them; join_ref only when there is one.
        String topic = JsonFrames.quote(m.topic(), "topic");
        String event = JsonFrames.quote(m.event(), "event");
        String ref = JsonFrames.quote(m.ref(), "ref");
        String joinRef = m.joinRef() == null ? "" : ",\"join_ref\":" + JsonFrames.quote(m.joinRef(), "join_ref");
        Payload p = m.payload();
        if (p instanceof Payload.Reply r) {
            String response = JsonFrames.jsonText(r.response(), "response");
            String status = JsonFrames.quote(r.status(), "status");
            return Frame.text("{\"topic\":" + topic + ",\"event\":" + event + ",\"payload\":{\"response\":" + response
                    + ",\"status\":" + status + "},\"ref\":" + ref + joinRef + "}");
        }
        return Frame.text("{\"topic\":" + topic + ",\"event\":" + event + ",\"payload\":"
                + JsonFrames.jsonText(p, "payload") + ",\"ref\":" + ref + joinRef + "}");
    }

    @Override
    public Frame encodeToClient(Message m) {
        Objects.requireNonNull(m, "message");
        // The keys in the order Phoenix writes them (sorted, as Jason writes small maps); V1 has no join_ref.
        String event = JsonFrames.quote(m.event(), "event");
        String ref = JsonFrames.quote(m.ref(), "ref");
        String topic = JsonFrames.quote(m.topic(), "topic");
        Payload p = m.payload();
        if (p instanceof Payload.Reply r) {
            String response = JsonFrames.jsonText(r.response(), "response");
            String status = JsonFrames.quote(r.status(), "status");
            return Frame.text("{\"event\":" + event + ",\"payload\":{\"response\":" + response + ",\"status\":"
                    + status + "},\"ref\":" + ref + ",\"topic\":" + topic + "}");
        }
        return Frame.text("{\"event\":" + event + ",\"payload\":" + JsonFrames.jsonText(p, "payload") + ",\"ref\":"
                + ref + ",\"topic\":" + topic + "}");
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
        return "V1 serializer (vsn " + vsn() + ")";
    }

    private static Message decode(Frame frame, boolean fromServer) {
        if (frame == null) {
            throw new DecodeException("frame is null", "frame", -1);
        }
        if (frame instanceof Frame.Binary) {
            throw new DecodeException("binary frames need the V2 serializer (vsn 2.0.0)", "frame", 0);
        }
        String text = ((Frame.Text) frame).text();
        try (JsonParser p = JsonFrames.parser(text)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw JsonFrames.error("expected a JSON object with topic, event, payload and ref, got "
                        + JsonFrames.describe(t), "frame", p);
            }
            String topic = null;
            String event = null;
            String ref = null;
            String joinRef = null;
            boolean hasRef = false;
            boolean hasJoinRef = false;
            int payloadStart = -1;
            Payload payload = null;
            for (t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t == null) {
                    throw JsonFrames.error("the frame ends inside the object", "frame", p);
                }
                String name = p.currentName();
                boolean seen = "topic".equals(name) ? topic != null
                        : "event".equals(name) ? event != null
                        : "ref".equals(name) ? hasRef
                        : "join_ref".equals(name) ? hasJoinRef
                        : "payload".equals(name) && payload != null;
                if (seen) {
                    // Jason would keep the last one; a frame with two of a key is ambiguous, so it is refused.
                    throw JsonFrames.error("the frame object has \"" + name + "\" twice", name, p);
                }
                p.nextToken();
                switch (name) {
                    case "topic":
                        topic = JsonFrames.readString(p, "topic");
                        break;
                    case "event":
                        event = JsonFrames.readString(p, "event");
                        break;
                    case "ref":
                        ref = JsonFrames.readRef(p, "ref");
                        hasRef = true;
                        break;
                    case "join_ref":
                        joinRef = JsonFrames.readRef(p, "join_ref");
                        hasJoinRef = true;
                        break;
                    case "payload":
                        if (fromServer && Protocol.PHX_REPLY.equals(event)) {
                            // Phoenix writes "event" first, so the reply is usually read in the same pass.
                            payload = JsonFrames.readReply(p, text, 0);
                            payloadStart = -1;
                        } else {
                            payloadStart = (int) p.currentTokenLocation().getCharOffset();
                            payload = JsonFrames.readJsonValue(p, text, "payload");
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw JsonFrames.error("unexpected data after the frame's object", "frame", p);
            }
            if (topic == null) {
                throw missing("topic");
            }
            if (event == null) {
                throw missing("event");
            }
            if (payload == null) {
                throw missing("payload");
            }
            if (!hasRef) {
                throw missing("ref");
            }
            if (fromServer && Protocol.PHX_REPLY.equals(event) && payload instanceof Payload.Json json) {
                // "event" came after "payload": read the reply from the payload's text.
                payload = reparseReply(json.text(), payloadStart);
            }
            return Message.of(joinRef, ref, topic, event, payload);
        } catch (JsonProcessingException e) {
            throw JsonFrames.invalidJson(e);
        } catch (IOException e) {
            throw new DecodeException("unreadable frame: " + e.getMessage(), "frame", -1, e);
        }
    }

    private static Payload.Reply reparseReply(String payloadText, int payloadStart) throws IOException {
        try (JsonParser rp = JsonFrames.parser(payloadText)) {
            rp.nextToken();
            return JsonFrames.readReply(rp, payloadText, payloadStart);
        } catch (JsonProcessingException e) {
            throw JsonFrames.invalidJson(e, payloadStart);
        }
    }

    private static DecodeException missing(String field) {
        return new DecodeException("the frame object has no \"" + field + "\" key", field, 0);
    }
}
