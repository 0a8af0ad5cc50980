package dev.slipstream.client;

import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.internal.ClientConfig;
import dev.slipstream.client.internal.ConnectionOwner;
import dev.slipstream.client.internal.Endpoints;
import dev.slipstream.client.protocol.Payload;
import dev.slipstream.client.protocol.Serializer;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.client.transport.TransportRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A Phoenix Channels client: one websocket connection to a Phoenix socket and the topics joined on it. Every method
 * is safe to call from any thread and returns at once; each becomes a command (Connect, JoinTopic, PushMessage,
 * LeaveTopic, Disconnect) for the client's single owner, which applies all state changes one at a time, on the
 * thread that hands it work while it is idle (no thread per client, connection or topic, and no hand-off per
 * command). Module callbacks and events run in order on the client's callbacks executor (a small pool shared by all
 * clients), never on the owner or a websocket thread.
 *
 * <p>By default the client reconnects with backoff when the connection drops (not after {@link #disconnect()}),
 * detects dead links by heartbeat, rejoins the topics it had joined, and rejoins a topic whose channel crashed.
 * Every future ends: with the reply, with a typed {@link SlipstreamException}, or with a {@link PushTimeoutException}.
 *
 * <pre>{@code
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("ws://localhost:4000/socket"))
 *     .params(() -> Map.of("token", tokens.fresh()))
 *     .build();
 * client.connect()
 *     .thenCompose(ok -> client.join("room:lobby"))
 *     .thenCompose(joined -> client.push("room:lobby", "new_msg", Payload.json("{\"body\":\"hi\"}")))
 *     .thenAccept(reply -> System.out.println(reply.status() + " " + reply.response()))
 *     .join();
 * client.close();
 * }</pre>
 */
public final class SlipstreamClient implements AutoCloseable {

    private final ConnectionOwner owner;
    private final String name;

    private SlipstreamClient(ClientConfig config) {
        this.name = config.name();
        this.owner = new ConnectionOwner(config, this);
        owner.start();
    }

    /**
     * A builder for a client of the Phoenix socket at {@code endpoint}: {@code ws://} or {@code wss://}, either the
     * socket's mount path ({@code .../socket}, as phoenix.js takes it) or the full transport path
     * ({@code .../socket/websocket}, as the Elixir original takes it). {@code http(s)} is accepted as {@code ws(s)}.
     */
    public static Builder builder(URI endpoint) {
        return new Builder(endpoint);
    }

    /** A builder for {@code endpoint}; see {@link #builder(URI)}. */
    public static Builder builder(String endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        try {
            return new Builder(new URI(endpoint));
        } catch (URISyntaxException e) {
            // Only the part before the query is repeated, without user info: the rest may hold a token.
            throw new IllegalArgumentException("endpoint is not a valid URI: " + e.getReason() + " at index "
                    + e.getIndex() + " in " + redactUnparsed(endpoint));
        }
    }

    private static String redactUnparsed(String endpoint) {
        int end = endpoint.length();
        for (char c : new char[] {'?', '#'}) {
            int i = endpoint.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String head = endpoint.substring(0, end);
        int scheme = head.indexOf("://");
        int authorityStart = scheme < 0 ? 0 : scheme + 3;
        int slash = head.indexOf('/', authorityStart);
        int at = head.lastIndexOf('@', slash < 0 ? head.length() - 1 : slash);
        if (at >= authorityStart) {
            head = head.substring(0, authorityStart) + "***" + head.substring(at);
        }
        return head + (end < endpoint.length() ? endpoint.charAt(end) + "***" : "");
    }

    /**
     * Connects, asking the params supplier afresh. Completes when connected; fails with a
     * {@link ConnectFailedException} if this attempt fails (the client keeps retrying with backoff until
     * {@link #disconnect()}). Completes at once if already connected.
     */
    public CompletableFuture<Void> connect() {
        return owner.connect();
    }

    /**
     * Closes the connection cleanly (close frame 1000, then a brief wait for the server's) and stops reconnecting.
     * Pushes waiting for replies fail with {@link ConnectionLostException}. Topics are kept and rejoined on the next
     * {@link #connect()}, as phoenix.js does.
     */
    public CompletableFuture<Void> disconnect() {
        return owner.disconnect();
    }

    /** Joins {@code topic} with empty params; completes with the server's join response. */
    public CompletableFuture<Payload> join(String topic) {
        return join(topic, Payload::empty);
    }

    /** Joins {@code topic} with {@code params}; completes with the server's join response. */
    public CompletableFuture<Payload> join(String topic, Payload params) {
        Objects.requireNonNull(params, "params");
        return join(topic, () -> params);
    }

    /**
     * Joins {@code topic}, asking {@code params} at this join and again at every automatic rejoin (so a rejoin can
     * carry, say, the last message id seen). Fails with {@link JoinRefusedException} if the server answers error,
     * {@link PushTimeoutException} after the push timeout (the topic then keeps rejoining with backoff, as phoenix.js),
     * {@link NotConnectedException} if not connected and not connecting. A join made while the client connects or
     * waits to reconnect is sent once connected. Joining a topic already joined completes with its last response.
     */
    public CompletableFuture<Payload> join(String topic, Supplier<? extends Payload> params) {
        requireName(topic, "topic");
        Objects.requireNonNull(params, "params");
        return owner.join(topic, params);
    }

    /** Pushes {@code event} to a joined topic with the default push timeout; completes with the reply (ok or error). */
    public CompletableFuture<Payload.Reply> push(String topic, String event, Payload payload) {
        return push(topic, event, payload, null);
    }

    /**
     * Pushes {@code event} with {@code payload} (JSON, or {@link Payload#binary} for a binary frame) to a joined topic.
     * Completes with the reply, whatever its status; fails with {@link PushTimeoutException},
     * {@link TopicNotJoinedException}, {@link NotConnectedException}, {@link ConnectionLostException},
     * {@link TopicClosedException} or {@link PushBufferFullException}.
     *
     * @param timeout how long to wait for the reply; null for the client's push timeout
     */
    public CompletableFuture<Payload.Reply> push(String topic, String event, Payload payload, Duration timeout) {
        requireName(topic, "topic");
        requireName(event, "event");
        Objects.requireNonNull(payload, "payload");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("push timeout must be positive, was " + timeout);
        }
        return owner.push(topic, event, payload, timeout);
    }

    /**
     * Leaves {@code topic}: sends {@code phx_leave} and completes when the server replied (or the push timeout passed),
     * after which the topic is closed. Completes at once for a topic that is not joined.
     */
    public CompletableFuture<Void> leave(String topic) {
        requireName(topic, "topic");
        return owner.leave(topic);
    }

    /** Whether the client is connected now (a snapshot). */
    public boolean isConnected() {
        return owner.isConnected();
    }

    /** Whether {@code topic} is joined now (a snapshot). */
    public boolean isJoined(String topic) {
        return owner.isJoined(topic);
    }

    /**
     * Disconnects, fails whatever is still pending with {@link ClientClosedException}, runs the module's stop hook,
     * and refuses further operations. Waits briefly for the clean close unless called from one of this client's
     * callbacks. Idempotent.
     */
    @Override
    public void close() {
        owner.close();
    }

    /** Whether the calling thread is running one of this client's callbacks (where blocking would deadlock). */
    public boolean isCallbackThread() {
        return owner.isOwnerThread();
    }

    @Override
    public String toString() {
        return "SlipstreamClient[" + name + ", " + (isConnected() ? "connected" : "not connected") + "]";
    }

    private static void requireName(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be null or empty");
        }
    }

    /**
     * Options of a {@link SlipstreamClient}. Defaults follow phoenix.js and the Elixir original: V2 serializer,
     * connect timeout 10 s, heartbeat 30 s, push timeout 10 s, reconnect backoff {@link Backoff#reconnectDefault()},
     * rejoin backoff {@link Backoff#rejoinDefault()}, reconnect and rejoin on, push buffering off, maximum inbound
     * message 10 000 000 bytes (Phoenix's own {@code max_frame_size}).
     *
     * <pre>{@code
     * SlipstreamClient client = SlipstreamClient.builder("wss://example.com/socket")
     *     .params(() -> Map.of("token", auth.currentToken()))
     *     .header("User-Agent", "my-app/1.0")
     *     .heartbeatInterval(Duration.ofSeconds(25))
     *     .reconnectBackoff(Backoff.reconnectDefault().withJitter(0.2))
     *     .pushBufferSize(100)
     *     .eventListener(event -> log.debug("{}", event))
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private final URI endpoint;
        private Serializer serializer = Serializer.v2();
        private Supplier<? extends Map<String, ?>> params = Map::of;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private Duration pushTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(2);
        private Backoff reconnectBackoff = Backoff.reconnectDefault();
        private Backoff rejoinBackoff = Backoff.rejoinDefault();
        private boolean reconnect = true;
        private boolean rejoinAfterReconnect = true;
        private boolean rejoinAfterCrash = true;
        private boolean rejoinAfterRefusal = true;
        private int pushBufferSize;
        private int maxMessageBytes = 10_000_000;
        private Transport transport;
        private javax.net.ssl.SSLContext sslContext;
        private Scheduler scheduler = Scheduler.system();
        private Executor executor;
        private ClientModule module;
        private ClientEventListener eventListener;
        private String name;

        private Builder(URI endpoint) {
            this.endpoint = Endpoints.normalizeEndpoint(Objects.requireNonNull(endpoint, "endpoint"));
        }

        /** Speaks V1 ({@code vsn=1.0.0}, JSON objects, no binary) instead of V2; for old servers. */
        public Builder protocolV1() {
            this.serializer = Serializer.v1();
            return this;
        }

        /** Uses {@code serializer} (V2 by default); its {@code vsn} is appended to the URI. */
        public Builder serializer(Serializer serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /** Fixed connect params (secrets: never logged). Nested maps become {@code key[sub]=v}, as phoenix.js. */
        public Builder params(Map<String, ?> params) {
            Map<String, ?> copy = Map.copyOf(params);
            this.params = () -> copy;
            return this;
        }

        /** Connect params asked again at every connect and reconnect, so a fresh token is used each time. */
        public Builder params(Supplier<? extends Map<String, ?>> params) {
            this.params = Objects.requireNonNull(params, "params");
            return this;
        }

        /** Adds an HTTP header to the upgrade request (its value is a secret: never logged). */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            HeaderRules.check(name, value);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        /** The budget for TCP, TLS and the upgrade together (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** The heartbeat interval (default 30 s); {@link Duration#ZERO} disables heartbeats. */
        public Builder heartbeatInterval(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("heartbeatInterval must be zero or positive, was " + interval);
            }
            this.heartbeatInterval = interval;
            return this;
        }

        /** The default timeout of pushes, joins and leaves (default 10 s). */
        public Builder pushTimeout(Duration timeout) {
            this.pushTimeout = positive(timeout, "pushTimeout");
            return this;
        }

        /** How long a clean disconnect waits for the server's close frame before dropping the link (default 2 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /** The reconnect delays (default {@link Backoff#reconnectDefault()}); reset on a successful connect. */
        public Builder reconnectBackoff(Backoff backoff) {
            this.reconnectBackoff = Objects.requireNonNull(backoff, "reconnectBackoff");
            return this;
        }

        /** The per-topic rejoin delays (default {@link Backoff#rejoinDefault()}); reset on a successful join. */
        public Builder rejoinBackoff(Backoff backoff) {
            this.rejoinBackoff = Objects.requireNonNull(backoff, "rejoinBackoff");
            return this;
        }

        /** Whether a connection the client did not close is reconnected (default true). */
        public Builder reconnect(boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /** Whether topics joined when the connection dropped are rejoined after the reconnect (default true). */
        public Builder rejoinAfterReconnect(boolean rejoin) {
            this.rejoinAfterReconnect = rejoin;
            return this;
        }

        /** Whether a topic whose channel crashed ({@code phx_error}) is rejoined with backoff (default true). */
        public Builder rejoinAfterCrash(boolean rejoin) {
            this.rejoinAfterCrash = rejoin;
            return this;
        }

        /**
         * Whether a join the server refuses (reply status {@code error}) is retried with the rejoin backoff (default
         * true, as phoenix.js and the Elixir original do). Either way the join's future fails with
         * {@link JoinRefusedException} and the module sees {@code topicClosed} with {@code JOIN_REFUSED}; with true the
         * topic stays and the params supplier is asked again at each retry until a join succeeds or the topic is left
         * ({@link SlipstreamClient#leave} stops the retries). With false the refusal is final and the topic is
         * forgotten, which suits scripts and credentials that cannot change.
         */
        public Builder rejoinAfterRefusal(boolean rejoin) {
            this.rejoinAfterRefusal = rejoin;
            return this;
        }

        /**
         * Buffers up to {@code size} pushes per topic while the topic is being (re)joined or the client reconnects,
         * and sends them after the join, as phoenix.js does; each keeps its timeout. 0 (the default) fails such
         * pushes at once.
         */
        public Builder pushBufferSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("pushBufferSize must not be negative, was " + size);
            }
            this.pushBufferSize = size;
            return this;
        }

        /** The largest inbound message; a larger one closes the connection with 1009 (default 10 000 000 bytes). */
        public Builder maxMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be positive, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** The transport (default {@link JdkWebSocketTransport#shared()}). */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * TLS with this context (hostname verification stays on), on the default transport: this makes an
         * {@code HttpClient} for this client. To share one among many clients, pass them all one
         * {@link JdkWebSocketTransport#withSslContext} (or {@code NioWebSocketTransport.withSslContext}) as their
         * {@link #transport} instead. Cannot be combined with {@link #transport}: {@link #build} refuses both, since
         * the context would otherwise be silently ignored or the chosen transport silently replaced.
         */
        public Builder sslContext(javax.net.ssl.SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /** The scheduler every timer goes through (default {@link Scheduler#system()}); tests pass a virtual one. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The pool the client's callbacks and events run on, and its owner after a long burst of work (default: a
         * small pool shared by all clients). Each still runs one task at a time.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The callback module. */
        public Builder module(ClientModule module) {
            this.module = Objects.requireNonNull(module, "module");
            return this;
        }

        /** The event listener (none by default: then no event is even built). */
        public Builder eventListener(ClientEventListener listener) {
            this.eventListener = Objects.requireNonNull(listener, "eventListener");
            return this;
        }

        /** A name for {@code toString} and logs (default: the endpoint without params). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        ClientModule module() {
            return module;
        }

        void restoreModule(ClientModule previous) {
            this.module = previous;
        }

        /** Builds the client (not yet connected; a module's {@code started} hook runs now, on the client's executor). */
        public SlipstreamClient build() {
            if (transport != null && sslContext != null) {
                throw new IllegalStateException("both transport(" + transport.getClass().getSimpleName()
                        + ") and sslContext(...) were set: give the SSLContext to the transport instead, e.g. "
                        + "NioWebSocketTransport.withSslContext(ctx) or JdkWebSocketTransport.withSslContext(ctx)");
            }
            Transport chosen = transport != null ? transport
                    : sslContext != null ? JdkWebSocketTransport.withSslContext(sslContext)
                    : JdkWebSocketTransport.shared();
            ClientConfig config = new ClientConfig(endpoint, serializer, params, copyHeaders(), connectTimeout,
                    heartbeatInterval, pushTimeout, closeTimeout, reconnectBackoff, rejoinBackoff, reconnect,
                    rejoinAfterReconnect, rejoinAfterCrash, rejoinAfterRefusal, pushBufferSize, maxMessageBytes,
                    chosen, scheduler, executor, module,
                    eventListener, name == null ? dev.slipstream.client.transport.TransportRequest.redact(endpoint) : name);
            return new SlipstreamClient(config);
        }

        /** Builds a {@link SyncClient} for scripts, keeping up to 1000 unawaited messages. */
        public SyncClient buildSync() {
            return SyncClient.create(this, 1000);
        }

        private Map<String, List<String>> copyHeaders() {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        @Override
        public String toString() {
            return "SlipstreamClient.Builder[" + TransportRequest.redact(endpoint) + ", headers=" + headers.keySet() + "]";
        }
    }
}
