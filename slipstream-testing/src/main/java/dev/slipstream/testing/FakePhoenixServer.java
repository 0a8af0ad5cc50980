package dev.slipstream.testing;

import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import dev.slipstream.testing.admin.AdminApi;
import dev.slipstream.testing.stub.Stubs;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.Handshake;
import io.undertow.websockets.core.protocol.version07.Hybi07Handshake;
import io.undertow.websockets.core.protocol.version08.Hybi08Handshake;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Pooled;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * An in-process fake Phoenix server on Undertow that clients cannot tell from Phoenix: real websockets, Phoenix's
 * V1 and V2 serializers, and Phoenix's channel rules, frame for frame. Channels are Java {@link ChannelHandler}s;
 * tests drive it from outside (broadcasts, pushes, faults) and read a recording of every frame.
 *
 * <p>Start it on port 0 (the default): a fixed port collides with other tests and other processes. It binds
 * {@code 127.0.0.1} unless told otherwise. {@link #close()} releases every thread and socket within about a second
 * and is idempotent; a closed server cannot be started again, but a {@linkplain #stop() stopped} one can, on the
 * same port, which is how reconnect tests are written.
 *
 * <p>Threads: one XNIO I/O thread, and a small shared worker pool on which each connection's frames are handled
 * sequentially (no thread per connection). Handlers never run on the I/O thread. With
 * {@link Builder#sharedThreads(boolean)} the server borrows these threads from a set shared by such servers instead
 * (what {@code @SlipstreamTest} does, so a server per test costs no threads).
 *
 * <pre>{@code
 * try (FakePhoenixServer server = FakePhoenixServer.builder()
 *         .channel("room:*", (topic, params, socket) -> JoinResult.ok())
 *         .build()
 *         .start()) {
 *     URI uri = server.uri();   // ws://127.0.0.1:PORT/socket/websocket
 *     // connect a client to uri, then:
 *     server.broadcast("room:lobby", "new_msg", Map.of("body", "hi"));
 * }
 * }</pre>
 */
public final class FakePhoenixServer implements AutoCloseable {
    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    private static final AttachmentKey<PendingConnect> PENDING = AttachmentKey.create(PendingConnect.class);
    private static final String AUTH_TOKEN_PREFIX = "base64url.bearer.phx.";
    private static final AtomicInteger SERVER_COUNTER = new AtomicInteger();

    private final String host;
    private final int configuredPort;
    private final String socketPath;
    private final PhoenixVersion version;
    private final Duration idleTimeout;
    private final int idleCloseCode;
    private final int maxFrameSize;
    private final int maxChannels;
    private final int workerThreads;
    private final boolean sharedThreads;
    private final boolean recording;
    private final ConnectHandler connectHandler;
    private final List<Route> routes;
    private final Stubs stubs;
    private final Predicate<String> originCheck;
    private final HttpHandler httpHandler;
    private final List<ServerListener> listeners = new CopyOnWriteArrayList<>();
    private final String name = "slipstream-fake-" + SERVER_COUNTER.incrementAndGet();

    private final Object lock = new Object();
    private State state = State.NEW;
    private int boundPort = -1;
    private Executor pool;
    private ExecutorService ownPool;
    private ScheduledExecutorService timer;
    private SharedThreads.Lease lease;
    private XnioWorker worker;
    private HttpOpenListener openListener;
    private AcceptingChannel<StreamConnection> acceptor;

    private final CopyOnWriteArrayList<Conn> connections = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Conn> history = new CopyOnWriteArrayList<>();
    private final Map<String, CopyOnWriteArrayList<Chan>> subscribers = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Presences presences = new Presences(this);
    private final AtomicLong connectionCounter = new AtomicLong();

    private volatile int refuseStatus;
    private volatile boolean ignoreHeartbeats;
    private volatile Duration replyDelay = Duration.ZERO;

    private FakePhoenixServer(Builder b) {
        this.host = b.host;
        this.configuredPort = b.port;
        this.socketPath = b.socketPath;
        this.version = b.version;
        this.idleTimeout = b.idleTimeout;
        this.idleCloseCode = b.idleCloseCode;
        this.maxFrameSize = b.maxFrameSize;
        this.maxChannels = b.maxChannels;
        this.workerThreads = b.workerThreads;
        this.sharedThreads = b.sharedThreads;
        this.recording = b.recording;
        this.connectHandler = b.connectHandler;
        this.routes = List.copyOf(b.routes);
        this.stubs = b.stubs;
        this.originCheck = b.originCheck;
        this.httpHandler = AdminApi.mount(this, b.adminApi, b.httpHandler == null ? null : b.httpHandler.apply(this));
        this.listeners.addAll(b.listeners);
    }

    /** A builder with Phoenix's defaults: port 0 on 127.0.0.1, {@code /socket}, Phoenix 1.8, 60 s idle timeout. */
    public static Builder builder() {
        return new Builder();
    }

    // ================================================================== lifecycle

    /**
     * Starts listening (again, on the same port, after {@link #stop()}). Returns this server.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public FakePhoenixServer start() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("this server is closed; build a new one");
            }
            if (state == State.RUNNING) {
                return this;
            }
            if (worker == null) {
                createResources();
            }
            bind();
            state = State.RUNNING;
            return this;
        }
    }

    private void createResources() {
        if (sharedThreads) {
            lease = SharedThreads.lease();
            pool = lease;
            worker = lease.worker();
        } else {
            createOwnThreads();
        }
        ByteBufferPool buffers = new DefaultByteBufferPool(false, 16 * 1024, 64, 4);
        openListener = new HttpOpenListener(buffers, OptionMap.EMPTY);
        openListener.setRootHandler(this::handleHttp);
    }

    private void createOwnThreads() {
        ownPool = new ThreadPoolExecutor(workerThreads, workerThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                SharedThreads.daemonThreads(name + "-worker-"));
        pool = ownPool;
        ScheduledThreadPoolExecutor t =
                new ScheduledThreadPoolExecutor(1, SharedThreads.daemonThreads(name + "-timer-"));
        t.setRemoveOnCancelPolicy(true);
        timer = t;
        worker = SharedThreads.xnioWorker(name + "-io");
    }

    private void bind() {
        int port = boundPort >= 0 ? boundPort : configuredPort;
        ChannelListener<AcceptingChannel<StreamConnection>> accept = ChannelListeners.openListenerAdapter(openListener);
        try {
            acceptor = worker.createStreamConnectionServer(new InetSocketAddress(host, port), accept,
                    OptionMap.builder().set(Options.REUSE_ADDRESSES, true).set(Options.TCP_NODELAY, true).getMap());
        } catch (BindException e) {
            throw new java.io.UncheckedIOException("cannot bind " + host + ":" + port, e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
        acceptor.resumeAccepts();
        boundPort = ((InetSocketAddress) acceptor.getLocalAddress()).getPort();
    }

    private void unbind() {
        AcceptingChannel<StreamConnection> a = acceptor;
        acceptor = null;
        IoUtils.safeClose(a);
    }

    /**
     * Stops listening and drops every connection without a close frame, as a crashed server or a lost network does.
     * {@link #start()} listens again on the same port.
     */
    public void stop() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return;
            }
            unbind();
            state = State.STOPPED;
            for (Conn c : connections) {
                c.drop();
            }
        }
    }

    /** Stops listening and closes every connection with a close frame carrying {@code closeCode} (e.g. 1012, drain). */
    public void stop(int closeCode) {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return;
            }
            unbind();
            state = State.STOPPED;
            for (Conn c : connections) {
                c.closeWithCode(closeCode);
            }
        }
    }

    /** Closes every connection and releases every thread and socket. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            unbind();
            // Peers first, so no websocket keeps the worker alive.
            for (Conn c : connections) {
                try {
                    c.ws.close();
                } catch (IOException | RuntimeException ignored) {
                    // already closed
                }
            }
        }
        if (openListener != null) {
            openListener.closeConnections();
        }
        if (lease != null) {
            // The threads are shared: this server's tasks end, the threads stay for the next server.
            lease.close(Duration.ofSeconds(1));
            return;
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (ownPool != null) {
            ownPool.shutdownNow();
        }
        if (worker != null) {
            worker.shutdownNow();
            try {
                worker.awaitTermination(2, TimeUnit.SECONDS);
                ownPool.awaitTermination(1, TimeUnit.SECONDS);
                timer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the server is listening. */
    public boolean isRunning() {
        synchronized (lock) {
            return state == State.RUNNING;
        }
    }

    // ================================================================== addresses

    /** The bound port (also while stopped, for {@link #start()} to reuse). */
    public int port() {
        synchronized (lock) {
            if (boundPort < 0) {
                throw new IllegalStateException("the server has not been started");
            }
            return boundPort;
        }
    }

    /** The websocket URI, {@code ws://127.0.0.1:PORT/socket/websocket}; add {@code ?vsn=2.0.0} and params as needed. */
    public URI uri() {
        return URI.create("ws://" + hostForUri() + ":" + port() + socketPath + "/websocket");
    }

    /** The socket mount URI phoenix.js takes as its endpoint, {@code ws://127.0.0.1:PORT/socket}. */
    public URI socketUri() {
        return URI.create("ws://" + hostForUri() + ":" + port() + socketPath);
    }

    /** The HTTP base URI, {@code http://127.0.0.1:PORT}. */
    public URI httpUri() {
        return URI.create("http://" + hostForUri() + ":" + port());
    }

    private String hostForUri() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The Phoenix behaviour this server imitates. */
    public PhoenixVersion version() {
        return version;
    }

    // ================================================================== driving from a test

    /** Broadcasts {@code [null, null, topic, event, payload]} to every client joined to {@code topic}. */
    public void broadcast(String topic, String event, Object payload) {
        broadcast(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(event, "event"),
                Payloads.pushable(payload, "broadcast payload"), null);
    }

    /**
     * The stub set this server answers from ({@link Builder#stubs}), to change it while the server runs; empty for a
     * server started without stubs.
     *
     * <pre>{@code
     * server.stubs().orElseThrow().add("{\"topic\":\"live:*\"}");
     * }</pre>
     */
    public Optional<Stubs> stubs() {
        return Optional.ofNullable(stubs);
    }

    /** The open connections, in the order they opened. */
    public List<ServerConnection> connections() {
        return List.copyOf(connections);
    }

    /**
     * Every connection since the server was built, closed ones included, in the order they opened (only the open ones
     * when {@linkplain Builder#recording(boolean) recording} is off).
     */
    public List<ServerConnection> connectionHistory() {
        return recording ? List.copyOf(history) : List.copyOf(connections);
    }

    /**
     * Waits for the first open connection, in the order they opened.
     *
     * @throws TimeoutException naming the connections seen, when none arrives in time
     */
    public ServerConnection awaitConnection(Duration timeout) throws TimeoutException, InterruptedException {
        return awaitConnection(c -> true, timeout);
    }

    /**
     * Waits for the first open connection that matches {@code condition}.
     *
     * @throws TimeoutException naming the connections seen, when none matches in time
     */
    public ServerConnection awaitConnection(Predicate<ServerConnection> condition, Duration timeout)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (connections) {
            while (true) {
                for (Conn c : connections) {
                    if (c.isOpen() && condition.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no matching connection within " + timeout + "; open: "
                            + connections + ", all: " + history);
                }
                TimeUnit.NANOSECONDS.timedWait(connections, left);
            }
        }
    }

    /**
     * Closes every connection whose socket id is {@code socketId}, as Phoenix's {@code "disconnect"} broadcast does:
     * no frame first, close code 1001 (1000 for {@link PhoenixVersion#V1_7}). Returns how many were closed.
     */
    public int disconnect(String socketId) {
        int n = 0;
        for (Conn c : connections) {
            if (socketId.equals(c.socketId)) {
                c.closeWithCode(version.disconnectCloseCode());
                n++;
            }
        }
        return n;
    }

    /** The presences of {@code topic}, in the {@code presence_state} shape. */
    public com.fasterxml.jackson.databind.JsonNode presenceList(String topic) {
        return presences.list(topic);
    }

    /** Failures inside handlers and listeners, and send errors, in order: a test can assert there are none. */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /** Adds a listener for connections opened from now on. */
    public void addListener(ServerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(ServerListener listener) {
        listeners.remove(listener);
    }

    // ================================================================== faults

    /** Refuses every new connect with {@code httpStatus} (e.g. 403 or 503) until {@link #acceptConnections()}. */
    public void refuseConnections(int httpStatus) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("a refusal needs a 4xx or 5xx status, got " + httpStatus);
        }
        refuseStatus = httpStatus;
    }

    /** Refuses new connects with {@code httpStatus} for {@code duration}, then accepts again. */
    public void refuseConnections(int httpStatus, Duration duration) {
        refuseConnections(httpStatus);
        schedule(this::acceptConnections, duration);
    }

    /**
     * Closes the listening socket, so new connects are refused at the TCP level, while open connections stay up,
     * until {@link #acceptConnections()}.
     */
    public void refuseConnectionsTcp() {
        synchronized (lock) {
            if (state == State.RUNNING) {
                unbind();
            }
        }
    }

    /** Refuses new connects at the TCP level for {@code duration}, then listens again on the same port. */
    public void refuseConnectionsTcp(Duration duration) {
        refuseConnectionsTcp();
        schedule(this::acceptConnections, duration);
    }

    /** Ends both kinds of refusal. */
    public void acceptConnections() {
        refuseStatus = 0;
        synchronized (lock) {
            if (state == State.RUNNING && acceptor == null) {
                bind();
            }
        }
    }

    /** Stops (or resumes) answering heartbeats on every connection. */
    public void ignoreHeartbeats(boolean ignore) {
        ignoreHeartbeats = ignore;
    }

    /** Delays every reply on every connection by {@code delay} (zero to stop); see {@link ServerConnection#delayReplies}. */
    public void delayReplies(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        replyDelay = delay;
    }

    // ================================================================== package-private plumbing

    Executor pool() {
        return pool;
    }

    /** Runs {@code task} after {@code delay} on the timer; after {@link #close()} nothing runs any more. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            if (lease != null) {
                return lease.schedule(task, delay);
            }
            return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return new CancelledFuture();
        }
    }

    /** What {@link #schedule} returns once the server is closed. */
    private static final class CancelledFuture implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(java.util.concurrent.Delayed o) {
            return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return true;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            throw new java.util.concurrent.CancellationException("the server is closed");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new java.util.concurrent.CancellationException("the server is closed");
        }
    }

    /** Runs {@code task} on the worker pool; after {@link #close()} nothing runs any more. */
    void execute(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: the connection this was for is gone too
        }
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    int idleCloseCode() {
        return idleCloseCode;
    }

    int maxChannels() {
        return maxChannels;
    }

    boolean ignoringHeartbeats() {
        return ignoreHeartbeats;
    }

    Duration replyDelay() {
        return replyDelay;
    }

    Presences presences() {
        return presences;
    }

    void recordError(Throwable t) {
        errors.add(t);
    }

    void notifyListeners(Consumer<ServerListener> event) {
        for (ServerListener l : listeners) {
            try {
                event.accept(l);
            } catch (Throwable t) {
                recordError(t);
            }
        }
    }

    Route route(String topic) {
        for (Route r : routes) {
            if (r.matches(topic)) {
                return r;
            }
        }
        return null;
    }

    void subscribe(Chan chan) {
        subscribers.computeIfAbsent(chan.topic, t -> new CopyOnWriteArrayList<>()).add(chan);
    }

    void unsubscribe(Chan chan) {
        CopyOnWriteArrayList<Chan> subs = subscribers.get(chan.topic);
        if (subs != null) {
            subs.remove(chan);
        }
    }

    /** The fastlane: every joined channel of the topic gets {@code [null, null, topic, event, payload]}. */
    void broadcast(String topic, String event, Payload payload, Chan exclude) {
        broadcast(topic, event, payload, exclude, false);
    }

    /**
     * {@code queued}: each subscriber gets the message after the task its connection is running now, as a broadcast
     * from another process (Phoenix's presence tracker) reaches a channel after the reply the channel is writing.
     */
    void broadcast(String topic, String event, Payload payload, Chan exclude, boolean queued) {
        CopyOnWriteArrayList<Chan> subs = subscribers.get(topic);
        if (subs == null) {
            return;
        }
        dev.slipstream.protocol.Message m = dev.slipstream.protocol.Message.broadcast(topic, event, payload);
        for (Chan sub : subs) {
            if (sub == exclude) {
                continue;
            }
            Runnable write = () -> {
                if (sub.isJoined()) {
                    try {
                        sub.conn.write(m);
                    } catch (RuntimeException e) {
                        recordError(new IllegalStateException("broadcast of " + event + " on " + topic
                                + " cannot be sent to " + sub.conn.id + " (vsn " + sub.conn.vsn() + ")", e));
                    }
                }
            };
            if (queued) {
                sub.conn.serial.execute(write);
            } else {
                sub.conn.run(write);
            }
        }
    }

    void connectionClosed(Conn c) {
        connections.remove(c);
    }

    boolean recording() {
        return recording;
    }

    // ================================================================== HTTP and websocket plumbing

    private void handleHttp(HttpServerExchange exchange) throws Exception {
        if (exchange.getRequestPath().equals(socketPath + "/websocket")) {
            handleSocket(exchange);
        } else if (httpHandler != null) {
            httpHandler.handleRequest(exchange);
        } else {
            exchange.setStatusCode(404);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
            exchange.getResponseSender().send("{\"errors\":{\"detail\":\"Not Found\"}}");
        }
    }

    private void handleSocket(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            respond(exchange, 400, "");
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, Deque<String>> e : exchange.getQueryParameters().entrySet()) {
            params.put(e.getKey(), e.getValue().isEmpty() ? "" : e.getValue().getLast());
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpString name : exchange.getRequestHeaders().getHeaderNames()) {
            headers.put(name.toString().toLowerCase(Locale.ROOT), List.copyOf(exchange.getRequestHeaders().get(name)));
        }
        Optional<Serializer> serializer = Serializer.forVsn(params.get("vsn"));
        ConnectRequest request = new ConnectRequest(params, headers,
                serializer.map(Serializer::vsn).orElse(params.get("vsn")), authToken(headers),
                exchange.getSourceAddress());
        int refuse = refuseStatus;
        if (refuse > 0) {
            refuse(exchange, request, refuse, "");
            return;
        }
        if (serializer.isEmpty()) {
            refuse(exchange, request, 403, "");
            return;
        }
        if (originCheck != null) {
            Optional<String> origin = request.header("origin");
            if (origin.isPresent() && !originCheck.test(origin.get())) {
                refuse(exchange, request, 403, "");
                return;
            }
        }
        // connect/3 runs on a worker, never on the I/O thread; the exchange waits, dispatched, until it decides.
        exchange.dispatch(pool, () -> {
            ConnectResult result;
            try {
                result = Objects.requireNonNull(connectHandler.connect(request), "connect handler returned null");
            } catch (Throwable t) {
                recordError(new ChannelException("the connect handler raised", t));
                refuse(exchange, request, 500, "");
                return;
            }
            resolveConnect(exchange, request, serializer.get(), result);
        });
    }

    private void resolveConnect(HttpServerExchange exchange, ConnectRequest request, Serializer serializer,
            ConnectResult result) {
        if (result instanceof ConnectResult.Later later) {
            later.stage.whenComplete((r, error) -> execute(() -> {
                if (error != null || r == null) {
                    recordError(new ChannelException("the deferred connect decision failed",
                            error != null ? error : new NullPointerException("connect result is null")));
                    refuse(exchange, request, 500, "");
                } else {
                    resolveConnect(exchange, request, serializer, r);
                }
            }));
        } else if (result instanceof ConnectResult.Reject reject) {
            refuse(exchange, request, reject.status, reject.body);
        } else {
            exchange.putAttachment(PENDING, new PendingConnect(request, serializer, (ConnectResult.Accept) result));
            exchange.dispatch(SameThreadExecutor.INSTANCE, handshake);
        }
    }

    private void refuse(HttpServerExchange exchange, ConnectRequest request, int status, String body) {
        notifyListeners(l -> l.onRefused(request, status));
        respond(exchange, status, body);
    }

    private static void respond(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "max-age=0, private, must-revalidate");
        if (body.isEmpty()) {
            exchange.setResponseContentLength(0);
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(body);
        }
    }

    private static String authToken(Map<String, List<String>> headers) {
        for (String value : headers.getOrDefault("sec-websocket-protocol", List.of())) {
            for (String protocol : value.split(",")) {
                String p = protocol.trim();
                if (p.startsWith(AUTH_TOKEN_PREFIX)) {
                    try {
                        return new String(Base64.getDecoder().decode(p.substring(AUTH_TOKEN_PREFIX.length())),
                                StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private record PendingConnect(ConnectRequest request, Serializer serializer, ConnectResult.Accept accept) {}

    private final HttpHandler handshake = new WebSocketProtocolHandshakeHandler(
            List.<Handshake>of(new Hybi13Handshake(Set.of("phoenix"), false),
                    new Hybi08Handshake(Set.of("phoenix"), false), new Hybi07Handshake(Set.of("phoenix"), false)),
            (WebSocketConnectionCallback) this::onWebSocket,
            exchange -> {
                // Not an upgrade request: Phoenix (WebSockAdapter) answers 400 with the reason.
                String connection = String.valueOf(exchange.getRequestHeaders().get(Headers.CONNECTION));
                respond(exchange, 400, "'connection' header must contain 'upgrade', got "
                        + (connection.equals("null") ? "[]" : connection));
            });

    private void onWebSocket(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        PendingConnect pending = exchange.getAttachment(PENDING);
        Conn conn = new Conn(this, "conn-" + connectionCounter.incrementAndGet(), channel, pending.serializer,
                pending.request, pending.accept);
        Receiver receiver = new Receiver(conn);
        channel.getReceiveSetter().set(receiver);
        channel.addCloseTask(ch -> conn.onChannelClosed(receiver.clientCloseCode));
        synchronized (lock) {
            // A handshake that completes while the server stops must not leave a connection behind: stop() and
            // close() take the same lock before they drop what is registered.
            if (state != State.RUNNING) {
                IoUtils.safeClose(channel);
                return;
            }
            conn.serial.execute(() -> notifyListeners(l -> l.onOpen(conn)));
            synchronized (connections) {
                connections.add(conn);
                if (recording) {
                    history.add(conn);
                }
                connections.notifyAll();
            }
        }
        conn.startIdleTimer();
        channel.resumeReceives();
    }

    /** Reads whole frames on the I/O thread and hands them to the connection's serial executor. */
    private final class Receiver extends AbstractReceiveListener {
        private final Conn conn;
        volatile int clientCloseCode = 1006;

        Receiver(Conn conn) {
            this.conn = conn;
        }

        @Override
        protected long getMaxTextBufferSize() {
            return maxFrameSize;
        }

        @Override
        protected long getMaxBinaryBufferSize() {
            return maxFrameSize;
        }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            conn.onFrame(dev.slipstream.protocol.Frame.text(message.getData()));
        }

        @Override
        @SuppressWarnings("deprecation") // Undertow hands binary messages over only as XNIO's (deprecated) Pooled
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            Pooled<ByteBuffer[]> data = message.getData();
            try {
                ByteBuffer[] buffers = data.getResource();
                int size = 0;
                for (ByteBuffer b : buffers) {
                    size += b.remaining();
                }
                byte[] bytes = new byte[size];
                int at = 0;
                for (ByteBuffer b : buffers) {
                    int n = b.remaining();
                    b.get(bytes, at, n);
                    at += n;
                }
                conn.onFrame(dev.slipstream.protocol.Frame.binary(bytes));
            } finally {
                data.free();
            }
        }

        @Override
        protected void onFullPingMessage(WebSocketChannel channel, BufferedBinaryMessage message) throws IOException {
            conn.touch();
            super.onFullPingMessage(channel, message);
        }

        @Override
        protected void onFullPongMessage(WebSocketChannel channel, BufferedBinaryMessage message) throws IOException {
            conn.touch();
            super.onFullPongMessage(channel, message);
        }

        @Override
        protected void onCloseMessage(CloseMessage message, WebSocketChannel channel) {
            clientCloseCode = message.getCode();
        }
    }

    // ================================================================== routes and builder

    /** A topic pattern and the handler (or handler factory) for it. */
    static final class Route {
        private final String pattern;
        private final boolean prefix;
        private final Supplier<ChannelHandler> factory;

        private final Predicate<String> covers;

        Route(String pattern, Supplier<ChannelHandler> factory) {
            int star = pattern.indexOf('*');
            if (star >= 0 && star != pattern.length() - 1) {
                throw new IllegalArgumentException("channels using splat patterns must end with *: \"" + pattern + "\"");
            }
            this.pattern = star >= 0 ? pattern.substring(0, star) : pattern;
            this.prefix = star >= 0;
            this.factory = factory;
            this.covers = null;
        }

        /** The topics of a stub set, which can change while the server runs. */
        Route(Stubs stubs) {
            this.pattern = null;
            this.prefix = false;
            ChannelHandler handler = stubs.channelHandler();
            this.factory = () -> handler;
            this.covers = stubs::handles;
        }

        boolean matches(String topic) {
            if (covers != null) {
                return covers.test(topic);
            }
            return prefix ? topic.startsWith(pattern) : topic.equals(pattern);
        }

        ChannelHandler handler() {
            return Objects.requireNonNull(factory.get(), "channel factory returned null");
        }
    }

    /**
     * Configures a {@link FakePhoenixServer}. Every setting has Phoenix's default.
     *
     * <pre>{@code
     * FakePhoenixServer server = FakePhoenixServer.builder()
     *         .phoenixVersion(PhoenixVersion.V1_7)
     *         .idleTimeout(Duration.ofMillis(500))
     *         .connectHandler(request -> ConnectResult.accept())
     *         .channel("room:*", new RoomChannel())
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String socketPath = "/socket";
        private PhoenixVersion version = PhoenixVersion.V1_8;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int idleCloseCode = 1000;
        private int maxFrameSize = 10_000_000;
        private int maxChannels = 100;
        private int workerThreads = 2;
        private boolean sharedThreads;
        private boolean recording = true;
        private ConnectHandler connectHandler = ConnectHandler.ACCEPT_ALL;
        private final List<Route> routes = new ArrayList<>();
        private Predicate<String> originCheck;
        private Function<FakePhoenixServer, HttpHandler> httpHandler;
        private boolean adminApi;
        private Stubs stubs;
        private boolean connectHandlerSet;
        private final List<ServerListener> listeners = new ArrayList<>();

        private Builder() {}

        /** The interface to bind, {@code 127.0.0.1} by default. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; 0 (the default) picks a free one, which tests should always do. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The socket mount path, {@code /socket} by default; the websocket is at {@code <path>/websocket}. */
        public Builder socketPath(String path) {
            if (path == null || !path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
                throw new IllegalArgumentException("socket path must start with / and not end with /, got " + path);
            }
            this.socketPath = path.equals("/") ? "" : path;
            return this;
        }

        /** Which Phoenix release to imitate where they differ; {@link PhoenixVersion#V1_8} by default. */
        public Builder phoenixVersion(PhoenixVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Closes a connection that sends nothing for this long (Phoenix: 60 s). */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idle timeout must be positive, got " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** The close code of an idle timeout: 1000 as Cowboy (default), 1002 as Bandit. */
        public Builder idleTimeoutCloseCode(int code) {
            if (code < 1000 || code > 4999) {
                throw new IllegalArgumentException("close code must be 1000..4999, got " + code);
            }
            this.idleCloseCode = code;
            return this;
        }

        /** The largest inbound message in bytes (Phoenix: 10 000 000). */
        public Builder maxFrameSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("max frame size must be positive, got " + bytes);
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /** The most channels one connection may join (Phoenix: 100). */
        public Builder maxChannelsPerConnection(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("max channels must be positive, got " + max);
            }
            this.maxChannels = max;
            return this;
        }

        /** Threads of the shared pool that handles every connection's frames (2 by default). */
        public Builder workerThreads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("worker threads must be positive, got " + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * Runs on threads shared by every server built this way in the JVM instead of threads of its own (off by
         * default). Starting and closing such a server creates and joins no thread, which makes a server per test
         * several times cheaper; {@link #workerThreads(int)} then does not apply (the shared pool grows as needed).
         * {@link FakePhoenixServer#close()} still ends everything the server runs and closes its connections; the
         * shared threads themselves stop about a second after the last such server closed.
         */
        public Builder sharedThreads(boolean shared) {
            this.sharedThreads = shared;
            return this;
        }

        /**
         * Whether to keep every frame of every connection ({@link ServerConnection#recording()}) and every closed
         * connection ({@link FakePhoenixServer#connectionHistory()}). On by default, as tests want; a long-running
         * server (such as {@code serve}) turns it off so memory stays flat.
         */
        public Builder recording(boolean keep) {
            this.recording = keep;
            return this;
        }

        /** Decides connects ({@code connect/3}); accepts everything by default. */
        public Builder connectHandler(ConnectHandler handler) {
            this.connectHandler = Objects.requireNonNull(handler, "handler");
            this.connectHandlerSet = true;
            return this;
        }

        /**
         * Routes topics to a handler shared by all joins: {@code "room:*"} matches every topic starting with
         * {@code room:}, anything else matches exactly. The first matching route wins.
         */
        public Builder channel(String pattern, ChannelHandler handler) {
            Objects.requireNonNull(handler, "handler");
            routes.add(new Route(Objects.requireNonNull(pattern, "pattern"), () -> handler));
            return this;
        }

        /** Routes topics to a fresh handler made for every join, for handlers that keep state in fields. */
        public Builder channelFactory(String pattern, Supplier<? extends ChannelHandler> factory) {
            Objects.requireNonNull(factory, "factory");
            routes.add(new Route(Objects.requireNonNull(pattern, "pattern"), factory::get));
            return this;
        }

        /**
         * Refuses (403) websocket connects whose {@code Origin} header fails {@code allowed}, like Phoenix's
         * {@code check_origin}. Requests without an Origin pass. Off by default.
         */
        public Builder checkOrigin(Predicate<String> allowed) {
            this.originCheck = Objects.requireNonNull(allowed, "allowed");
            return this;
        }

        /**
         * Serves every HTTP request outside the socket path (and {@code /__admin/} with the admin API); 404 JSON by default. The
         * factory is called once, at {@link #build()}, with the server, so handlers can drive it.
         */
        public Builder httpHandler(Function<FakePhoenixServer, HttpHandler> factory) {
            this.httpHandler = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Serves the HTTP admin API ({@link AdminApi}) under {@code /__admin/}: off by default, on for {@code serve}. */
        public Builder adminApi(boolean on) {
            this.adminApi = on;
            return this;
        }

        /** Adds a listener. */
        public Builder listener(ServerListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The server, not yet started. */
        public FakePhoenixServer build() {
            if (stubs != null) {
                if (!connectHandlerSet) {
                    connectHandler = stubs.connectHandler();
                }
            }
            return new FakePhoenixServer(this);
        }

        /**
         * Answers as the stub files at {@code location} say ({@code classpath:phoenix/}, a path, a folder, a URL; see
         * {@link Stubs#load(String)}): their connect rules decide connects unless a {@link #connectHandler} is set,
         * and their channels are a route like {@link #channel}'s, tried in the order given (routes added before this
         * call win over the stubs, routes added after it take only what no stub covers).
         */
        public Builder stubs(String location) {
            return stubs(Stubs.load(location));
        }

        /** Answers as {@code stubs} say (see {@link #stubs(String)}); {@code stubs} can change while the server runs. */
        public Builder stubs(Stubs stubs) {
            if (this.stubs != null) {
                throw new IllegalStateException("stubs are set already; load a folder to combine files");
            }
            this.stubs = Objects.requireNonNull(stubs, "stubs");
            routes.add(new Route(stubs));
            return this;
        }

        /** Builds and starts the server. */
        public FakePhoenixServer start() {
            return build().start();
        }
    }
}
