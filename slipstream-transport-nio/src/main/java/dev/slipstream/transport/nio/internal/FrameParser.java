package dev.slipstream.transport.nio.internal;

import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.WebSocketProtocolException;
import dev.slipstream.protocol.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads server frames (RFC 6455 §5) from whatever bytes arrive, in any split. Between reads it keeps only what an
 * incomplete frame needs: up to 14 header bytes, or the payload array being filled. A data frame's payload array is
 * allocated once at its exact size when its header arrives, after the size check; the fragments of a message are
 * joined once at their exact total.
 *
 * <p>Every violation throws before anything more is delivered: {@link WebSocketProtocolException} with the close
 * code to send (1002, or 1007 for invalid UTF-8), or {@link MessageTooLargeException} (1009). After a close frame
 * the parser ignores the rest. Loop-confined: one thread calls it.
 */
final class FrameParser {
    private static final byte[] NONE = new byte[0];

    /** Receives complete messages and control frames, in wire order. */
    interface Sink {
        void onMessage(Frame message);

        void onPing(byte[] payload);

        void onPong(byte[] payload);

        /** The server's close frame: code 1005 when it had none. No more calls follow. */
        void onClose(int code, String reason);
    }

    private final int maxMessageBytes;

    // the frame being read
    private byte[] header; // only when a header arrives split
    private int headerBytes;
    private boolean inPayload;
    private boolean fin;
    private int opcode;
    private byte[] payload;
    private int filled;

    // the fragmented message being read
    private int messageOpcode; // 0: none
    private List<byte[]> parts;
    private long messageBytes;

    private boolean closed;

