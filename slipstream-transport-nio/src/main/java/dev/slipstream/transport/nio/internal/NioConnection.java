package dev.slipstream.transport.nio.internal;

import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeRejectedException;
import dev.slipstream.client.transport.UpgradeResponse;
import dev.slipstream.protocol.Frame;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

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
 * <pre>{@code
 * TransportConnection c = NioConnection.open(LoopGroup.shared(), request, listener, null, Duration.ofSeconds(2))
 *     .get(10, TimeUnit.SECONDS);
 * c.send(Frame.text("[null,\"1\",\"phoenix\",\"heartbeat\",{}]"));
 * }</pre>
 */
public final class NioConnection
        implements TransportConnection, EventLoop.Handler {

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
    /** Null for ws://. */
    private final SSLContext sslContext;
    private final String host; // as in the URI, IPv6 in brackets
    private final int port;
    final CompletableFuture<TransportConnection> opening = new Opening();
    /** The writing side; its monitor is the write lock. */
    final Outbound outbound = new Outbound(this);
    final FrameReader reader = new FrameReader(this);
    final Closing closing;

    // ---- loop-owned
    int phase = NEW;
    volatile SocketChannel channel; // abort() closes it from any thread
    private SelectionKey key;
    private InetAddress[] addresses;
    private int nextAddress;
    private IOException connectFailure;
    EventLoop.Timer timer; // the connect timeout, then the close bound
    private UpgradeHandshake handshake;
    private ByteBuffer upgradeBytes;
    private volatile UpgradeResponse response;
    /** Set on the loop before the open future completes, so callers see it through that completion. */
    TlsSession tls;

    private NioConnection(EventLoop loop, Executor worker, TransportRequest request, TransportListener listener,
            SSLContext sslContext, Duration closeTimeout) {
        this.loop = loop;
        this.worker = worker;
        this.request = request;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.sslContext = sslContext;
        this.closing = new Closing(this, nanos(closeTimeout));
        URI uri = request.uri();
        this.host = uri.getHost();
        this.port = uri.getPort() != -1 ? uri.getPort() : sslContext != null ? 443 : 80;
    }

    /** Starts connecting on the next loop of {@code loops}; the future completes once the server switched protocols. */
    public static CompletableFuture<TransportConnection> open(LoopGroup loops, TransportRequest request,
            TransportListener listener, SSLContext sslContextOrNull, Duration closeTimeout) {
        NioConnection c = new NioConnection(loops.next(), LoopGroup.worker(), request, listener, sslContextOrNull,
                closeTimeout);
        c.onLoop(c::start);
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

    void cancelTimer() {
        loop.cancel(timer);
        timer = null;
    }

    // ======================================================================================== connecting

    private void start() throws IOException {
        if (opening.isDone() || loop.isTerminated()) {
            closing.failOpen(new IOException("the websocket transport was closed"));
            return;
        }
        schedule(nanos(request.connectTimeout()), this::connectTimedOut);
        if (isIpLiteral(host)) {
            addresses = InetAddress.getAllByName(host); // parsed, no lookup
            connectNext();
            return;
        }
        // A DNS lookup blocks: never on the loop (nor on the caller, the client's owner thread).
        phase = RESOLVING;
        worker.execute(() -> {
            try {
                InetAddress[] found = InetAddress.getAllByName(host);
                onLoop(() -> resolved(found, null));
            } catch (UnknownHostException | RuntimeException e) {
                onLoop(() -> resolved(null, e));
            }
        });
    }

    private void resolved(InetAddress[] found, Exception error) throws IOException {
        if (phase != RESOLVING) {
            return; // timed out or abandoned meanwhile
        }
        if (error != null) {
            closing.failOpen(error);
            return;
        }
        addresses = found;
        connectNext();
    }

    /** Tries the next address of the host; fails the open when none is left. */
    private void connectNext() throws IOException {
        phase = CONNECTING;
        while (nextAddress < addresses.length) {
            InetSocketAddress target = new InetSocketAddress(addresses[nextAddress++], port);
            SocketChannel ch = null;
            boolean connected;
            try {
                ch = SocketChannel.open();
                channel = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // frames go out when written
                connected = ch.connect(target);
                key = ch.register(loop.selector(), connected ? 0 : SelectionKey.OP_CONNECT, this);
            } catch (IOException e) {
                closeQuietly(ch);
                connectFailure = connectError(target, e);
                continue;
            }
            if (connected) {
                onConnected();
            }
            return;
        }
        closing.failOpen(connectFailure != null ? connectFailure : new ConnectException("no address for " + host));
    }

    private void onConnectable() throws IOException {
        boolean done;
        try {
            done = channel.finishConnect();
        } catch (IOException e) {
            connectFailure = connectError(new InetSocketAddress(addresses[nextAddress - 1], port), e);
            closeQuietly(channel);
            key = null;
            connectNext();
            return;
        }
        if (done) {
            onConnected();
        }
    }

    private static IOException connectError(InetSocketAddress target, IOException e) {
        ConnectException c = new ConnectException("could not connect to " + target + ": " + e.getMessage());
        c.initCause(e);
        return c;
    }

    private void onConnected() throws IOException {
        if (sslContext == null) {
            sendUpgrade();
            return;
        }
        String peer = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        SSLEngine engine = sslContext.createSSLEngine(peer, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // hostname verification, as browsers do
        if (!isIpLiteral(host)) {
            try {
                params.setServerNames(List.of(new SNIHostName(peer)));
            } catch (IllegalArgumentException notAnSniName) {
                // a name SNI cannot carry: the handshake goes without SNI, verification still applies
            }
        }
        engine.setSSLParameters(params);
        tls = new TlsSession(engine, channel);
        phase = TLS_HANDSHAKE;
        engine.beginHandshake();
        tlsHandshake();
    }

    /** Drives the TLS handshake as far as it goes without waiting. */
    void tlsHandshake() throws IOException {
        while (phase == TLS_HANDSHAKE) {
            HandshakeStatus hs = tls.engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    reader.runTlsTasks();
                    return;
                case NEED_WRAP: {
                    if (!outbound.wrapHandshake()) {
                        updateInterest();
                        return;
                    }
                    break;
                }
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN: {
                    int r = tls.read(loop, reader);
                    if (r == TlsSession.EOF) {
                        throw new SSLHandshakeException("the server closed the connection during the TLS handshake");
                    }
                    if (r == TlsSession.NO_PROGRESS) {
                        updateInterest();
                        return;
                    }
                    break;
                }
                default: // NOT_HANDSHAKING
                    sendUpgrade();
                    return;
            }
        }
    }

    private void sendUpgrade() throws IOException {
        handshake = new UpgradeHandshake();
        upgradeBytes = ByteBuffer.wrap(handshake.request(request));
        phase = SENDING_UPGRADE;
        continueUpgrade();
    }

    private void continueUpgrade() throws IOException {
        if (outbound.writeUpgrade(upgradeBytes)) {
            upgradeBytes = null;
            phase = READING_UPGRADE;
        }
        updateInterest();
    }

    /** The socket closed: the upgrade's state goes. */
    void releaseUpgrade() {
        handshake = null;
        upgradeBytes = null;
    }

    /** Feeds the upgrade response; true once its header block is complete and was acted on. */
    boolean readUpgrade(ByteBuffer in) throws IOException {
        if (handshake == null || !handshake.feed(in)) {
            return false;
        }
        upgraded();
        return true;
    }

    /** The response header block arrived. */
    private void upgraded() throws IOException {
        UpgradeHandshake h = handshake;
        handshake = null;
        if (h.status() != 101) {
            closing.failOpen(new UpgradeRejectedException(h.status(), h.headers()));
            return;
        }
        if (upgradeBytes != null) {
            throw new ProtocolException("the server switched protocols before the whole upgrade request was sent");
        }
        h.validateSwitch();
        response = new UpgradeResponse(101, h.headers(), true);
        reader.opened();
        cancelTimer();
        phase = OPEN;
        if (!opening.complete(this)) { // cancelled or timed out by the caller meanwhile
            closing.markFinished();
            closing.closeSocket();
        }
    }

    private void connectTimedOut() {
        if (phase >= OPEN) {
            return;
        }
        closing.failOpen(new HttpConnectTimeoutException("no websocket at " + request.redactedUri() + " within "
                + request.connectTimeout() + " (" + phaseName() + ")"));
    }

    private String phaseName() {
        switch (phase) {
            case RESOLVING:
                return "still resolving " + host;
            case CONNECTING:
                return "TCP connect not finished";
            case TLS_HANDSHAKE:
                return "TLS handshake not finished";
            case SENDING_UPGRADE:
                return "upgrade request not fully sent";
            default:
                return "no upgrade response";
        }
    }

    // ======================================================================================== loop events

    @Override
    public void onReady(SelectionKey k) throws IOException {
        int ready = k.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
            onConnectable();
            return;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            onWritable();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && phase != CLOSED && !reader.paused() && k.isValid()) {
            if (tls == null) {
                reader.readPlain();
            } else if (phase == TLS_HANDSHAKE) {
                tlsHandshake();
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
            case TLS_HANDSHAKE: {
                boolean flushed = outbound.flushHandshake();
                updateInterest();
                if (flushed) {
                    tlsHandshake();
                }
                return;
            }
            case SENDING_UPGRADE:
                continueUpgrade();
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
        try {
            synchronized (outbound) {
                result = outbound.offerLocked(f, false);
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
        try {
            synchronized (outbound) {
                if (gather && tls == null && outbound.idleLocked()) {
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

    private static long nanos(Duration d) {
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

    /** A bracketed IPv6 literal or a dotted IPv4 address: parsed without any DNS lookup. */
    static boolean isIpLiteral(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "NioConnection[" + request.redactedUri() + "]";
    }
}
