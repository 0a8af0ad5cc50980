package dev.slipstream.client.internal;

import dev.slipstream.client.ClientClosedException;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.NotConnectedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeRejectedException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Payload;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The one owner of a client's state: the connection, the heartbeat, the refs, the topics and the pending pushes.
 * Every change is a {@link Command} applied on the client's {@link SerialExecutor}; nothing here is touched from any
 * other thread, except the two volatile snapshots read by {@code isConnected} and {@code isJoined}. The transport only
 * moves frames and reports; timers only enqueue commands. The owner emits events to the module's callbacks, to the
 * event listener and to the callers' futures (completed on a separate pool, so callers' code never runs here).
 *
 * <pre>{@code
 * ConnectionOwner owner = new ConnectionOwner(config, client, presenceViews);
 * owner.start();
 * owner.connect().join();
 * }</pre>
 */
public final class ConnectionOwner {
    private static final System.Logger LOG = System.getLogger(ConnectionOwner.class.getName());

    private enum Conn { DISCONNECTED, CONNECTING, CONNECTED, CLOSING }

    // Read by the owner's parts (package-private, final): what the client was built with and where user code runs.
    final ClientConfig config;
    final SlipstreamClient handle;
    final ClientModule module;
    final ClientEventListener listener;
    final Scheduler scheduler;
    private final SerialExecutor executor;
    /** Where user code runs: the module's callbacks, the event listener, the stages of callers' futures. */
    final Delivery out;
    final PresenceSinks presenceSinks;

    // ---- owned by the executor ----
    private Conn conn = Conn.DISCONNECTED;
    private boolean closed;
    private boolean wantConnected;
    private long generation;
    private CompletableFuture<TransportConnection> opening;
    TransportConnection transport;
    /** Reports a failed send of the current connection (tagged with its generation) to the owner. */
    java.util.function.BiConsumer<Void, Throwable> sendFailed;
    private String redactedUri;
    private long connectStartNanos;
    private int reconnectAttempt;
    private long reconnectToken;
    private Scheduler.Cancellable connectTimer;
    private Scheduler.Cancellable reconnectTimer;
    private Scheduler.Cancellable closeTimer;
    private final List<CompletableFuture<Void>> connectWaiters = new ArrayList<>();
    private final List<CompletableFuture<Void>> disconnectWaiters = new ArrayList<>();
    /** The joins, leaves and pushes sent and waiting for their replies, with their one deadline timer. */
    private final AwaitedReplies replies;
    /** Refs, encoding and the outbox of frames sent when the owner runs dry. */
    final Writer writer;
    final Heartbeat heartbeat;
    private final InboundRouter inbound;
    final PresenceUpdates presence;
    final Pushes pushes;
    final Topics topics;

    // ---- snapshots for other threads ----
    private volatile boolean connectedSnapshot;

    public ConnectionOwner(ClientConfig config, SlipstreamClient handle, PresenceSinks presenceSinks) {
        this.config = config;
        this.presenceSinks = presenceSinks;
        this.handle = handle;
        this.module = config.module();
        this.listener = config.eventListener();
        this.scheduler = config.scheduler();
        Executor pool = config.executor() == null ? SharedPools.clients() : config.executor();
        // The owner runs on whichever thread hands it work while it is idle (the transport's reader, a caller, a
        // timer): no thread hand-off per command or frame. It never runs user code, which goes to `callbacks`.
        this.executor = new SerialExecutor(pool, true, this::whenIdle);
        this.replies = new AwaitedReplies(scheduler, token -> () -> send(new Command.DeadlinesDue(token)));
        this.out = new Delivery(listener, scheduler, new SerialExecutor(pool), SharedPools.completions());
        this.writer = new Writer(this, replies);
        this.heartbeat = new Heartbeat(this);
        this.presence = new PresenceUpdates(this);
        this.pushes = new Pushes(this, replies);
        this.topics = new Topics(this, replies);
        this.inbound = new InboundRouter(this, replies);
    }

