package dev.slipstream.transport.nio.internal;

import static dev.slipstream.transport.nio.internal.NioConnection.CLOSED;
import static dev.slipstream.transport.nio.internal.NioConnection.OPEN;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link NioConnection} ends: the close handshake and its time bound, closing the socket, and telling the
 * listener (or the open future) exactly once. Loop thread, except {@link #markFinished}, {@link #finished} and
 * {@link #closeChannel}, which {@code abort()}, {@code send} and the listener check use from any thread.
 */
final class Closing {
    private static final byte[] NO_BYTES = new byte[0];
    private static final VarHandle FINISHED;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(Closing.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NioConnection c;
    private final long closeTimeoutNanos;

    // ---- any thread
    @SuppressWarnings("unused") // through FINISHED
    private volatile int finished; // 1 once the listener heard its end or abort() was called

    Closing(NioConnection c, long closeTimeoutNanos) {
        this.c = c;
        this.closeTimeoutNanos = closeTimeoutNanos;
    }

    // ======================================================================================== the close handshake

    /** After our close frame was written or queued: wait for the server's, within the bound. */
    void afterClose() {
        if (c.phase == CLOSED) {
            return;
        }
        if (c.outbound.closeNow()) {
            closeSocket();
            return;
        }
        c.updateInterest();
        armCloseTimer();
    }

    /** The server's close frame arrived: echo it, tell the listener, close once our close is on the wire. */
    void closeReceived(int code, String reason) {
        boolean closeNow = c.outbound.closeFromLoop(true, code, NO_BYTES,
                "the server closed the websocket with " + code + " before this frame was sent");
        reportClosed(code, reason);
        closeOrWait(closeNow);
    }

    /** RFC 6455 §7.1.7: send a close frame with {@code code}, drop the connection, tell the listener. */
    void failConnection(IOException error, int code, String reason) {
        boolean closeNow = c.outbound.closeFromLoop(false, code, reason.getBytes(StandardCharsets.UTF_8),
                "the websocket failed before this frame was sent: " + error.getMessage());
        reportError(error);
        closeOrWait(closeNow);
    }

    private void closeOrWait(boolean closeNow) {
        if (closeNow) {
            closeSocket();
        } else {
            c.updateInterest();
            armCloseTimer();
        }
    }

    private void armCloseTimer() {
        if (c.timer == null && c.phase != CLOSED) {
            c.schedule(closeTimeoutNanos, this::closeTimedOut);
        }
    }

    private void closeTimedOut() {
        if (c.phase == CLOSED) {
            return;
        }
        if (!c.reader.inputDone()) {
            reportClosed(1006, "no close frame from the server within " + Duration.ofNanos(closeTimeoutNanos));
        }
        closeSocket();
    }

    // ======================================================================================== before the open

    /** The open future was cancelled: give up quietly unless the connection opened meanwhile. */
    void abandon() {
        if (c.phase < OPEN) {
            markFinished();
            closeSocket();
        }
    }

    /** The open fails: no listener call, the open future completes with {@code error}. */
    void failOpen(Throwable error) {
        if (c.phase == CLOSED) {
            return;
        }
        markFinished();
        closeSocket();
        c.opening.completeExceptionally(error);
    }

    // ======================================================================================== the socket

    /** Closes the socket and ends the loop's part. */
    void closeSocket() {
        if (c.phase == CLOSED) {
            return;
        }
        c.phase = CLOSED;
        c.cancelTimer();
        c.reader.release();
        c.connector.release();
        closeChannel("the websocket is closed; the frame was not sent");
    }

    /** Closes the socket (any thread) and fails every frame still waiting. */
    void closeChannel(String why) {
        List<CompletableFuture<Void>> dropped = c.outbound.shutDown();
        NioConnection.closeQuietly(c.channel);
        Outbound.failAll(dropped, why);
    }

    // ======================================================================================== the listener

    void reportClosed(int code, String reason) {
        if (FINISHED.compareAndSet(this, 0, 1)) {
            c.listener.onClosed(code, reason);
        }
    }

    void reportError(Throwable error) {
        if (FINISHED.compareAndSet(this, 0, 1)) {
            c.listener.onError(error);
        }
    }

    /** No listener call any more: after abort(), or when the open failed or was given up. Any thread. */
    void markFinished() {
        FINISHED.setVolatile(this, 1);
    }

    /** The listener heard its end, or abort() was called. Any thread. */
    boolean finished() {
        return (int) FINISHED.getVolatile(this) == 1;
    }
}
