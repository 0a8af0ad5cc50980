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
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeRejectedException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The client's connection and its lifecycle: {@code Connect} (the socket URI and auth token of each attempt, the
 * connect timeout), {@code Connected} or {@code ConnectFailed}, the reconnect with backoff after a failure or a lost
 * link, {@code Disconnect} with its close handshake (bounded by the close timeout), {@code Close}, and the teardown
 * when a link ends. Each attempt has a generation: what a timer or the transport reports for an older one is stale
 * and ignored. Owned by the {@link ConnectionOwner}; touched only on its executor, except the connected snapshot that
 * {@code isConnected} reads from any thread.
 *
 * <pre>{@code
 * connection.onConnect(future);   // Connect: a websocket is opened, or the caller waits for the one opening
 * connection.onOpened(opened);    // TransportOpened: Connected, the heartbeat starts, errored topics rejoin
 * connection.connectionLost(why); // the link died: Disconnected, reconnect with backoff
 * }</pre>
 */
final class Connection {
    private enum Conn { DISCONNECTED, CONNECTING, CONNECTED, CLOSING }

    private final ConnectionOwner owner;
    private final ClientConfig config;
    private final SlipstreamClient handle;
    private final ClientModule module;
    private final ClientEventListener listener;
    private final Scheduler scheduler;
    private final Delivery out;

    private Conn conn = Conn.DISCONNECTED;
    private boolean closed;
    private boolean wantConnected;
    private long generation;
    private CompletableFuture<TransportConnection> opening;
    private TransportConnection transport;
    /** Reports a failed send of the current connection (tagged with its generation) to the owner. */
    private BiConsumer<Void, Throwable> sendFailed;
    private String redactedUri;
    private long connectStartNanos;
    private int reconnectAttempt;
    private long reconnectToken;
    private Scheduler.Cancellable connectTimer;
    private Scheduler.Cancellable reconnectTimer;
    private Scheduler.Cancellable closeTimer;
    // Sized for one waiter, the usual case: the array a list grows to stays after it is cleared.
    private final List<CompletableFuture<Void>> connectWaiters = new ArrayList<>(1);
    private final List<CompletableFuture<Void>> disconnectWaiters = new ArrayList<>(1);
    /** Whether connected, for {@code isConnected} on any thread; written only on the owner's executor. */
    private volatile boolean connectedSnapshot;

    Connection(ConnectionOwner owner) {
        this.owner = owner;
        this.config = owner.config;
        this.handle = owner.handle;
        this.module = owner.module;
        this.listener = owner.listener;
        this.scheduler = owner.scheduler;
        this.out = owner.out;
    }

    /** The current connection attempt; what a timer or the transport reports for an older one is stale. */
    long generation() {
        return generation;
    }

    /** Whether the client is connected (not connecting, not closing). */
    boolean connected() {
        return conn == Conn.CONNECTED;
    }

    /** Whether the client is connected, from the snapshot: any thread may ask. */
    boolean connectedSnapshot() {
        return connectedSnapshot;
    }

    /** Whether frames received are handled: connected, or closing (the replies before the close frame count). */
    boolean receiving() {
        return conn == Conn.CONNECTED || conn == Conn.CLOSING;
    }

    /** Whether the client should be connected: {@code connect()} was called, and no disconnect or close since. */
    boolean wantConnected() {
        return wantConnected;
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

    /** The open link of the current connection, or null while there is none. */
    TransportConnection transport() {
        return transport;
    }

    /** The one send listener of the current link: reports a failed send to the owner, tagged with the generation. */
    BiConsumer<Void, Throwable> sendFailed() {
        return sendFailed;
    }

    void onCloseTimeout(long gen) {
        if (gen == generation && conn == Conn.CLOSING) {
            transport.abort();
            finishClientDisconnect(1006, "close timeout");
        }
    }

    void onReconnectDue(long token) {
        if (token == reconnectToken && conn == Conn.DISCONNECTED && wantConnected && !closed) {
            reconnectTimer = null;
            startConnect();
        }
    }


    void onConnect(CompletableFuture<Void> result) {
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
        connectTimer = scheduler.schedule(config.connectTimeout(), () -> owner.send(new Command.ConnectTimedOut(gen)));
        try {
            opening = config.transport().open(request, owner.transportListener(gen));
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((c, e) -> owner.send(new Command.TransportOpened(gen, c, e)));
    }

    void onOpened(Command.TransportOpened o) {
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
                owner.send(new Command.TransportFailed(gen, e));
            }
        };
        conn = Conn.CONNECTED;
        connectedSnapshot = true;
        reconnectAttempt = 0;
        owner.heartbeat.start();
        if (listener != null) {
            out.emit(new ClientEvent.Connected(redactedUri, took, transport.upgradeResponse()));
        }
        out.completeAll(connectWaiters, null);
        owner.topics.rejoinErrored();
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

    void onConnectTimeout(long gen) {
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
        reconnectTimer = scheduler.schedule(delay, () -> owner.send(new Command.ReconnectDue(token)));
    }

    void onDisconnect(CompletableFuture<Void> result) {
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
                owner.heartbeat.stop();
                owner.writer.flush(); // what was written before the disconnect goes ahead of the close frame
                transport.close(1000, "");
                long gen = generation;
                closeTimer = scheduler.schedule(config.closeTimeout(), () -> owner.send(new Command.CloseTimedOut(gen)));
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

    void onTransportClosed(Command.TransportClosed t) {
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

    void onTransportFailed(Command.TransportFailed t) {
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
        owner.heartbeat.ended();
        List<String> forgotten = owner.topics.connectionLost(reason);
        if (listener != null) {
            out.emit(new ClientEvent.Disconnected(reason));
        }
        if (module != null) {
            out.callback("disconnected", () -> module.disconnected(handle, reason));
        }
        owner.topics.forget(forgotten);
    }

    void onClose(CompletableFuture<Void> result) {
        if (closed) {
            out.complete(result, null);
            return;
        }
        closed = true;
        wantConnected = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        onDisconnect(done);
        done.whenComplete((v, e) -> owner.send(new Command.Close(result)));
        // Everything still waiting fails now; the close handshake finishes in the background of this command.
        owner.topics.clientClosed();
        owner.pushes.clientClosed();
        if (module != null) {
            out.callback("stopped", () -> module.stopped(handle));
        }
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