    // ======================================================================================== public entry points

    public void start() {
        send(new Command.Start());
    }

    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.Connect(f));
        return f;
    }

    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.Disconnect(f));
        return f;
    }

    public CompletableFuture<Payload> join(String topic, Supplier<? extends Payload> params) {
        CompletableFuture<Payload> f = new CallerFuture<>();
        send(new Command.JoinTopic(topic, params, f));
        return f;
    }

    public CompletableFuture<Payload.Reply> push(String topic, String event, Payload payload, Duration timeout) {
        CompletableFuture<Payload.Reply> f = new CallerFuture<>();
        send(new Command.PushMessage(topic, event, payload, timeout, f));
        return f;
    }

    public CompletableFuture<Void> leave(String topic) {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.LeaveTopic(topic, f));
        return f;
    }

    public void close() {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.Close(f));
        if (!isOwnerThread()) {
            try {
                // Bounded: the close wait is itself bounded by the close timeout.
                f.get(config.closeTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                if (module != null || listener != null) {
                    // Callbacks run behind the owner: return once the stop hook and the last events have run.
                    out.awaitDelivered(config.closeTimeout().toMillis() + 5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(Level.WARNING, "slipstream client close did not finish cleanly: " + e);
            }
        }
    }

    public boolean isConnected() {
        return connectedSnapshot;
    }

    public boolean isJoined(String topic) {
        return topics.isJoined(topic);
    }

    /** Whether the calling thread runs the owner or one of the client's callbacks (where blocking would deadlock). */
    public boolean isOwnerThread() {
        return executor.inExecutor() || out.inCallback();
    }

    /** Hands {@code command} to the owner's executor: how callers, the transport and timers reach the owner. */
    void send(Command command) {
        executor.execute(() -> {
            try {
                apply(command);
            } catch (RuntimeException e) {
                // A bug in the owner must not leave the client wedged silently.
                LOG.log(Level.ERROR, "slipstream client failed applying " + command.getClass().getSimpleName(), e);
            }
        });
    }

    // ======================================================================================== command dispatch

    private void apply(Command c) {
        if (c instanceof Command.FrameReceived f) {
            inbound.onFrame(f);
        } else if (c instanceof Command.PushMessage p) {
            pushes.onPush(p);
        } else if (c instanceof Command.DeadlinesDue d) {
            pushes.onDeadlinesDue(d.token());
        } else if (c instanceof Command.HeartbeatTick h) {
            heartbeat.onTick(h.generation());
        } else if (c instanceof Command.JoinTopic j) {
            topics.onJoin(j);
        } else if (c instanceof Command.LeaveTopic l) {
            topics.onLeave(l);
        } else if (c instanceof Command.Connect k) {
            onConnect(k.result());
        } else if (c instanceof Command.Disconnect d) {
            onDisconnect(d.result());
        } else if (c instanceof Command.TransportOpened o) {
            onOpened(o);
        } else if (c instanceof Command.ConnectTimedOut t) {
            onConnectTimeout(t.generation());
        } else if (c instanceof Command.TransportClosed t) {
            onTransportClosed(t);
        } else if (c instanceof Command.TransportFailed t) {
            onTransportFailed(t);
        } else if (c instanceof Command.CloseTimedOut t) {
            if (t.generation() == generation && conn == Conn.CLOSING) {
                transport.abort();
                finishClientDisconnect(1006, "close timeout");
            }
        } else if (c instanceof Command.ReconnectDue r) {
            if (r.token() == reconnectToken && conn == Conn.DISCONNECTED && wantConnected && !closed) {
                reconnectTimer = null;
                startConnect();
            }
        } else if (c instanceof Command.RejoinDue r) {
            topics.onRejoinDue(r);
        } else if (c instanceof Command.JoinWaitTimedOut w) {
            topics.onJoinWaitTimeout(w);
        } else if (c instanceof Command.BufferedPushTimedOut b) {
            pushes.onBufferedPushTimeout(b);
        } else if (c instanceof Command.Start) {
            if (module != null) {
                out.callback("started", () -> module.started(handle));
            }
        } else if (c instanceof Command.Close k) {
            onClose(k.result());
        }
    }

    // ======================================================================================== connection

    private void onConnect(CompletableFuture<Void> result) {
        if (closed) {
            out.fail(result, new ClientClosedException("connect on a closed client"));
            return;
        }
        wantConnected = true;
        switch (conn) {
            case CONNECTED:
                out.complete(result, null);
                return;
            case CONNECTING:
                connectWaiters.add(result);
                return;
            case CLOSING:
                // A connect during a clean close: let the close finish, then connect.
                connectWaiters.add(result);
                return;
            default:
                connectWaiters.add(result);
                if (reconnectTimer != null) {
                    reconnectTimer.cancel();
                    reconnectTimer = null;
                }
                startConnect();
        }
    }

    private void startConnect() {
        generation++;
        long gen = generation;
        conn = Conn.CONNECTING;
        URI uri;
        try {
            uri = Endpoints.buildUri(config.endpoint(), config.params().get(), config.serializer().vsn());
        } catch (RuntimeException e) {
            redactedUri = TransportRequest.redact(config.endpoint());
            connectFailed(new ConnectFailedException(ConnectFailedException.Kind.NETWORK, redactedUri,
                    new IllegalArgumentException("the connect params supplier failed: " + e, e)), 0);
            return;
        }
        redactedUri = TransportRequest.redact(uri);
        List<String> subprotocols = List.of();
        if (config.authToken() != null) {
            String token = null;
            String problem = "the authToken supplier returned null";
            try {
                token = config.authToken().get();
            } catch (RuntimeException e) {
                problem = "the authToken supplier failed with " + e.getClass().getName(); // its message may quote the token
            }
            if (token == null) {
                connectFailed(new ConnectFailedException(ConnectFailedException.Kind.NETWORK, redactedUri,
                        new IllegalArgumentException(problem)), 0);
                return;
            }
            subprotocols = AuthTokenProtocol.subprotocols(token);
        }
        TransportRequest request = new TransportRequest(uri, config.headers(), subprotocols, config.connectTimeout(),
                config.maxMessageBytes());
        if (listener != null) {
            out.emit(new ClientEvent.ConnectStarted(redactedUri, reconnectAttempt));
        }
        connectStartNanos = scheduler.nanoTime();
        connectTimer = scheduler.schedule(config.connectTimeout(), () -> send(new Command.ConnectTimedOut(gen)));
        try {
            opening = config.transport().open(request, new Listener(gen));
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((c, e) -> send(new Command.TransportOpened(gen, c, e)));
    }

    private void onOpened(Command.TransportOpened o) {
        if (o.generation() != generation || conn != Conn.CONNECTING) {
            // Too late (timed out, or disconnect asked meanwhile): drop the link nobody wants.
            if (o.connection() != null) {
                o.connection().abort();
            }
            return;
        }
        cancel(connectTimer);
        connectTimer = null;
        opening = null;
        Duration took = Duration.ofNanos(scheduler.nanoTime() - connectStartNanos);
        if (o.error() != null) {
            connectFailed(classify(o.error()), took.toNanos());
            return;
        }
        transport = o.connection();
        long gen = generation;
        sendFailed = (v, e) -> {
            if (e != null) {
                send(new Command.TransportFailed(gen, e));
            }
        };
        conn = Conn.CONNECTED;
        connectedSnapshot = true;
        reconnectAttempt = 0;
        heartbeat.start();
        if (listener != null) {
            out.emit(new ClientEvent.Connected(redactedUri, took, transport.upgradeResponse()));
        }
        out.completeAll(connectWaiters, null);
        topics.rejoinErrored();
        if (module != null) {
            out.callback("connected", () -> module.connected(handle));
        }
    }

    private ConnectFailedException classify(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof ConnectFailedException c) {
            return c;
        }
        if (e instanceof UpgradeRejectedException) {
            return new ConnectFailedException(ConnectFailedException.Kind.REJECTED, redactedUri, e);
        }
        if (e instanceof java.net.http.HttpTimeoutException) { // the Transport contract's timeout, any transport
            return new ConnectFailedException(ConnectFailedException.Kind.TIMEOUT, redactedUri, e);
        }
        return new ConnectFailedException(ConnectFailedException.Kind.NETWORK, redactedUri, e);
    }

    private void onConnectTimeout(long gen) {
        if (gen != generation || conn != Conn.CONNECTING) {
            return;
        }
        connectTimer = null;
        if (opening != null) {
            opening.cancel(true);
            opening = null;
        }
        connectFailed(new ConnectFailedException(ConnectFailedException.Kind.TIMEOUT, redactedUri,
                new TimeoutException("no websocket within " + config.connectTimeout())),
                scheduler.nanoTime() - connectStartNanos);
    }

    private void connectFailed(ConnectFailedException error, long tookNanos) {
        conn = Conn.DISCONNECTED;
        transport = null;
        if (listener != null) {
            out.emit(new ClientEvent.ConnectFailed(redactedUri, Duration.ofNanos(tookNanos), error));
        }
        out.failAll(connectWaiters, error);
        if (module != null) {
            out.callback("connectFailed", () -> module.connectFailed(handle, error));
        }
        if (wantConnected && config.reconnect() && !closed) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        reconnectAttempt++;
        Duration delay = config.reconnectBackoff().delay(reconnectAttempt);
        long token = ++reconnectToken;
        if (listener != null) {
            out.emit(new ClientEvent.ReconnectScheduled(reconnectAttempt, delay));
        }
        reconnectTimer = scheduler.schedule(delay, () -> send(new Command.ReconnectDue(token)));
    }

    private void onDisconnect(CompletableFuture<Void> result) {
        wantConnected = false;
        if (reconnectTimer != null) {
            reconnectTimer.cancel();
            reconnectTimer = null;
        }
        switch (conn) {
            case CONNECTED:
                disconnectWaiters.add(result);
                conn = Conn.CLOSING;
                connectedSnapshot = false;
                heartbeat.stop();
                writer.flush(); // what was written before the disconnect goes ahead of the close frame
                transport.close(1000, "");
                long gen = generation;
                closeTimer = scheduler.schedule(config.closeTimeout(), () -> send(new Command.CloseTimedOut(gen)));
                return;
            case CLOSING:
                disconnectWaiters.add(result);
                return;
            case CONNECTING:
                cancel(connectTimer);
                connectTimer = null;
                if (opening != null) {
                    opening.cancel(true);
                    opening = null;
                }
                generation++;
                conn = Conn.DISCONNECTED;
                out.failAll(connectWaiters, new NotConnectedException("connect abandoned: disconnect was requested"));
                out.complete(result, null);
                return;
            default:
                out.complete(result, null);
        }
    }

    private void onTransportClosed(Command.TransportClosed t) {
        if (t.generation() != generation) {
            return;
        }
        if (conn == Conn.CLOSING) {
            finishClientDisconnect(t.code(), t.reason());
        } else if (conn == Conn.CONNECTED) {
            connectionLost(new DisconnectReason(DisconnectReason.Kind.SERVER_CLOSED, t.code(), t.reason(),
                    Optional.empty()));
        }
    }

    private void onTransportFailed(Command.TransportFailed t) {
        if (t.generation() != generation) {
            return;
        }
        if (conn == Conn.CLOSING) {
            finishClientDisconnect(1006, String.valueOf(t.error()));
        } else if (conn == Conn.CONNECTED) {
            if (t.error() instanceof MessageTooLargeException big) {
                if (listener != null) {
                    out.emit(new ClientEvent.MessageTooLarge(big.size(), big.limit()));
                }
                connectionLost(new DisconnectReason(DisconnectReason.Kind.MESSAGE_TOO_LARGE, 1009, "message too big",
                        Optional.of(big)));
            } else {
                transport.abort();
                connectionLost(new DisconnectReason(DisconnectReason.Kind.TRANSPORT_ERROR, 1006, "",
                        Optional.of(t.error())));
            }
        }
    }

    private void finishClientDisconnect(int code, String reason) {
        cancel(closeTimer);
        closeTimer = null;
        tearDown(new DisconnectReason(DisconnectReason.Kind.CLIENT_REQUESTED, code, reason == null ? "" : reason,
                Optional.empty()));
        out.completeAll(disconnectWaiters, null);
        if (closed) {
            out.failAll(connectWaiters, new ClientClosedException("client closed before the connect"));
        } else if (!connectWaiters.isEmpty()) {
            // connect() was called while the clean close was running.
            wantConnected = true;
            startConnect();
        }
    }

    /** The connection ended without the client asking: tear down, tell everyone, reconnect with backoff. */
    void connectionLost(DisconnectReason reason) {
        tearDown(reason);
        if (wantConnected && config.reconnect() && !closed) {
            scheduleReconnect();
        }
    }

    private void tearDown(DisconnectReason reason) {
        generation++; // whatever the old transport still reports is now stale
        conn = Conn.DISCONNECTED;
        connectedSnapshot = false;
        transport = null;
        heartbeat.ended();
        List<String> forgotten = topics.connectionLost(reason);
        if (listener != null) {
            out.emit(new ClientEvent.Disconnected(reason));
        }
        if (module != null) {
            out.callback("disconnected", () -> module.disconnected(handle, reason));
        }
        topics.forget(forgotten);
    }

    private void onClose(CompletableFuture<Void> result) {
        if (closed) {
            out.complete(result, null);
            return;
        }
        closed = true;
        wantConnected = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        onDisconnect(done);
        done.whenComplete((v, e) -> send(new Command.Close(result)));
        // Everything still waiting fails now; the close handshake finishes in the background of this command.
        topics.clientClosed();
        pushes.clientClosed();
        if (module != null) {
            out.callback("stopped", () -> module.stopped(handle));
        }
    }

    // ======================================================================================== writing

    /** The owner ran dry: write the burst's frames, then hand its callbacks and events over (one task). */
    private void whenIdle() {
        writer.flush();
        out.flush();
    }

    // ======================================================================================== plumbing

    /** The current connection attempt; what a timer or the transport reports for an older one is stale. */
    long generation() {
        return generation;
    }

    /** Whether the client is connected (not connecting, not closing). */
    boolean connected() {
        return conn == Conn.CONNECTED;
    }

    /** Whether the client should be connected: {@code connect()} was called, and no disconnect or close since. */
    boolean wantConnected() {
        return wantConnected;
    }

    /** Whether frames received are handled: connected, or closing (the replies before the close frame count). */
    boolean receiving() {
        return conn == Conn.CONNECTED || conn == Conn.CLOSING;
    }

    /** Whether {@code close()} was called: nothing new is accepted. */
    boolean closed() {
        return closed;
    }

    /**
     * Whether a buffered push can still go out: connected, connecting, or a reconnect is scheduled. Not after
     * {@code disconnect()}, nor after a drop with reconnect off, where the push fails at once instead of waiting
     * for its timeout.
     */
    boolean willBeConnected() {
        return conn == Conn.CONNECTED || conn == Conn.CONNECTING || reconnectTimer != null;
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    // ======================================================================================== transport reports

    /** Hands transport reports to the owner, tagged with their connection attempt. Never blocks. */
    private final class Listener implements TransportListener {
        private final long gen;

        Listener(long gen) {
            this.gen = gen;
        }

        @Override
        public void onFrame(Frame frame) {
            send(new Command.FrameReceived(gen, frame));
        }

        @Override
        public void onClosed(int code, String reason) {
            send(new Command.TransportClosed(gen, code, reason));
        }

        @Override
        public void onError(Throwable error) {
            send(new Command.TransportFailed(gen, error));
        }
    }



}
