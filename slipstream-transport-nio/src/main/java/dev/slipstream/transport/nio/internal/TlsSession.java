package dev.slipstream.transport.nio.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * TLS between a connection and its socket, on an {@link SSLEngine}. Wrapping (writes, handshake messages,
 * close_notify) happens under the connection's write lock (its {@link Outbound}'s monitor), on whichever thread
 * writes; unwrapping happens on the loop. SSLEngine allows the two at once.
 *
 * <p>Buffers: inbound records are read into the loop's shared buffer and decrypted into another shared one; only
 * the start of an incomplete record stays with the connection ({@link #stash}). Outbound records are encrypted into a
 * per-thread scratch buffer; only what the socket did not take stays with the connection ({@link #pending}).
 */
final class TlsSession {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    /** Plaintext read from the peer. */
    interface PlainSink {
        void accept(ByteBuffer plain) throws IOException;

        /** True when the connection wants no more bytes (it closed meanwhile). */
        boolean stopped();
    }

    static final int EOF = -1;
    static final int NO_PROGRESS = 0;
    static final int PROGRESS = 1;
    /** Progress, and there may be more to unwrap right away (the engine stopped for a task or a wrap, or the read
     *  filled the buffer). */
    static final int MORE = 2;

    final SSLEngine engine;
    private final SocketChannel channel;
    /** Encrypted bytes the socket has not taken yet. Guarded by the connection's write lock. */
    private ByteBuffer pending;
    /** The start of an inbound record that has not fully arrived. Loop-confined. */
    private byte[] stash;

    TlsSession(SSLEngine engine, SocketChannel channel) {
        this.engine = engine;
        this.channel = channel;
    }

    // -------------------------------------------------------------------------------- writing (under the lock)

    /** True when no encrypted bytes wait for the socket. */
    boolean hasPending() {
        return pending != null;
    }

    /** Writes encrypted bytes left over from before; true when none is left. */
    boolean flush() throws IOException {
        if (pending == null) {
            return true;
        }
        channel.write(pending);
        if (pending.hasRemaining()) {
            return false;
        }
        pending = null;
        return true;
    }

    /**
     * Encrypts and writes as much of {@code srcs} as the socket takes; returns the plaintext bytes consumed. Stops
     * when the socket is full (the rest of the last record is kept) or when the engine is busy with a handshake.
     */
    long write(ByteBuffer[] srcs) throws IOException {
        if (!flush()) {
            return 0;
        }
        long consumed = 0;
        while (hasRemaining(srcs)) {
            ByteBuffer out = scratch();
            SSLEngineResult r = engine.wrap(srcs, out);
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                growScratch();
                continue;
            }
            if (r.getStatus() == Status.CLOSED) {
                throw new SSLException("TLS output is closed");
            }
            consumed += r.bytesConsumed();
            if (!send(out) || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                break; // the socket is full, or the engine waits for a handshake message from the peer
            }
        }
        return consumed;
    }

    /** Produces and writes the handshake messages the engine asks for; true when all of them are on the socket. */
    boolean wrapHandshake() throws IOException {
        if (!flush()) {
            return false;
        }
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            ByteBuffer out = scratch();
            SSLEngineResult r = engine.wrap(NOTHING, out);
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                growScratch();
                continue;
            }
            if (!send(out)) {
                return false;
            }
            if (r.getStatus() == Status.CLOSED) {
                break;
            }
        }
        return true;
    }

    /** Sends close_notify if the socket takes it now; never waits. */
    void closeOutbound() {
        try {
            engine.closeOutbound();
            if (pending == null) {
                ByteBuffer out = scratch();
                engine.wrap(NOTHING, out);
                out.flip();
                channel.write(out);
            }
        } catch (IOException | RuntimeException ignored) {
            // the socket closes next anyway
        }
        pending = null;
    }

    /** Writes a wrapped record from the scratch buffer; keeps what the socket did not take. */
    private boolean send(ByteBuffer out) throws IOException {
        out.flip();
        if (out.hasRemaining()) {
            channel.write(out);
        }
        if (out.hasRemaining()) {
            pending = ByteBuffer.allocate(out.remaining()).put(out).flip();
            return false;
        }
        return true;
    }

    private ByteBuffer scratch() {
        ByteBuffer b = SCRATCH.get();
        int need = engine.getSession().getPacketBufferSize();
        if (b == null || b.capacity() < need) {
            b = ByteBuffer.allocateDirect(need);
            SCRATCH.set(b);
        }
        b.clear();
        return b;
    }

    private void growScratch() {
        ByteBuffer b = SCRATCH.get();
        SCRATCH.set(ByteBuffer.allocateDirect(b.capacity() * 2));
    }

    private static boolean hasRemaining(ByteBuffer[] srcs) {
        for (ByteBuffer b : srcs) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    // -------------------------------------------------------------------------------- reading (on the loop)

    /**
     * Reads once from the socket and unwraps every whole record, handing plaintext to {@code sink}. Stops early when
     * the engine needs a delegated task or a wrap (the caller checks {@link SSLEngine#getHandshakeStatus()}).
     *
     * @return {@link #EOF} at the end of the stream or the peer's close_notify, else {@link #NO_PROGRESS},
     *     {@link #PROGRESS} or {@link #MORE}
     */
    int read(EventLoop loop, PlainSink sink) throws IOException {
        ByteBuffer net = loop.tlsNetBuffer(engine.getSession().getPacketBufferSize());
        net.clear();
        if (stash != null) {
            net.put(stash);
            stash = null;
        }
        int n = channel.read(net);
        net.flip();
        boolean more = net.limit() == net.capacity(); // the read filled the buffer: the socket may hold more
        boolean progress = n > 0;
        int appSize = engine.getSession().getApplicationBufferSize();
        try {
            while (net.hasRemaining()) {
                ByteBuffer app = loop.tlsAppBuffer(appSize);
                app.clear();
                SSLEngineResult r = engine.unwrap(net, app);
                progress |= r.bytesConsumed() > 0;
                app.flip();
                if (app.hasRemaining()) {
                    sink.accept(app);
                }
                if (r.getStatus() == Status.CLOSED) {
                    net.position(net.limit()); // nothing after close_notify counts
                    return EOF;
                }
                if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                    break;
                }
                if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                    appSize = Math.max(engine.getSession().getApplicationBufferSize(), app.capacity() * 2);
                    continue; // with a larger shared buffer
                }
                HandshakeStatus hs = r.getHandshakeStatus();
                if (sink.stopped()) {
                    return PROGRESS;
                }
                if (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP
                        || hs == HandshakeStatus.FINISHED) {
                    more = true;
                    break;
                }
            }
        } finally {
            if (net.hasRemaining()) {
                stash = new byte[net.remaining()];
                net.get(stash);
            }
        }
        if (n < 0) {
            return EOF;
        }
        return more && progress ? MORE : progress ? PROGRESS : NO_PROGRESS;
    }
}
