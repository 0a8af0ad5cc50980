package dev.slipstream.transport.nio.internal;

import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeRejectedException;
import dev.slipstream.client.transport.UpgradeResponse;
import dev.slipstream.client.transport.WebSocketProtocolException;
import dev.slipstream.protocol.Frame;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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
 * thread when nothing is queued, under this object's monitor (the write lock), which also guards the queue and the
 * output state; a frame the socket cannot take now is queued and the loop finishes it on {@code OP_WRITE}. Control
 * frames the loop answers with (pong, the close echo) go ahead of queued messages, after a frame already started.
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
        implements TransportConnection, EventLoop.Handler, FrameParser.Sink, TlsSession.PlainSink, OutFrame.Sink {

    // Phases of the connection, loop-owned, in order.
    private static final int NEW = 0;
    private static final int RESOLVING = 1;
    private static final int CONNECTING = 2;
    private static final int TLS_HANDSHAKE = 3;
    private static final int SENDING_UPGRADE = 4;
    private static final int READING_UPGRADE = 5;
    private static final int OPEN = 6;
    private static final int CLOSED = 7;

    // Output states, guarded by the write lock.
    private static final int OUT_OPEN = 0;
    private static final int OUT_CLOSING = 1; // a close frame is queued
    private static final int OUT_CLOSE_SENT = 2;
    private static final int OUT_DEAD = 3;

    // What offering a frame did.
    private static final int WRITTEN = 0;
    private static final int QUEUED = 1;
    private static final int REFUSED = 2;

    private static final byte[] NO_BYTES = new byte[0];
    /** The most bytes offered to one socket write. */
    private static final int MAX_WRITE = 256 * 1024;
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final VarHandle MASK_STATE;
    private static final VarHandle FINISHED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MASK_STATE = l.findVarHandle(NioConnection.class, "maskState", long.class);
            FINISHED = l.findVarHandle(NioConnection.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    private final Executor worker;
    private final TransportRequest request;
    private final TransportListener listener;
    /** Null for ws://. */
    private final SSLContext sslContext;
    private final long closeTimeoutNanos;
    private final String host; // as in the URI, IPv6 in brackets
    private final int port;
    private final Opening opening = new Opening();

    // ---- loop-owned
    private int phase = NEW;
    private volatile SocketChannel channel; // abort() closes it from any thread
    private SelectionKey key;
    private InetAddress[] addresses;
    private int nextAddress;
    private IOException connectFailure;
    private EventLoop.Timer timer; // the connect timeout, then the close bound
    private UpgradeHandshake handshake;
    private ByteBuffer upgradeBytes;
    private FrameParser parser;
    private boolean inputDone; // a close frame arrived or the input failed: the rest is ignored
    private boolean closeReceived;
    private boolean readPaused; // while TLS delegated tasks run
    private volatile UpgradeResponse response;
    /** Set on the loop before the open future completes, so callers see it through that completion. */
    private TlsSession tls;

    // ---- guarded by the write lock (this)
    private ArrayDeque<OutFrame> queue;
    private boolean writeBlocked; // the socket is full: OP_WRITE wanted
    private boolean tlsStalled; // the engine takes no data until the peer's handshake message: retried after reads
    private int out = OUT_OPEN;
    private boolean closeWhenFlushed; // both close frames are (or will be) exchanged, or the connection failed

    // ---- any thread
    @SuppressWarnings("unused") // through FINISHED
    private volatile int finished; // 1 once the listener heard its end or abort() was called
    @SuppressWarnings("unused") // through MASK_STATE
    private volatile long maskState;

    private NioConnection(EventLoop loop, Executor worker, TransportRequest request, TransportListener listener,
            SSLContext sslContext, Duration closeTimeout) {
        this.loop = loop;
        this.worker = worker;
        this.request = request;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.sslContext = sslContext;
        this.closeTimeoutNanos = nanos(closeTimeout);
        URI uri = request.uri();
        this.host = uri.getHost();
        this.port = uri.getPort() != -1 ? uri.getPort() : sslContext != null ? 443 : 80;
        // Masking keys: a SplitMix64 sequence per connection seeded from SecureRandom. Unpredictable to anyone who
        // does not see the seed, one atomic add per frame. RFC 6455 §10.3 asks for unpredictable keys so a hostile
        // script cannot choose the bytes an intermediary sees; here the application chooses the payloads anyway.
        this.maskState = SEEDS.nextLong();
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
                onLoop(NioConnection.this::abandon);
            }
            return cancelled;
        }
    }

    @FunctionalInterface
    private interface LoopTask {
        void run() throws Exception;
    }

    /** Runs {@code task} on the loop; whatever it throws fails this connection only. */
    private void onLoop(LoopTask task) {
        loop.execute(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                onFailure(t);
            }
        });
    }

    private void schedule(long nanos, LoopTask task) {
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

    // ======================================================================================== connecting

    private void start() throws IOException {
        if (opening.isDone() || loop.isTerminated()) {
            failOpen(new IOException("the websocket transport was closed"));
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
            failOpen(error);
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
        failOpen(connectFailure != null ? connectFailure : new ConnectException("no address for " + host));
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
    private void tlsHandshake() throws IOException {
        while (phase == TLS_HANDSHAKE) {
            HandshakeStatus hs = tls.engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    runTlsTasks();
                    return;
                case NEED_WRAP: {
                    boolean flushed;
                    synchronized (this) {
                        flushed = tls.wrapHandshake();
                        writeBlocked = !flushed;
                    }
                    if (!flushed) {
                        updateInterest();
                        return;
                    }
                    break;
                }
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN: {
                    int r = tls.read(loop, this);
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

    /**
     * Runs the engine's delegated tasks on the worker pool, not inline: they check the server's certificate chain,
     * which costs milliseconds of CPU and may fetch revocation data over the network, and every other connection
     * of the loop would wait meanwhile. Reading pauses until they are done.
     */
    private void runTlsTasks() {
        readPaused = true;
        updateInterest();
        SSLEngine engine = tls.engine;
        worker.execute(() -> {
            try {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            } catch (Throwable t) {
                onLoop(() -> onFailure(t));
                return;
            }
            onLoop(this::tlsTasksDone);
        });
    }

    private void tlsTasksDone() throws IOException {
        readPaused = false;
        if (phase == TLS_HANDSHAKE) {
            updateInterest();
            tlsHandshake();
        } else if (phase == READING_UPGRADE || phase == OPEN) {
            updateInterest();
            readTls();
        }
    }

    private void sendUpgrade() throws IOException {
        handshake = new UpgradeHandshake();
        upgradeBytes = ByteBuffer.wrap(handshake.request(request));
        phase = SENDING_UPGRADE;
        continueUpgrade();
    }

    private void continueUpgrade() throws IOException {
        boolean done;
        synchronized (this) {
            write(new ByteBuffer[] {upgradeBytes}); // small: one write takes it unless the socket is full
            done = !upgradeBytes.hasRemaining() && (tls == null || !tls.hasPending());
            writeBlocked = !done;
        }
        if (done) {
            upgradeBytes = null;
            phase = READING_UPGRADE;
        }
        updateInterest();
    }

    /** The response header block arrived. */
    private void upgraded() throws IOException {
        UpgradeHandshake h = handshake;
        handshake = null;
        if (h.status() != 101) {
            failOpen(new UpgradeRejectedException(h.status(), h.headers()));
            return;
        }
        if (upgradeBytes != null) {
            throw new ProtocolException("the server switched protocols before the whole upgrade request was sent");
        }
        h.validateSwitch();
        response = new UpgradeResponse(101, h.headers(), true);
        parser = new FrameParser(request.maxMessageBytes());
        loop.cancel(timer);
        timer = null;
        phase = OPEN;
        if (!opening.complete(this)) { // cancelled or timed out by the caller meanwhile
            FINISHED.setVolatile(this, 1);
            closeSocket();
        }
    }

    private void connectTimedOut() {
        if (phase >= OPEN) {
            return;
        }
        failOpen(new HttpConnectTimeoutException("no websocket at " + request.redactedUri() + " within "
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

    private void abandon() {
        if (phase < OPEN) {
            FINISHED.setVolatile(this, 1);
            closeSocket();
        }
    }

    private void failOpen(Throwable error) {
        if (phase == CLOSED) {
            return;
        }
        FINISHED.setVolatile(this, 1);
        closeSocket();
        opening.completeExceptionally(error);
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
        if ((ready & SelectionKey.OP_READ) != 0 && phase != CLOSED && !readPaused && k.isValid()) {
            if (tls == null) {
                readPlain();
            } else if (phase == TLS_HANDSHAKE) {
                tlsHandshake();
            } else {
                readTls();
            }
        }
    }

    @Override
    public void onFailure(Throwable error) {
        if (phase < OPEN) {
            failOpen(error);
            return;
        }
        if (phase == CLOSED) {
            return;
        }
        reportError(error);
        closeSocket();
    }

    private void onWritable() throws IOException {
        switch (phase) {
            case TLS_HANDSHAKE: {
                boolean flushed;
                synchronized (this) {
                    flushed = tls.flush();
                    writeBlocked = !flushed;
                }
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
                flush();
                return;
            default:
                updateInterest();
        }
    }

    /** OP_READ unless paused, OP_WRITE while the socket is full. Loop thread. */
    private void updateInterest() {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = phase == CONNECTING ? SelectionKey.OP_CONNECT : readPaused ? 0 : SelectionKey.OP_READ;
        synchronized (this) {
            if (writeBlocked) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    // ======================================================================================== reading

    private void readPlain() throws IOException {
        ByteBuffer buf = loop.readBuffer();
        for (int i = 0; i < 4; i++) { // then give the other connections a turn
            buf.clear();
            int n;
            try {
                n = channel.read(buf);
            } catch (IOException e) {
                onFailure(e);
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
            if (phase == CLOSED || n < buf.capacity()) {
                return;
            }
        }
    }

    private void readTls() throws IOException {
        for (int i = 0; i < 8 && phase != CLOSED && !readPaused; i++) {
            int r;
            try {
                r = tls.read(loop, this);
            } catch (IOException e) {
                onFailure(e);
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
            boolean stalled;
            synchronized (this) {
                stalled = tlsStalled;
            }
            if (hs == HandshakeStatus.NEED_WRAP || stalled) {
                flush(); // answers a TLS 1.3 KeyUpdate (or a renegotiation), then the frames that waited for it
            }
            if (r != TlsSession.MORE) {
                return;
            }
        }
    }

    /** Plaintext from the socket: the upgrade response, then frames. Loop thread. */
    @Override
    public void accept(ByteBuffer in) throws IOException {
        if (phase < OPEN) {
            if (handshake == null || !handshake.feed(in)) {
                in.position(in.limit());
                return;
            }
            upgraded(); // the bytes after the header block are frames
            if (phase != OPEN) {
                in.position(in.limit());
                return;
            }
        }
        if (phase != OPEN || inputDone) {
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
        return phase == CLOSED || inputDone;
    }

    @Override
    public void onMessage(Frame message) {
        if ((int) FINISHED.getVolatile(this) == 0) {
            listener.onFrame(message);
        }
    }

    @Override
    public void onPing(byte[] payload) {
        offerControl(OutFrame.control(OutFrame.PONG, payload, nextMask()));
    }

    @Override
    public void onPong(byte[] payload) {
        // unsolicited or not, nothing to do
    }

    @Override
    public void onClose(int code, String reason) {
        inputDone = true;
        closeReceived = true;
        List<CompletableFuture<Void>> dropped = null;
        IOException failure = null;
        boolean closeNow;
        synchronized (this) {
            closeWhenFlushed = true;
            if (out == OUT_OPEN) { // echo the code (RFC 6455 §5.5.1); what was not started is not sent
                dropped = dropUnstartedLocked();
                try {
                    offerLocked(OutFrame.control(OutFrame.CLOSE, OutFrame.closePayload(code, NO_BYTES), nextMask()),
                            false);
                } catch (IOException e) {
                    failure = e;
                }
                if (out == OUT_OPEN) {
                    out = OUT_CLOSING;
                }
            }
            closeNow = closeNowLocked();
        }
        failAll(dropped, "the server closed the websocket with " + code + " before this frame was sent");
        reportClosed(code, reason);
        if (closeNow || failure != null) {
            closeSocket();
        } else {
            updateInterest();
            armCloseTimer();
        }
    }

    /** RFC 6455 §7.1.7: send a close frame with {@code code}, drop the connection, tell the listener. */
    private void failConnection(IOException error, int code, String reason) {
        inputDone = true;
        List<CompletableFuture<Void>> dropped;
        IOException failure = null;
        boolean closeNow;
        synchronized (this) {
            closeWhenFlushed = true;
            dropped = dropUnstartedLocked();
            if (out == OUT_OPEN) {
                try {
                    offerLocked(OutFrame.control(OutFrame.CLOSE,
                            OutFrame.closePayload(code, reason.getBytes(StandardCharsets.UTF_8)), nextMask()), false);
                } catch (IOException e) {
                    failure = e;
                }
                if (out == OUT_OPEN) {
                    out = OUT_CLOSING;
                }
            }
            closeNow = closeNowLocked();
        }
        failAll(dropped, "the websocket failed before this frame was sent: " + error.getMessage());
        reportError(error);
        if (closeNow || failure != null) {
            closeSocket();
        } else {
            updateInterest();
            armCloseTimer();
        }
    }

    private void onEof() {
        if (phase < OPEN) {
            failOpen(new EOFException("the server closed the connection before answering the websocket upgrade"));
            return;
        }
        if (!inputDone) {
            reportClosed(1006, ""); // no close frame (RFC 6455 §7.1.5)
        }
        closeSocket();
    }

    private void armCloseTimer() {
        if (timer == null && phase != CLOSED) {
            schedule(closeTimeoutNanos, this::closeTimedOut);
        }
    }

    private void closeTimedOut() {
        if (phase == CLOSED) {
            return;
        }
        if (!inputDone) {
            reportClosed(1006, "no close frame from the server within " + Duration.ofNanos(closeTimeoutNanos));
        }
        closeSocket();
    }

    // ======================================================================================== writing

    @Override
    public CompletableFuture<Void> send(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        CompletableFuture<Void> done = new CompletableFuture<>();
        OutFrame f = OutFrame.of(frame, nextMask(), done); // encoded and masked before taking the lock
        int result;
        boolean blocked;
        try {
            synchronized (this) {
                result = offerLocked(f, false);
                blocked = writeBlocked;
            }
        } catch (IOException e) {
            done.completeExceptionally(e);
            onLoop(() -> onFailure(e));
            return done;
        }
        if (result == REFUSED) {
            done.completeExceptionally(new IOException("the websocket to " + request.redactedUri() + " is "
                    + (finishedOrDead() ? "closed" : "closing") + "; the frame was not sent"));
            return done;
        }
        if (blocked) {
            onLoop(this::updateInterest); // OP_WRITE: the loop writes the rest
        }
        if (result == WRITTEN) {
            done.complete(null);
        }
        return done;
    }

    /**
     * Sends a burst in order. When nothing is queued, on plain TCP, with every frame whole in memory and at most
     * {@link #MAX_WRITE} bytes in all, the burst goes out in one gathering socket write; frames the socket does not
     * take wait in the queue as with {@link #send}. Otherwise each frame is offered in turn. Frames leave in order, so
     * the returned future, the last frame's, completes once all did.
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
            burst[i] = OutFrame.of(Objects.requireNonNull(frames.get(i), "frame"), nextMask(), i == n - 1 ? done : null);
            gather &= burst[i].whole();
            bytes += burst[i].remaining();
        }
        gather &= bytes <= MAX_WRITE;
        int last = REFUSED;
        boolean blocked;
        try {
            synchronized (this) {
                if (gather && tls == null && out == OUT_OPEN && queue == null && !writeBlocked && !tlsStalled) {
                    last = gatherLocked(burst, bytes);
                } else {
                    for (OutFrame f : burst) {
                        last = offerLocked(f, false);
                    }
                }
                blocked = writeBlocked;
            }
        } catch (IOException e) {
            done.completeExceptionally(e);
            onLoop(() -> onFailure(e));
            return done;
        }
        if (last == REFUSED) {
            done.completeExceptionally(new IOException("the websocket to " + request.redactedUri() + " is "
                    + (finishedOrDead() ? "closed" : "closing") + "; the frames were not sent"));
            return done;
        }
        if (blocked) {
            onLoop(this::updateInterest); // OP_WRITE: the loop writes the rest
        }
        if (last == WRITTEN) {
            done.complete(null);
        }
        return done;
    }

    /**
     * One gathering write of a burst of whole frames; those it did not finish (the first perhaps started) wait in the
     * queue, in order. Returns what happened to the last frame. Under the write lock.
     */
    private int gatherLocked(OutFrame[] burst, long bytes) throws IOException {
        int count = 0;
        for (OutFrame f : burst) {
            count += f.buffers().length;
        }
        ByteBuffer[] all = new ByteBuffer[count];
        int at = 0;
        for (OutFrame f : burst) {
            for (ByteBuffer b : f.buffers()) {
                all[at++] = b;
            }
        }
        if (channel.write(all) == bytes) {
            return WRITTEN;
        }
        queue = new ArrayDeque<>(burst.length);
        for (OutFrame f : burst) {
            if (f.remaining() > 0) {
                queue.add(f);
            } else if (f.done != null) {
                f.done.complete(null); // never the last one here: the last is unfinished
            }
        }
        markBlockedLocked();
        return QUEUED;
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
        OutFrame f = OutFrame.control(OutFrame.CLOSE, OutFrame.closePayload(code, why), nextMask());
        synchronized (this) {
            if (out != OUT_OPEN) {
                return;
            }
            try {
                offerLocked(f, false);
            } catch (IOException e) {
                onLoop(() -> onFailure(e));
                return;
            } finally {
                if (out == OUT_OPEN) {
                    out = OUT_CLOSING;
                }
            }
        }
        onLoop(this::afterClose);
    }

    /** After our close frame was written or queued: wait for the server's, within the bound. Loop thread. */
    private void afterClose() {
        if (phase == CLOSED) {
            return;
        }
        boolean closeNow;
        synchronized (this) {
            closeNow = closeNowLocked();
        }
        if (closeNow) {
            closeSocket();
            return;
        }
        updateInterest();
        armCloseTimer();
    }

    @Override
    public void abort() {
        FINISHED.setVolatile(this, 1);
        closeChannel("the websocket was aborted");
        onLoop(this::closeSocket);
    }

    @Override
    public UpgradeResponse upgradeResponse() {
        return response;
    }

    /** A pong (from the loop): ahead of queued messages, never inside a frame already started. */
    private void offerControl(OutFrame f) {
        boolean blocked;
        try {
            synchronized (this) {
                offerLocked(f, true);
                blocked = writeBlocked;
            }
        } catch (IOException e) {
            onFailure(e);
            return;
        }
        if (blocked) {
            updateInterest();
        }
    }

    /**
     * Writes {@code f} now when nothing waits before it, else queues it (at the back, or for {@code urgent} control
     * frames right after a started frame). Under the write lock.
     */
    private int offerLocked(OutFrame f, boolean urgent) throws IOException {
        if (out != OUT_OPEN) {
            return REFUSED;
        }
        if (queue == null && !writeBlocked && !tlsStalled) {
            if (f.writeTo(this)) {
                if (f.opcode == OutFrame.CLOSE) {
                    out = OUT_CLOSE_SENT;
                }
                if (tls != null && tls.hasPending()) {
                    writeBlocked = true;
                }
                return WRITTEN;
            }
            queue = new ArrayDeque<>(4);
            queue.add(f);
            markBlockedLocked();
            return QUEUED;
        }
        if (queue == null) {
            queue = new ArrayDeque<>(4);
        }
        if (f.opcode == OutFrame.PONG) {
            // RFC 6455 §5.5.3: answering the latest ping is enough. A server that pings while it does not read cannot
            // make the queue grow.
            queue.removeIf(q -> q.opcode == OutFrame.PONG && !q.started());
        }
        if (urgent && !queue.isEmpty()) {
            OutFrame head = queue.peekFirst();
            if (head.started()) {
                queue.pollFirst();
                queue.addFirst(f);
                queue.addFirst(head);
            } else {
                queue.addFirst(f);
            }
        } else {
            queue.addLast(f);
        }
        return QUEUED;
    }

    /** A frame did not fit: wait for OP_WRITE, or (TLS busy with a handshake, nothing pending) for the next read. */
    private void markBlockedLocked() {
        if (tls != null && !tls.hasPending()) {
            tlsStalled = true;
        } else {
            writeBlocked = true;
        }
    }

    /** The sink frames write to: the socket, or TLS in front of it. Under the write lock. */
    @Override
    public boolean write(ByteBuffer[] buffers) throws IOException {
        if (tls != null) {
            tls.write(buffers); // one TLS record (16 KiB) at a time, until the socket is full
            if (tls.hasPending()) {
                return false;
            }
            for (ByteBuffer b : buffers) {
                if (b.hasRemaining()) {
                    return false; // the engine waits for the peer's handshake message
                }
            }
            return true;
        }
        ByteBuffer first = buffers[0];
        ByteBuffer second = buffers.length > 1 ? buffers[1] : null;
        long offered = first.remaining() + (second == null ? 0L : second.remaining());
        if (offered <= MAX_WRITE) {
            return (second == null ? channel.write(first) : channel.write(buffers)) == offered;
        }
        // The JDK copies the whole remainder of a heap buffer into a temporary direct buffer on every write, however
        // little the socket takes: offer at most MAX_WRITE bytes per write, or a large frame to a slow reader costs
        // copying quadratic in its size.
        int limit1 = first.limit();
        int limit2 = second == null ? 0 : second.limit();
        int take1 = Math.min(first.remaining(), MAX_WRITE);
        first.limit(first.position() + take1);
        if (second != null) {
            second.limit(second.position() + Math.min(second.remaining(), MAX_WRITE - take1));
        }
        try {
            return (second == null ? channel.write(first) : channel.write(buffers)) == MAX_WRITE;
        } finally {
            first.limit(limit1);
            if (second != null) {
                second.limit(limit2);
            }
        }
    }

    /** Writes what waits, on OP_WRITE or after a TLS read. Loop thread. */
    private void flush() {
        List<CompletableFuture<Void>> done = new ArrayList<>(4);
        IOException failure = null;
        boolean closeNow;
        synchronized (this) {
            try {
                drainLocked(done);
            } catch (IOException e) {
                failure = e;
            }
            closeNow = failure == null && closeNowLocked();
        }
        for (CompletableFuture<Void> d : done) {
            d.complete(null);
        }
        if (failure != null) {
            onFailure(failure);
            return;
        }
        updateInterest();
        if (closeNow) {
            closeSocket();
        }
    }

    /** Writes queued frames while the socket takes them; written frames' futures go to {@code done}. */
    private void drainLocked(List<CompletableFuture<Void>> done) throws IOException {
        writeBlocked = false;
        tlsStalled = false;
        if (tls != null) {
            if (!tls.flush() || (tls.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !tls.wrapHandshake())) {
                writeBlocked = true;
                return;
            }
        }
        while (queue != null && !queue.isEmpty()) {
            OutFrame f = queue.peekFirst();
            if (!f.writeTo(this)) {
                markBlockedLocked();
                return;
            }
            queue.pollFirst();
            if (f.opcode == OutFrame.CLOSE) {
                out = OUT_CLOSE_SENT;
            }
            if (f.done != null) {
                done.add(f.done);
            }
        }
        queue = null;
        if (tls != null && tls.hasPending()) {
            writeBlocked = true;
        }
    }

    /** Our close frame is on the wire, nothing else waits, and the server's close came or the connection failed. */
    private boolean closeNowLocked() {
        return out == OUT_CLOSE_SENT && closeWhenFlushed && !writeBlocked && queue == null;
    }

    /** Takes every queued frame out except one already started and a queued close; returns their futures. */
    private List<CompletableFuture<Void>> dropUnstartedLocked() {
        if (queue == null) {
            return null;
        }
        List<CompletableFuture<Void>> dropped = null;
        for (Iterator<OutFrame> it = queue.iterator(); it.hasNext(); ) {
            OutFrame f = it.next();
            if (!f.started() && f.opcode != OutFrame.CLOSE) {
                it.remove();
                if (f.done != null) {
                    if (dropped == null) {
                        dropped = new ArrayList<>();
                    }
                    dropped.add(f.done);
                }
            }
        }
        if (queue.isEmpty()) {
            queue = null;
        }
        return dropped;
    }

    private static void failAll(List<CompletableFuture<Void>> futures, String why) {
        if (futures != null) {
            IOException e = new IOException(why);
            for (CompletableFuture<Void> f : futures) {
                f.completeExceptionally(e);
            }
        }
    }

    // ======================================================================================== ending

    /** Closes the socket and ends the loop's part. Loop thread. */
    private void closeSocket() {
        if (phase == CLOSED) {
            return;
        }
        phase = CLOSED;
        loop.cancel(timer);
        timer = null;
        parser = null;
        handshake = null;
        upgradeBytes = null;
        closeChannel("the websocket is closed; the frame was not sent");
    }

    /** Closes the socket (any thread) and fails every frame still waiting. */
    private void closeChannel(String why) {
        List<CompletableFuture<Void>> dropped = null;
        synchronized (this) {
            out = OUT_DEAD;
            if (queue != null) {
                dropped = new ArrayList<>(queue.size());
                for (OutFrame f : queue) {
                    if (f.done != null) {
                        dropped.add(f.done);
                    }
                }
                queue = null;
            }
            writeBlocked = false;
            tlsStalled = false;
            if (tls != null && channel != null && channel.isOpen()) {
                tls.closeOutbound();
            }
        }
        closeQuietly(channel);
        failAll(dropped, why);
    }

    private void reportClosed(int code, String reason) {
        if (FINISHED.compareAndSet(this, 0, 1)) {
            listener.onClosed(code, reason);
        }
    }

    private void reportError(Throwable error) {
        if (FINISHED.compareAndSet(this, 0, 1)) {
            listener.onError(error);
        }
    }

    private boolean finishedOrDead() {
        return (int) FINISHED.getVolatile(this) == 1;
    }

    // ======================================================================================== helpers

    private int nextMask() {
        long z = (long) MASK_STATE.getAndAdd(this, GOLDEN_GAMMA) + GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) ((z ^ (z >>> 31)) >>> 32);
    }

    private static long nanos(Duration d) {
        try {
            return Math.max(1, d.toNanos());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static void closeQuietly(SocketChannel ch) {
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
