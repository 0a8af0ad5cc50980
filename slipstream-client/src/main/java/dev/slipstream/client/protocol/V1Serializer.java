package dev.slipstream.client.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
        StringWriter w = JsonFrames.writerFor(m);
        try (JsonGenerator g = JsonFrames.generator(w)) {
            g.writeStartObject();
            g.writeStringField("topic", m.topic());
            g.writeStringField("event", m.event());
            g.writeFieldName("payload");
            JsonFrames.writePayload(g, m.payload(), "payload");
            g.writeFieldName("ref");
            JsonFrames.writeNullableString(g, m.ref());
            if (m.joinRef() != null) {
                g.writeStringField("join_ref", m.joinRef());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Frame.text(w.toString());
    }

    @Override
    public Frame encodeToClient(Message m) {
        Objects.requireNonNull(m, "message");
        StringWriter w = JsonFrames.writerFor(m);
        try (JsonGenerator g = JsonFrames.generator(w)) {
            // The keys in the order Phoenix writes them (sorted, as Jason writes small maps); V1 has no join_ref.
            g.writeStartObject();
            g.writeStringField("event", m.event());
            g.writeFieldName("payload");
            JsonFrames.writePayload(g, m.payload(), "payload");
            g.writeFieldName("ref");
            JsonFrames.writeNullableString(g, m.ref());
            g.writeStringField("topic", m.topic());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Frame.text(w.toString());
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
            int payloadStart = -1;
            Payload payload = null;
            for (t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t == null) {
                    throw JsonFrames.error("the frame ends inside the object", "frame", p);
                }
                String name = p.currentName();
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
                        break;
                    case "payload":
                        payloadStart = (int) p.currentTokenLocation().getCharOffset();
                        payload = JsonFrames.readJsonValue(p, text, "payload");
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
            if (fromServer && Protocol.PHX_REPLY.equals(event)) {
                // The keys of a V1 object may come in any order, so the reply is read once the event is known.
                try (JsonParser rp = JsonFrames.parser(((Payload.Json) payload).text())) {
                    rp.nextToken();
                    try {
                        payload = JsonFrames.readReply(rp, ((Payload.Json) payload).text());
                    } catch (DecodeException e) {
                        throw new DecodeException(e.getMessage().replaceFirst(" \\(field .*\\)$", ""), e.field(),
                                payloadStart + Math.max(0, e.offset()));
                    }
                }
            }
            return Message.of(joinRef, ref, topic, event, payload);
        } catch (JsonProcessingException e) {
            throw JsonFrames.invalidJson(e);
        } catch (IOException e) {
            throw new DecodeException("unreadable frame: " + e.getMessage(), "frame", -1, e);
        }
    }

    private static DecodeException missing(String field) {
        return new DecodeException("the frame object has no \"" + field + "\" key", field, 0);
    }
}
