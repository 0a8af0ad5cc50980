package dev.slipstream.transport.nio.internal;

import static dev.slipstream.transport.nio.internal.NioConnection.CLOSED;
import static dev.slipstream.transport.nio.internal.NioConnection.OPEN;
import static dev.slipstream.transport.nio.internal.NioConnection.READING_UPGRADE;
import static dev.slipstream.transport.nio.internal.NioConnection.TLS_HANDSHAKE;

import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.WebSocketProtocolException;
import dev.slipstream.protocol.Frame;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * The reading side of a {@link NioConnection}, on its loop thread: reads the socket (through TLS when there is one)
 * into the loop's shared buffer, hands the upgrade response to the {@link Connector} and then frames to the
 * {@link FrameParser}, and takes the parser's callbacks: messages go to the listener, pings are answered, the
 * server's close goes to {@link Closing}. It owns the parser, whether input is done, and the pause while TLS
 * delegated tasks run on the worker pool.
 */
final class FrameReader implements TlsSession.PlainSink, FrameParser.Sink {
    private final NioConnection c;

    // ---- loop-owned
    private FrameParser parser; // from the upgrade until the socket closes
    private boolean inputDone; // a close frame arrived or the input failed: the rest is ignored
    private boolean readPaused; // while TLS delegated tasks run

    FrameReader(NioConnection c) {
        this.c = c;
    }

    /** The upgrade succeeded: frames follow. */
    void opened() {
        parser = new FrameParser(c.request.maxMessageBytes());
    }

    /** The socket closed: the parser and its partial frame go. */
    void release() {
        parser = null;
    }

    /** Reading waits for TLS delegated tasks. */
    boolean paused() {
        return readPaused;
    }

    /** A close frame arrived or the input failed. */
    boolean inputDone() {
        return inputDone;
    }

    // ======================================================================================== the socket

    void readPlain() throws IOException {
        ByteBuffer buf = c.loop.readBuffer();
        for (int i = 0; i < 4; i++) { // then give the other connections a turn
            buf.clear();
            int n;
            try {
                n = c.channel.read(buf);
            } catch (IOException e) {
                c.onFailure(e);
                return;
            }
            if (n < 0) {
                onEof();
                return;
            }
            if (n == 0) {
                return;
            }
            buf.flip();
            accept(buf);
            if (c.phase == CLOSED || n < buf.capacity()) {
                return;
            }
        }
    }

    void readTls() throws IOException {
        TlsSession tls = c.tls;
        for (int i = 0; i < 8 && c.phase != CLOSED && !readPaused; i++) {
            int r;
            try {
                r = tls.read(c.loop, this);
            } catch (IOException e) {
                c.onFailure(e);
                return;
            }
            if (r == TlsSession.EOF) {
                onEof();
                return;
            }
            HandshakeStatus hs = tls.engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTlsTasks(); // a post-handshake message (TLS 1.2 renegotiation) needs checking
                return;
            }
            if (hs == HandshakeStatus.NEED_WRAP || c.outbound.tlsStalled()) {
                // answers a TLS 1.3 KeyUpdate (or a renegotiation), then the frames that waited for it
                c.outbound.flush();
            }
            if (r != TlsSession.MORE) {
                return;
            }
        }
    }

    /**
     * Runs the engine's delegated tasks on the worker pool, not inline: they check the server's certificate chain,
     * which costs milliseconds of CPU and may fetch revocation data over the network, and every other connection
     * of the loop would wait meanwhile. Reading pauses until they are done.
     */
    void runTlsTasks() {
        readPaused = true;
        c.updateInterest();
        SSLEngine engine = c.tls.engine;
        c.worker.execute(() -> {
            try {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            } catch (Throwable t) {
                c.onLoop(() -> c.onFailure(t));
                return;
            }
            c.onLoop(this::tlsTasksDone);
        });
    }

    private void tlsTasksDone() throws IOException {
        readPaused = false;
        if (c.phase == TLS_HANDSHAKE) {
            c.updateInterest();
            c.connector.tlsHandshake();
        } else if (c.phase == READING_UPGRADE || c.phase == OPEN) {
            c.updateInterest();
            readTls();
        }
    }

    private void onEof() {
        if (c.phase < OPEN) {
            c.closing.failOpen(
                    new EOFException("the server closed the connection before answering the websocket upgrade"));
            return;
        }
        if (!inputDone) {
            c.closing.reportClosed(1006, ""); // no close frame (RFC 6455 §7.1.5)
        }
        c.closing.closeSocket();
    }

    // ======================================================================================== plaintext

    /** Plaintext from the socket: the upgrade response, then frames. */
    @Override
    public void accept(ByteBuffer in) throws IOException {
        if (c.phase < OPEN) {
            if (!c.connector.readUpgrade(in)) {
                in.position(in.limit());
                return;
            }
            // the bytes after the header block are frames
            if (c.phase != OPEN) {
                in.position(in.limit());
                return;
            }
        }
        if (c.phase != OPEN || inputDone) {
            in.position(in.limit());
            return;
        }
        try {
            parser.feed(in, this);
        } catch (MessageTooLargeException e) {
            failConnection(e, 1009, "message too big");
        } catch (WebSocketProtocolException e) {
            failConnection(e, e.closeCode(), e.closeCode() == 1007 ? "invalid UTF-8" : "protocol error");
        } finally {
            in.position(in.limit());
        }
    }

    @Override
    public boolean stopped() {
        return c.phase == CLOSED || inputDone;
    }

    // ======================================================================================== frames

    @Override
    public void onMessage(Frame message) {
        if (!c.closing.finished()) {
            c.listener.onFrame(message);
        }
    }

    @Override
    public void onPing(byte[] payload) {
        c.outbound.offerControl(OutFrame.control(OutFrame.PONG, payload, c.outbound.nextMask()));
    }

    @Override
    public void onPong(byte[] payload) {
        // unsolicited or not, nothing to do
    }

    @Override
    public void onClose(int code, String reason) {
        inputDone = true;
        c.closing.closeReceived(code, reason);
    }

    /** The input broke a rule (RFC 6455 §7.1.7): the rest is ignored, the connection fails with {@code code}. */
    private void failConnection(IOException error, int code, String reason) {
        inputDone = true;
        c.closing.failConnection(error, code, reason);
    }
}