    FrameParser(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Consumes every remaining byte of {@code in} (the rest is ignored after a close frame). */
    void feed(ByteBuffer in, Sink sink) throws IOException {
        while (in.hasRemaining() && !closed) {
            if (!inPayload) {
                if (!readHeader(in)) {
                    return;
                }
                if (payload.length == 0) {
                    frameDone(sink);
                }
                continue;
            }
            int n = Math.min(in.remaining(), payload.length - filled);
            in.get(payload, filled, n);
            filled += n;
            if (filled == payload.length) {
                frameDone(sink);
            }
        }
    }

    /** True once a close frame was read. */
    boolean closed() {
        return closed;
    }

    private boolean readHeader(ByteBuffer in) throws IOException {
        if (headerBytes == 0 && in.remaining() >= 2) {
            int p = in.position();
            int b0 = in.get(p) & 0xFF;
            int b1 = in.get(p + 1) & 0xFF;
            check(b0, b1);
            int need = headerLength(b1);
            if (in.remaining() >= need) { // the common case: the whole header is here, no copy
                long length = length(b1, in, p + 2);
                in.position(p + need);
                begin(b0, length);
                return true;
            }
        }
        if (header == null) {
            header = new byte[10];
        }
        while (headerBytes < 2 && in.hasRemaining()) {
            header[headerBytes++] = in.get();
        }
        if (headerBytes < 2) {
            return false;
        }
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        if (headerBytes == 2) {
            check(b0, b1);
        }
        int need = headerLength(b1);
        while (headerBytes < need && in.hasRemaining()) {
            header[headerBytes++] = in.get();
        }
        if (headerBytes < need) {
            return false;
        }
        long length = length(b1, ByteBuffer.wrap(header), 2);
        headerBytes = 0;
        begin(b0, length);
        return true;
    }

    /** Checks what the first two bytes say, before waiting for the rest of the header. */
    private void check(int b0, int b1) throws WebSocketProtocolException {
        if ((b0 & 0x70) != 0) {
            throw new WebSocketProtocolException(1002, "server frame has reserved bits set (0x"
                    + Integer.toHexString(b0 & 0x70) + ") but no extension was negotiated");
        }
        if ((b1 & 0x80) != 0) {
            throw new WebSocketProtocolException(1002, "server frame is masked; RFC 6455 §5.1 forbids it");
        }
        int op = b0 & 0x0F;
        boolean finBit = (b0 & 0x80) != 0;
        switch (op) {
            case 0x0:
                if (messageOpcode == 0) {
                    throw new WebSocketProtocolException(1002, "continuation frame without a message to continue");
                }
                break;
            case 0x1:
            case 0x2:
                if (messageOpcode != 0) {
                    throw new WebSocketProtocolException(1002, "new data frame (opcode " + op
                            + ") while a fragmented message was not finished");
                }
                break;
            case 0x8:
            case 0x9:
            case 0xA:
                if (!finBit) {
                    throw new WebSocketProtocolException(1002, "fragmented control frame (opcode 0x"
                            + Integer.toHexString(op) + ")");
                }
                if ((b1 & 0x7F) > 125) {
                    throw new WebSocketProtocolException(1002, "control frame (opcode 0x" + Integer.toHexString(op)
                            + ") longer than 125 bytes");
                }
                break;
            default:
                throw new WebSocketProtocolException(1002, "unknown opcode 0x" + Integer.toHexString(op));
        }
    }

    private static int headerLength(int b1) {
        int len7 = b1 & 0x7F;
        return len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
    }

    private static long length(int b1, ByteBuffer in, int at) throws WebSocketProtocolException {
        int len7 = b1 & 0x7F;
        if (len7 < 126) {
            return len7;
        }
        if (len7 == 126) {
            return ((in.get(at) & 0xFF) << 8) | (in.get(at + 1) & 0xFF);
        }
        long length = in.getLong(at);
        if (length < 0) {
            throw new WebSocketProtocolException(1002, "64-bit frame length has its most significant bit set");
        }
        return length;
    }

    private void begin(int b0, long length) throws IOException {
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0F;
        if (opcode < 0x8) {
            long total = messageBytes + length;
            if (total > maxMessageBytes) { // before allocating anything
                throw new MessageTooLargeException(total, maxMessageBytes);
            }
        }
        payload = length == 0 ? NONE : new byte[(int) length];
        filled = 0;
        inPayload = true;
    }

    private void frameDone(Sink sink) throws IOException {
        byte[] p = payload;
        payload = null;
        inPayload = false;
        switch (opcode) {
            case 0x8:
                close(p, sink);
                return;
            case 0x9:
                sink.onPing(p);
                return;
            case 0xA:
                sink.onPong(p);
                return;
            default:
                break;
        }
        if (opcode != 0 && fin) { // an unfragmented message: its payload array is the message
            sink.onMessage(message(opcode, p));
            return;
        }
        if (opcode != 0) {
            messageOpcode = opcode;
            parts = new ArrayList<>(4);
        }
        parts.add(p);
        messageBytes += p.length;
        if (!fin) {
            return;
        }
        byte[] whole = new byte[(int) messageBytes];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, whole, at, part.length);
            at += part.length;
        }
        int op = messageOpcode;
        messageOpcode = 0;
        parts = null;
        messageBytes = 0;
        sink.onMessage(message(op, whole));
    }

    private static Frame message(int opcode, byte[] bytes) throws WebSocketProtocolException {
        if (opcode == 0x2) {
            return Frame.binary(bytes);
        }
        String text = Utf8.decode(bytes, 0, bytes.length);
        if (text == null) {
            throw new WebSocketProtocolException(1007, "text message of " + bytes.length + " bytes is not valid UTF-8");
        }
        return Frame.text(text);
    }

    private void close(byte[] p, Sink sink) throws WebSocketProtocolException {
        closed = true;
        if (p.length == 0) {
            sink.onClose(1005, "");
            return;
        }
        if (p.length == 1) {
            throw new WebSocketProtocolException(1002, "close frame with a 1-byte payload (a code takes 2)");
        }
        int code = ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
        if (!isValidReceivedCode(code)) {
            throw new WebSocketProtocolException(1002, "close frame with code " + code
                    + ", which RFC 6455 §7.4 does not allow on the wire");
        }
        String reason = Utf8.decode(p, 2, p.length - 2);
        if (reason == null) {
            throw new WebSocketProtocolException(1007, "close frame reason is not valid UTF-8");
        }
        sink.onClose(code, reason);
    }

    /**
     * Codes a peer may send (RFC 6455 §7.4.1 and the IANA registry): 1000-1003, 1007-1014, and 3000-4999 for
     * libraries and applications. 1004 is reserved; 1005, 1006 and 1015 are for reporting only, never sent.
     */
    static boolean isValidReceivedCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
