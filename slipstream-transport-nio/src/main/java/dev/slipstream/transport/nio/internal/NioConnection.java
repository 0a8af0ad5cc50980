package dev.slipstream.transport.nio.internal;

import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeResponse;
import dev.slipstream.protocol.Frame;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * One websocket client connection on a non-blocking socket served by an {@link EventLoop}.
 *
 * <p>Who owns what: the loop thread owns the connection's life (resolve, connect, TLS handshake, upgrade, reading,
 * timers, every listener call). Writing is shared: {@link #send} writes straight to the socket from the caller's
 * thread when nothing is queued, under the monitor of the connection's {@link Outbound} (the write lock), which also
 * guards the queue and the output state; a frame the socket cannot take now is queued and the loop finishes it on
 * {@code OP_WRITE}. Control frames the loop answers with (pong, the close echo) go ahead of queued messages, after a
 * frame already started.
 *
 * <p>Ends: the listener hears exactly one {@code onClosed} or {@code onError} (none after {@link #abort}), nothing
 * after it and nothing before the open future completed. Every send future completes: written, or failed with an
 * {@link IOException} once the connection is closing or gone.
 *
 * <p>Parts, each in its own file: {@link Connector} opens the connection (resolve, connect, TLS, upgrade),
 * {@link FrameReader} reads it, {@link Outbound} writes it and {@link Closing} ends it. This class holds what they
 * share (the phase, the socket, the TLS session, the timer), dispatches the loop's events to them and takes the
 * application's calls.
 *
 * <pre>{@code
 * TransportConnection c = NioConnection.open(LoopGroup.shared(), request, listener, null, Duration.ofSeconds(2))
 *     .get(10, TimeUnit.SECONDS);
 * c.send(Frame.text("[null,\"1\",\"phoenix\",\"heartbeat\",{}]"));
 * }</pre>
 */
public final class NioConnection implements TransportConnection, EventLoop.Handler {

    // Phases of the connection, loop-owned, in order.
    static final int NEW = 0;
    static final int RESOLVING = 1;
    static final int CONNECTING = 2;
    static final int TLS_HANDSHAKE = 3;
    static final int SENDING_UPGRADE = 4;
    static final int READING_UPGRADE = 5;
    static final int OPEN = 6;
    static final int CLOSED = 7;

    final EventLoop loop;
    final Executor worker;
    final TransportRequest request;
    final TransportListener listener;
    final CompletableFuture<TransportConnection> opening = new Opening();

    // ---- the parts
    /** The writing side; its monitor is the write lock. */
    final Outbound outbound = new Outbound(this);
    final FrameReader reader = new FrameReader(this);
    final Closing closing;
    final Connector connector;

    // ---- loop-owned
    int phase = NEW;
    volatile SocketChannel channel; // abort() closes it from any thread
    SelectionKey key;
    EventLoop.Timer timer; // the connect timeout, then the close bound
    volatile UpgradeResponse response;
    /** Set on the loop before the open future completes, so callers see it through that completion. */
    TlsSession tls;

    private NioConnection(EventLoop loop, Executor worker, TransportRequest request, TransportListener listener,
            SSLContext sslContext, Duration closeTimeout) {
        this.loop = loop;
        this.worker = worker;
        this.request = request;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.closing = new Closing(this, nanos(closeTimeout));
        this.connector = new Connector(this, sslContext);
    }

    /** Starts connecting on the next loop of {@code loops}; the future completes once the server switched protocols. */
    public static CompletableFuture<TransportConnection> open(LoopGroup loops, TransportRequest request,
            TransportListener listener, SSLContext sslContextOrNull, Duration closeTimeout) {
        NioConnection c = new NioConnection(loops.next(), LoopGroup.worker(), request, listener, sslContextOrNull,
                closeTimeout);
        c.onLoop(c.connector::start);
        return c.opening;
    }

    /** The open future: cancelling it abandons the attempt at once. */
    private final class Opening extends CompletableFuture<TransportConnection> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                onLoop(closing::abandon);
            }
            return cancelled;
        }
    }

    @FunctionalInterface
    interface LoopTask {
        void run() throws Exception;
    }

    /** Runs {@code task} on the loop; whatever it throws fails this connection only. */
    void onLoop(LoopTask task) {
        loop.execute(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                onFailure(t);
            }
        });
    }

    /** Runs {@code task} on the loop after {@code nanos}, in place of the timer set before (one at a time). */
    void schedule(long nanos, LoopTask task) {
        loop.cancel(timer);
        timer = loop.schedule(nanos, () -> {
            timer = null;
            try {
                task.run();
            } catch (Throwable t) {
                onFailure(t);
            }
        });
    }

    /** Cancels the timer set, if any. */
    void cancelTimer() {
        loop.cancel(timer);
        timer = null;
    }

    // ======================================================================================== loop events

    @Override
    public void onReady(SelectionKey k) throws IOException {
        int ready = k.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
            connector.onConnectable();
            return;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            onWritable();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && phase != CLOSED && !reader.paused() && k.isValid()) {
            if (tls == null) {
                reader.readPlain();
            } else if (phase == TLS_HANDSHAKE) {
                connector.tlsHandshake();
            } else {
                reader.readTls();
            }
        }
    }

    @Override
    public void onFailure(Throwable error) {
        if (phase < OPEN) {
            closing.failOpen(error);
            return;
        }
        if (phase == CLOSED) {
            return;
        }
        closing.reportError(error);
        closing.closeSocket();
    }

    private void onWritable() throws IOException {
        switch (phase) {
            case TLS_HANDSHAKE:
                connector.tlsWritable();
                return;
            case SENDING_UPGRADE:
                connector.continueUpgrade();
                return;
            case READING_UPGRADE:
            case OPEN:
                outbound.flush();
                return;
            default:
                updateInterest();
        }
    }

    /** OP_READ unless paused, OP_WRITE while the socket is full. Loop thread. */
    void updateInterest() {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = phase == CONNECTING ? SelectionKey.OP_CONNECT : reader.paused() ? 0 : SelectionKey.OP_READ;
        if (outbound.writeBlocked()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    // ======================================================================================== writing

    @Override
    public CompletableFuture<Void> send(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        CompletableFuture<Void> done = new CompletableFuture<>();
        OutFrame f = OutFrame.of(frame, outbound.nextMask(), done); // encoded and masked before taking the lock
        int result;
        boolean blocked;
        LoopThread holder = LoopThread.holding(loop);
        try {
            synchronized (outbound) {
                if (holder != null && holder.holds()) { // checked under the lock: see LoopThread.stopHolding
                    result = held(holder, outbound.holdLocked(f));
                } else {
                    result = outbound.offerLocked(f, false);
                }
                blocked = outbound.writeBlockedLocked();
            }
        } catch (IOException e) {
            done.completeExceptionally(e);
            onLoop(() -> onFailure(e));
            return done;
        }
        if (result == Outbound.REFUSED) {
            done.completeExceptionally(new IOException("the websocket to " + request.redactedUri() + " is "
                    + (closing.finished() ? "closed" : "closing") + "; the frame was not sent"));
            return done;
        }
        if (blocked) {
            onLoop(this::updateInterest); // OP_WRITE: the loop writes the rest
        }
        if (result == Outbound.WRITTEN) {
            done.complete(null);
        }
        return done;
    }

    /** Writes the frames a loop thread held for the end of its batch. Any thread. */
    void flushHeld() {
        outbound.flushHeld();
    }

    private int held(LoopThread holder, int result) {
        if (result == Outbound.HELD) {
            holder.held(this);
            return Outbound.QUEUED;
        }
        return result;
    }

    /**
     * Sends a burst in order. When nothing is queued, on plain TCP, with every frame whole in memory and at most
     * {@link Outbound#MAX_WRITE} bytes in all, the burst goes out in one gathering socket write; frames the socket
     * does not take wait in the queue as with {@link #send}. Otherwise each frame is offered in turn. Frames leave in
     * order, so the returned future, the last frame's, completes once all did.
     */
    @Override
    public CompletableFuture<Void> sendAll(List<Frame> frames) {
        int n = frames.size();
        if (n == 1) {
            return send(frames.get(0));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        OutFrame[] burst = new OutFrame[n];
        long bytes = 0;
        boolean gather = true;
        for (int i = 0; i < n; i++) {
            // encoded and masked before taking the lock, as send does
            burst[i] = OutFrame.of(Objects.requireNonNull(frames.get(i), "frame"), outbound.nextMask(),
                    i == n - 1 ? done : null);
            gather &= burst[i].whole();
            bytes += burst[i].remaining();
        }
        gather &= bytes <= Outbound.MAX_WRITE;
        int last = Outbound.REFUSED;
        boolean blocked;
        LoopThread holder = LoopThread.holding(loop);
        try {
            synchronized (outbound) {
                if (holder != null && holder.holds()) { // checked under the lock: see LoopThread.stopHolding
                    for (OutFrame f : burst) {
                        last = held(holder, outbound.holdLocked(f));
                    }
                } else if (gather && tls == null && outbound.idleLocked()) {
                    last = outbound.gatherLocked(burst, bytes);
                } else {
                    for (OutFrame f : burst) {
                        last = outbound.offerLocked(f, false);
                    }
                }
                blocked = outbound.writeBlockedLocked();
            }
        } catch (IOException e) {
            done.completeExceptionally(e);
            onLoop(() -> onFailure(e));
            return done;
        }
        if (last == Outbound.REFUSED) {
            done.completeExceptionally(new IOException("the websocket to " + request.redactedUri() + " is "
                    + (closing.finished() ? "closed" : "closing") + "; the frames were not sent"));
            return done;
        }
        if (blocked) {
            onLoop(this::updateInterest); // OP_WRITE: the loop writes the rest
        }
        if (last == Outbound.WRITTEN) {
            done.complete(null);
        }
        return done;
    }

    @Override
    public void close(int code, String reason) {
        if (!FrameParser.isValidReceivedCode(code)) {
            throw new IllegalArgumentException("close code " + code + " cannot be sent (RFC 6455 §7.4)");
        }
        byte[] why = reason.getBytes(StandardCharsets.UTF_8);
        if (why.length > 123) {
            throw new IllegalArgumentException("close reason takes " + why.length + " bytes in UTF-8; at most 123");
        }
        OutFrame f = OutFrame.control(OutFrame.CLOSE, OutFrame.closePayload(code, why), outbound.nextMask());
        if (outbound.offerClose(f)) {
            onLoop(closing::afterClose);
        }
    }

    @Override
    public void abort() {
        closing.markFinished();
        closing.closeChannel("the websocket was aborted");
        onLoop(closing::closeSocket);
    }

    @Override
    public UpgradeResponse upgradeResponse() {
        return response;
    }

    // ======================================================================================== helpers

    static long nanos(Duration d) {
        try {
            return Math.max(1, d.toNanos());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public String toString() {
        return "NioConnection[" + request.redactedUri() + "]";
    }
}
