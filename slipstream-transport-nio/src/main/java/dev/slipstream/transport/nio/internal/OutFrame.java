package dev.slipstream.transport.nio.internal;

import dev.slipstream.protocol.Frame;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One client frame on its way out, masked (RFC 6455 §5.3), with the bytes still to write. Costs at most one copy of
 * the payload: text is encoded once and masked in place; a binary payload up to {@link #COPY_LIMIT} is copied once
 * next to its header and masked there; a larger one is never copied whole: it is masked 16 KiB at a time into a
 * chunk that is written before the next is filled.
 *
 * <p>Not thread-safe: the connection writes it under its write lock.
 */
final class OutFrame {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Binary payloads up to this size are copied next to their header; larger ones are masked chunk by chunk. */
    static final int COPY_LIMIT = 64 * 1024;
    static final int CHUNK = 16 * 1024;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Completed when the last byte was handed to the network; null for frames the transport makes itself. */
    final CompletableFuture<Void> done;
    final int opcode;
    /** What goes to the socket now: the header, then the masked payload (or the current masked chunk). */
    private final ByteBuffer[] buffers;
    /** The unmasked rest of a large binary payload (a private view), or null. */
    private final ByteBuffer source;
    private final int key;
    private long masked;

    private OutFrame(int opcode, CompletableFuture<Void> done, ByteBuffer[] buffers, ByteBuffer source, int key) {
        this.opcode = opcode;
        this.done = done;
        this.buffers = buffers;
        this.source = source;
        this.key = key;
    }

    /** A whole text or binary message in one frame. */
    static OutFrame of(Frame frame, int key, CompletableFuture<Void> done) {
        if (frame instanceof Frame.Text t) {
            byte[] payload = t.text().getBytes(StandardCharsets.UTF_8);
            mask(payload, 0, payload.length, key);
            return new OutFrame(TEXT, done, new ByteBuffer[] {ByteBuffer.wrap(header(TEXT, payload.length, key)),
                    ByteBuffer.wrap(payload)}, null, key);
        }
        ByteBuffer bytes = ((Frame.Binary) frame).bytes();
        int n = bytes.remaining();
        if (n <= COPY_LIMIT) {
            return new OutFrame(BINARY, done, new ByteBuffer[] {ByteBuffer.wrap(withPayload(BINARY, bytes, key))},
                    null, key);
        }
        ByteBuffer chunk = ByteBuffer.wrap(new byte[CHUNK]);
        chunk.limit(0);
        return new OutFrame(BINARY, done, new ByteBuffer[] {ByteBuffer.wrap(header(BINARY, n, key)), chunk},
                bytes, key);
    }

    /** A control frame (close, ping, pong) with a payload of at most 125 bytes. */
    static OutFrame control(int opcode, byte[] payload, int key) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a control frame payload has at most 125 bytes, was " + payload.length);
        }
        return new OutFrame(opcode, null, new ByteBuffer[] {ByteBuffer.wrap(withPayload(opcode, ByteBuffer.wrap(payload), key))},
                null, key);
    }

    /** The close frame payload: the code (none for 1005) and the UTF-8 reason. */
    static byte[] closePayload(int code, byte[] reason) {
        if (code == 1005) {
            return new byte[0];
        }
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    /** Writes what the sink takes now; true when the whole frame is written. */
    boolean writeTo(Sink sink) throws IOException {
        for (;;) {
            ByteBuffer last = buffers[buffers.length - 1];
            if (source != null && !last.hasRemaining() && source.hasRemaining()) {
                refill(last);
            }
            if (!buffers[0].hasRemaining() && !last.hasRemaining()) {
                return true;
            }
            if (!sink.write(buffers)) { // the socket is full
                return !buffers[0].hasRemaining() && !last.hasRemaining() && (source == null || !source.hasRemaining());
            }
        }
    }

    /** Whether the frame's bytes are all in {@link #buffers()} (not a large binary masked chunk by chunk). */
    boolean whole() {
        return source == null;
    }

    /** The buffers that go to the socket now (for a gathering write of a burst of whole frames). */
    ByteBuffer[] buffers() {
        return buffers;
    }

    /** The bytes of {@link #buffers()} not written yet. */
    long remaining() {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    /** Whether any byte of this frame went out: then nothing may be written before its end. */
    boolean started() {
        return buffers[0].position() > 0;
    }

    private void refill(ByteBuffer chunk) {
        byte[] a = chunk.array();
        int n = Math.min(a.length, source.remaining());
        source.get(a, 0, n);
        mask(a, 0, n, Integer.rotateLeft(key, 8 * (int) (masked & 3)));
        masked += n;
        chunk.position(0).limit(n);
    }

    /** Where a frame goes: a socket, or a TLS session in front of one. */
    @FunctionalInterface
    interface Sink {
        /**
         * Writes what it can of {@code buffers}; true when it took every byte it was offered (it may have offered
         * only part of them, and may take more), false when the socket is full.
         */
        boolean write(ByteBuffer[] buffers) throws IOException;
    }

    // ---------------------------------------------------------------------------------------- encoding helpers

    /** The frame header: FIN, the opcode, the mask bit, the 7/16/64-bit length and the masking key. */
    static byte[] header(int opcode, long length, int key) {
        int ext = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8;
        byte[] h = new byte[2 + ext + 4];
        writeHeader(h, opcode, length, key);
        return h;
    }

    private static int writeHeader(byte[] h, int opcode, long length, int key) {
        h[0] = (byte) (0x80 | opcode);
        int i;
        if (length < 126) {
            h[1] = (byte) (0x80 | length);
            i = 2;
        } else if (length <= 0xFFFF) {
            h[1] = (byte) (0x80 | 126);
            h[2] = (byte) (length >>> 8);
            h[3] = (byte) length;
            i = 4;
        } else {
            h[1] = (byte) (0x80 | 127);
            for (int b = 0; b < 8; b++) {
                h[2 + b] = (byte) (length >>> (56 - 8 * b));
            }
            i = 10;
        }
        h[i] = (byte) (key >>> 24);
        h[i + 1] = (byte) (key >>> 16);
        h[i + 2] = (byte) (key >>> 8);
        h[i + 3] = (byte) key;
        return i + 4;
    }

    /** Header and masked payload in one array. */
    private static byte[] withPayload(int opcode, ByteBuffer payload, int key) {
        int n = payload.remaining();
        int ext = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
        byte[] all = new byte[2 + ext + 4 + n];
        int at = writeHeader(all, opcode, n, key);
        payload.get(all, at, n);
        mask(all, at, n, key);
        return all;
    }

    /**
     * XORs {@code length} bytes at {@code offset} with the masking key, whose first (most significant) byte applies to
     * the first byte. Eight bytes at a time: the key repeats every four.
     */
    static void mask(byte[] a, int offset, int length, int key) {
        long k8 = ((long) key << 32) | (key & 0xFFFFFFFFL);
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            LONGS.set(a, i, (long) LONGS.get(a, i) ^ k8);
        }
        for (int j = 0; i < end; i++, j++) {
            a[i] ^= (byte) (key >>> (24 - 8 * (j & 3)));
        }
    }
}
