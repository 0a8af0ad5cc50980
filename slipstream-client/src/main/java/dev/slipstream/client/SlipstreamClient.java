package dev.slipstream.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.internal.ClientConfig;
import dev.slipstream.client.internal.ConnectionOwner;
import dev.slipstream.client.internal.Endpoints;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.PayloadMappingException;
import dev.slipstream.protocol.Serializer;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
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
 * <p>Payloads are {@link Payload}s or plain objects (records, POJOs, maps, lists, {@code JsonNode}s) that the client
 * writes with its {@code ObjectMapper} ({@link Builder#objectMapper}); what it receives maps back with
 * {@link Payload#as(Class)}, with the same mapper.
 *
 * <pre>{@code
 * record NewMsg(String body) {}
 * record Ack(long id) {}
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("ws://localhost:4000/socket"))
 *     .params(() -> Map.of("token", tokens.fresh()))
 *     .build();
 * client.connect()
 *     .thenCompose(ok -> client.join("room:lobby"))
 *     .thenCompose(joined -> client.push("room:lobby", "new_msg", new NewMsg("hi")))
 *     .thenAccept(reply -> System.out.println(reply.status() + " " + reply.as(Ack.class).id()))
 *     .join();
 * client.close();
 * }</pre>
 */
public final class SlipstreamClient implements AutoCloseable {

    /** The mapper of clients given none; one for all, so Jackson's per-type caches are shared. */
    private static final ObjectMapper DEFAULT_MAPPER = JsonCodec.newObjectMapper();

    private final ConnectionOwner owner;
    private final PresenceViews presence;
    private final String name;
    private final ObjectMapper mapper;

    private SlipstreamClient(ClientConfig config) {
        this.name = config.name();
        this.mapper = config.objectMapper();
        this.presence = new PresenceViews(mapper);
        this.owner = new ConnectionOwner(config, this, presence);
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

    /**
     * Joins {@code topic} with {@code params}: a {@link Payload}, or a record, POJO, {@code Map} or {@code JsonNode}
     * written now with the client's mapper (and sent again as is at every rejoin). Completes with the server's join
     * response, which {@link Payload#as(Class)} maps.
     *
     * <pre>{@code
     * record RoomParams(String user, long lastSeen) {}
     * Welcome w = client.join("room:lobby", new RoomParams("u1", 0)).join().as(Welcome.class);
     * }</pre>
     *
     * @throws PayloadMappingException when the mapper cannot write {@code params}
     */
    public CompletableFuture<Payload> join(String topic, Object params) {
        Objects.requireNonNull(params, "params");
        requireName(topic, "topic");
        Payload payload = toPayload(params, topic, "phx_join");
        return join(topic, () -> payload);
    }

    /**
     * Joins {@code topic}, asking {@code params} at this join and again at every automatic rejoin (so a rejoin can
     * carry, say, the last message id seen); it may supply a {@link Payload} or an object to write with the client's
     * mapper, as {@link #join(String, Object)} takes (a failure to write it fails the join). Fails with {@link JoinRefusedException} if the server answers error,
     * {@link PushTimeoutException} after the push timeout (the topic then keeps rejoining with backoff, as phoenix.js),
     * {@link NotConnectedException} if not connected and not connecting. A join made while the client connects or
     * waits to reconnect is sent once connected. Joining a topic already joined completes with its last response.
     */
    public CompletableFuture<Payload> join(String topic, Supplier<?> params) {
        requireName(topic, "topic");
        Objects.requireNonNull(params, "params");
        return owner.join(topic, () -> {
            Object value = params.get();
            return value == null ? null : toPayload(value, topic, "phx_join"); // null: the owner says whose it was
        });
    }

    /**
     * Pushes {@code event} to a joined topic with the default push timeout; completes with the reply (ok or error).
     * {@code payload} is a {@link Payload} or an object for the client's mapper, as in
     * {@link #push(String, String, Object, Duration)}.
     */
    public CompletableFuture<Payload.Reply> push(String topic, String event, Object payload) {
        return push(topic, event, payload, null);
    }

    /**
     * Pushes {@code event} with {@code payload} to a topic joined or being joined: a {@link Payload}
     * (JSON, or {@link Payload#binary} for a binary frame) is sent as it is; a record, POJO, {@code Map}, {@code List} or {@code JsonNode} is written
     * as JSON now, on the calling thread, with the client's mapper. A push made while the join or a rejoin is in
     * flight, or while the client reconnects, waits in the topic's buffer (see {@link Builder#pushBufferSize}) and is
     * sent once the topic is joined, its timeout running meanwhile. Completes with the reply, whatever its status
     * ({@link Payload.Reply#as(Class)} maps its response); fails with {@link PushTimeoutException},
     * {@link TopicNotJoinedException}, {@link NotConnectedException}, {@link ConnectionLostException},
     * {@link TopicClosedException} or {@link PushBufferFullException}.
     *
     * <pre>{@code
     * record NewMsg(String body) {}
     * client.push("room:lobby", "new_msg", new NewMsg("hi"), Duration.ofSeconds(2))
     *     .thenAccept(reply -> log.info("stored as {}", reply.as(Stored.class).id()));
     * }</pre>
     *
     * @param timeout how long to wait for the reply; null for the client's push timeout
     * @throws PayloadMappingException when the mapper cannot write {@code payload} (naming topic, event and type)
     * @throws IllegalArgumentException for a {@code String} (JSON text goes in {@link Payload#json(String)}) or bytes
     */
    public CompletableFuture<Payload.Reply> push(String topic, String event, Object payload, Duration timeout) {
        requireName(topic, "topic");
        requireName(event, "event");
        Objects.requireNonNull(payload, "payload");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("push timeout must be positive, was " + timeout);
        }
        return owner.push(topic, event, toPayload(payload, topic, event), timeout);
    }

    /** The mapper this client writes objects and maps received payloads with ({@link Builder#objectMapper}). */
    public ObjectMapper objectMapper() {
        return mapper;
    }

    private Payload toPayload(Object value, String topic, String event) {
        if (value instanceof Payload p) {
            return p;
        }
        try {
            return Payload.of(value, mapper);
        } catch (PayloadMappingException e) {
            throw e.forMessage(topic, event);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the payload of \"" + event + "\" on " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Leaves {@code topic}: sends {@code phx_leave} and completes when the server replied (or the push timeout passed),
     * after which the topic is closed. Completes at once for a topic that is not joined.
     */
    public CompletableFuture<Void> leave(String topic) {
        requireName(topic, "topic");
        return owner.leave(topic);
    }

    /**
     * Who is online on {@code topic}: the {@link Presence} kept from the topic's {@code presence_state} and
     * {@code presence_diff} messages, as phoenix.js's {@code Presence} does. The same view every time, for the
     * client's life; it may be taken before the join (register callbacks then, so no sync is missed) and stays live
     * across reconnects and rejoins. Every topic's presence is kept, whether or not a view was asked for.
     *
     * <pre>{@code
     * Presence lobby = client.presence("room:lobby").onSync(() -> render(lobby.list()));
     * client.join("room:lobby");
     * }</pre>
     */
    public Presence presence(String topic) {
        requireName(topic, "topic");
        return presence.view(topic);
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
     * rejoin backoff {@link Backoff#rejoinDefault()}, reconnect and rejoin on, up to 100 pushes per topic buffered
     * while it is (re)joined, maximum inbound
     * message 10 000 000 bytes (Phoenix's own {@code max_frame_size}).
     *
     * <pre>{@code
     * SlipstreamClient client = SlipstreamClient.builder("wss://example.com/socket")
     *     .params(() -> Map.of("token", auth.currentToken()))
     *     .header("User-Agent", "my-app/1.0")
     *     .heartbeatInterval(Duration.ofSeconds(25))
     *     .reconnectBackoff(Backoff.reconnectDefault().withJitter(0.2))
     *     .objectMapper(JsonCodec.newObjectMapper().registerModule(new JavaTimeModule()))
     *     .eventListener(event -> log.debug("{}", event))
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        /** How many pushes per topic wait for the topic's (re)join by default. */
        public static final int DEFAULT_PUSH_BUFFER_SIZE = 100;
        // The defaults as shared constants: a client keeps what its builder held, so one object per default for the
        // application instead of one per client.
        private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
        private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);
        private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

        private final URI endpoint;
        private Serializer serializer = Serializer.v2();
        private Supplier<?> params = Map::of;
        private Object fixedParams;
        private ObjectMapper objectMapper;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private Supplier<String> authToken;
        private Duration connectTimeout = TEN_SECONDS;
        private Duration heartbeatInterval = THIRTY_SECONDS;
        private Duration pushTimeout = TEN_SECONDS;
        private Duration closeTimeout = TWO_SECONDS;
        private Backoff reconnectBackoff = Backoff.reconnectDefault();
        private Backoff rejoinBackoff = Backoff.rejoinDefault();
        private boolean reconnect = true;
        private boolean rejoinAfterReconnect = true;
        private boolean rejoinAfterCrash = true;
        private boolean rejoinAfterRefusal = true;
        private int pushBufferSize = DEFAULT_PUSH_BUFFER_SIZE;
        private int maxMessageBytes = 10_000_000;
        private Transport transport;
        private javax.net.ssl.SSLContext sslContext;
        /** Null until the application sets one: then the transport may host the timers (Transport.scheduler). */
        private Scheduler scheduler;
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

        /**
         * Fixed connect params (secrets: never logged): a {@code Map} (copied now), or a record, POJO or
         * {@code JsonNode} that the client's mapper writes as a JSON object when the client is built. Nested maps
         * and objects become {@code key[sub]=v}, as phoenix.js writes them.
         *
         * <pre>{@code
         * record Auth(String token, String device) {}
         * builder.params(new Auth("t1", "phone"));   // ?token=t1&device=phone&vsn=2.0.0
         * }</pre>
         *
         * @throws IllegalArgumentException from {@link #build()} when {@code params} does not map to a JSON object
         */
        public Builder params(Object params) {
            Objects.requireNonNull(params, "params");
            this.fixedParams = params instanceof Map<?, ?> map ? Map.copyOf(map) : params;
            this.params = null;
            return this;
        }

        /**
         * Connect params asked again at every connect and reconnect, so a fresh token is used each time; the supplier
         * gives a {@code Map} or an object as {@link #params(Object)} takes (written at each connect).
         */
        public Builder params(Supplier<?> params) {
            this.params = Objects.requireNonNull(params, "params");
            this.fixedParams = null;
            return this;
        }

        /**
         * The Jackson mapper that writes the objects given to {@code push}, {@code join} and {@code params}, and that
         * {@link Payload#as(Class)} maps received payloads with. Default: one shared mapper configured as
         * {@link JsonCodec#newObjectMapper()} (unknown properties ignored); start from that method to add modules
         * (java.time, ...) or a naming strategy. Do not reconfigure a mapper after giving it to a client.
         *
         * <pre>{@code
         * builder.objectMapper(JsonCodec.newObjectMapper()
         *     .registerModule(new JavaTimeModule())
         *     .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
         * }</pre>
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.objectMapper = Objects.requireNonNull(mapper, "objectMapper");
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

        /**
         * A fixed Phoenix 1.8 auth token (a secret: never logged, nor shown in events, {@code toString} or errors).
         * See {@link #authToken(Supplier)}.
         */
        public Builder authToken(String token) {
            Objects.requireNonNull(token, "authToken");
            this.authToken = () -> token;
            return this;
        }

        /**
         * A Phoenix 1.8 auth token, asked again at every connect and reconnect so a refreshed token is used. It is
         * sent as phoenix.js 1.8 sends its {@code authToken} option: the upgrade request offers the websocket
         * subprotocols {@code phoenix} and {@code base64url.bearer.phx.<the token in Base64, unpadded>}, and a server
         * whose socket has {@code auth_token: true} gives the token to {@code connect/3} as
         * {@code connect_info.auth_token} and answers with the subprotocol {@code phoenix}. A supplier that throws or
         * returns null fails that connect attempt with a {@link ConnectFailedException} (the client retries with
         * backoff). The JDK's WebSocket (the default transport) refuses a subprotocol with {@code /}, which the
         * Base64 of a long token often holds (phoenix.js fails on such tokens too); {@code NioWebSocketTransport}
         * sends any token.
         *
         * <pre>{@code
         * SlipstreamClient client = SlipstreamClient.builder("wss://example.com/socket")
         *     .authToken(() -> auth.currentToken())
         *     .transport(NioWebSocketTransport.shared())
         *     .build();
         * }</pre>
         */
        public Builder authToken(Supplier<String> token) {
            this.authToken = Objects.requireNonNull(token, "authToken");
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
         * How many pushes per topic wait while the topic's join or rejoin is in flight or the client reconnects
         * (default {@value #DEFAULT_PUSH_BUFFER_SIZE}); they are sent in order once the topic is joined, as phoenix.js
         * and JavaPhoenixClient do. Each keeps its own timeout running while it waits, so every push still ends. A
         * push beyond the limit fails at once with {@link PushBufferFullException}. A push to a topic never joined,
         * left or closed, or while the client is not connecting (never connected, after {@link #disconnect()}, or
         * after a drop with {@code reconnect(false)}), fails at once. 0 turns buffering off: such pushes fail at once.
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

        /**
         * The scheduler every timer goes through (default {@link Scheduler#system()}, or where the transport hosts
         * the client's timers instead, {@link Transport#scheduler}); tests pass a virtual one.
         */
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
            Scheduler timers = scheduler != null ? scheduler : Objects.requireNonNull(
                    chosen.scheduler(Scheduler.system()), () -> chosen + ".scheduler(Scheduler.system()) returned null");
            ObjectMapper mapper = objectMapper != null ? objectMapper : DEFAULT_MAPPER;
            Supplier<? extends Map<String, ?>> connectParams;
            if (fixedParams != null) {
                Map<String, ?> fixed = paramsMap(fixedParams, mapper); // written once, so a bad object fails here
                connectParams = () -> fixed;
            } else {
                Supplier<?> supplier = params;
                connectParams = () -> paramsMap(supplier.get(), mapper);
            }
            ClientConfig config = new ClientConfig(endpoint, serializer, connectParams, copyHeaders(), authToken, connectTimeout,
                    heartbeatInterval, pushTimeout, closeTimeout, reconnectBackoff, rejoinBackoff, reconnect,
                    rejoinAfterReconnect, rejoinAfterCrash, rejoinAfterRefusal, pushBufferSize, maxMessageBytes,
                    chosen, timers, executor, module,
                    eventListener, name == null ? dev.slipstream.client.transport.TransportRequest.redact(endpoint) : name,
                    mapper);
            return new SlipstreamClient(config);
        }

        /** Builds a {@link SyncClient} for scripts, keeping up to 1000 unawaited messages. */
        public SyncClient buildSync() {
            return SyncClient.create(this, 1000);
        }

        /** Connect params as a map: a map as it is, any other object written by the mapper, as a JSON object. */
        @SuppressWarnings("unchecked")
        private static Map<String, ?> paramsMap(Object value, ObjectMapper mapper) {
            if (value == null || value instanceof Map<?, ?>) {
                return (Map<String, ?>) value;
            }
            JsonNode tree;
            try {
                tree = mapper.valueToTree(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("connect params: cannot write a " + value.getClass().getName()
                        + " as JSON: " + e.getMessage(), e);
            }
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("connect params must be a Map or an object that maps to a JSON "
                        + "object, but a " + value.getClass().getName() + " maps to "
                        + (tree == null ? "nothing" : tree.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
            }
            return mapper.convertValue(tree, Map.class);
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
            return "SlipstreamClient.Builder[" + TransportRequest.redact(endpoint) + ", headers=" + headers.keySet()
                    + (authToken != null ? ", authToken=***" : "") + "]";
        }
    }
}
