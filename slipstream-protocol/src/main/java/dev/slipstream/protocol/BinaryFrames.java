package dev.slipstream.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * V2 binary frames. Byte 0 is the kind; then one length byte per header field, the fields as UTF-8, and the payload
 * as the rest of the frame:
 *
 * <pre>
 * kind 0 push,      client to server: join_ref_size ref_size topic_size event_size | join_ref ref topic event | payload
 * kind 0 push,      server to client: join_ref_size topic_size event_size          | join_ref topic event     | payload
 * kind 1 reply,     server to client: join_ref_size ref_size topic_size status_size | join_ref ref topic status | response
 * kind 2 broadcast, server to client: topic_size event_size                        | topic event              | payload
 * </pre>
 *
 * A null join_ref or ref is written as an empty field and read back as null.
 */
final class BinaryFrames {
    static final int PUSH = 0;
    static final int REPLY = 1;
    static final int BROADCAST = 2;

    private static final String[] CLIENT_PUSH_FIELDS = {"join_ref", "ref", "topic", "event"};
    private static final String[] SERVER_PUSH_FIELDS = {"join_ref", "topic", "event"};
    private static final String[] REPLY_FIELDS = {"join_ref", "ref", "topic", "status"};
    private static final String[] BROADCAST_FIELDS = {"topic", "event"};

    private BinaryFrames() {}

    static Frame encodeClientPush(Message m) {
        return encode(PUSH, CLIENT_PUSH_FIELDS,
                new String[] {m.joinRef(), m.ref(), m.topic(), m.event()}, binaryPayload(m.payload(), "payload"));
    }

    static Frame encodeServerFrame(Message m) {
        Payload p = m.payload();
        if (p instanceof Payload.Reply r) {
            return encode(REPLY, REPLY_FIELDS,
                    new String[] {m.joinRef(), m.ref(), m.topic(), r.status()}, binaryPayload(r.response(), "response"));
        }
        if (m.joinRef() == null && m.ref() == null) {
            return encode(BROADCAST, BROADCAST_FIELDS, new String[] {m.topic(), m.event()}, binaryPayload(p, "payload"));
        }
        if (m.ref() != null) {
            throw new EncodeException("a binary server push carries no ref, but this message has ref \"" + m.ref()
                    + "\" (replies need a Payload.Reply)", "ref");
        }
        return encode(PUSH, SERVER_PUSH_FIELDS,
                new String[] {m.joinRef(), m.topic(), m.event()}, binaryPayload(p, "payload"));
    }

    private static ByteBuffer binaryPayload(Payload p, String field) {
        if (p instanceof Payload.Binary b) {
            return b.buffer();
        }
        throw new EncodeException("a binary frame needs a binary " + field + ", got " + p, field);
    }

    private static Frame encode(int kind, String[] names, String[] values, ByteBuffer payload) {
        byte[][] fields = new byte[values.length][];
        int size = 1 + values.length + payload.remaining();
        for (int i = 0; i < values.length; i++) {
            String v = values[i] == null ? "" : values[i];
            Bytes.requireWellFormed(v, names[i]);
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > Protocol.MAX_BINARY_FIELD_BYTES) {
                throw new EncodeException(names[i] + " is " + bytes.length + " bytes of UTF-8; binary frame header"
                        + " fields hold at most " + Protocol.MAX_BINARY_FIELD_BYTES, names[i]);
            }
            fields[i] = bytes;
            size += bytes.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) kind);
        for (byte[] f : fields) {
            out.put((byte) f.length);
        }
        for (byte[] f : fields) {
            out.put(f);
        }
        out.put(payload);
        out.flip();
        return Frame.binary(out);
    }

    static Message decodeClientPush(ByteBuffer buf) {
        int kind = kindOf(buf);
        if (kind != PUSH) {
            throw new DecodeException("binary frame kind " + kind + " is not a client push; clients send kind 0 only",
                    "kind", 0);
        }
        Header h = header(buf, CLIENT_PUSH_FIELDS);
        return Message.of(emptyToNull(h.values[0]), emptyToNull(h.values[1]), h.values[2], h.values[3], h.payload);
    }

    static Message decodeServerFrame(ByteBuffer buf) {
        int kind = kindOf(buf);
        switch (kind) {
            case PUSH: {
                Header h = header(buf, SERVER_PUSH_FIELDS);
                return Message.of(emptyToNull(h.values[0]), null, h.values[1], h.values[2], h.payload);
            }
            case REPLY: {
                Header h = header(buf, REPLY_FIELDS);
                return Message.of(emptyToNull(h.values[0]), emptyToNull(h.values[1]), h.values[2],
                        Protocol.PHX_REPLY, Payload.reply(h.values[3], h.payload));
            }
            case BROADCAST: {
                Header h = header(buf, BROADCAST_FIELDS);
                return Message.of(null, null, h.values[0], h.values[1], h.payload);
            }
            default:
                throw new DecodeException("unknown binary frame kind " + kind
                        + "; servers send 0 (push), 1 (reply) or 2 (broadcast)", "kind", 0);
        }
    }

    private static int kindOf(ByteBuffer buf) {
        if (!buf.hasRemaining()) {
            throw new DecodeException("empty binary frame", "kind", 0);
        }
        return buf.get(buf.position()) & 0xff;
    }

    private static final class Header {
        final String[] values;
        final Payload.Binary payload;

        Header(String[] values, Payload.Binary payload) {
            this.values = values;
            this.payload = payload;
        }
    }

    private static Header header(ByteBuffer buf, String[] names) {
        int base = buf.position();
        int length = buf.remaining();
        int n = names.length;
        if (length < 1 + n) {
            throw new DecodeException("the frame is " + length + " bytes, too short for its " + n
                    + " header sizes", "header", length);
        }
        String[] values = new String[n];
        int offset = 1 + n;
        for (int i = 0; i < n; i++) {
            int size = buf.get(base + 1 + i) & 0xff;
            if (offset + size > length) {
                throw new DecodeException(names[i] + " is declared as " + size + " bytes but only "
                        + (length - offset) + " remain in the frame", names[i], offset);
            }
            values[i] = Bytes.utf8(buf, base + offset, size, names[i], base);
            offset += size;
        }
        Payload.Binary payload = Payload.binary(buf.slice(base + offset, length - offset));
        return new Header(values, payload);
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
