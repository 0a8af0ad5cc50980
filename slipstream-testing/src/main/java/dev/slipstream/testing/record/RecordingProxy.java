package dev.slipstream.testing.record;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Undertow;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.protocol.Handshake;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Phoenix-aware recording proxy: clients connect to it exactly as to the real backend, and for each client
 * connection it opens the same socket upstream (same path, query params, headers, subprotocols, so the same
 * serializer) and relays every frame both ways untouched: refs, join_refs, binary frames and close codes. When it
 * stops ({@link #stop()}, {@link #close()}, or {@code POST /__admin/recording/stop} on its port) it writes, into its
 * output folder, {@code session.jsonl}: the raw session, every connect, frame and close with its time and direction
 * (format in the testing module's README), which {@link dev.slipstream.testing.verify.DriftCheck} replays against a
 * backend to find drift. Secrets never reach the files: token-like params,
 * credential headers and phoenix.js's {@code authToken} subprotocol are replaced by {@code "[redacted]"} and listed.
 *
 * <pre>{@code
 * try (RecordingProxy proxy = RecordingProxy.builder(URI.create("ws://localhost:4000/socket"))
 *         .output(Path.of("src/test/resources/phoenix"))
 *         .start()) {
 *     runYourClientAgainst(proxy.uri());      // ws://127.0.0.1:PORT/socket/websocket
 *     RecordingProxy.Recording recording = proxy.stop();
 *     System.out.println(recording.session()); // src/test/resources/phoenix/session.jsonl
 * }
 * }</pre>
 *
 * <p>Only the socket path ({@code /socket/websocket} for an upstream {@code ws://HOST/socket}) is proxied; other
 * paths answer 404, and {@code /__admin/} is the proxy's own. Pings are answered by each side itself, not relayed.
 * Long-poll is not proxied.
 */
public final class RecordingProxy implements AutoCloseable {
    private static final String ADMIN = "/__admin/";

    private final URI upstream;
    private final String socketPath;
    private final Map<String, List<String>> extraHeaders;
    private final Map<String, String> extraParams;
    private final String host;
    private final int configuredPort;
    private final Path output;
    private final Duration connectTimeout;
    private final SessionLog log;
    private final Set<ProxiedSocket> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object lock = new Object();
    private ExecutorService executor;
    private HttpClient http;
    private Undertow server;
    private int port = -1;
    private Recording result;

    private RecordingProxy(Builder b) {
        this.upstream = b.upstream;
        String path = Objects.requireNonNullElse(upstream.getRawPath(), "");
        if (path.endsWith("/websocket")) {
            path = path.substring(0, path.length() - "/websocket".length());
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        this.socketPath = path.isEmpty() ? "/socket" : path;
        this.extraHeaders = Map.copyOf(b.headers);
        this.extraParams = new LinkedHashMap<>(b.params);
        this.host = b.host;
        this.configuredPort = b.port;
        this.output = b.output;
        this.connectTimeout = b.connectTimeout;
        this.log = new SessionLog(upstream.getScheme() + "://" + upstream.getRawAuthority() + socketPath);
        extraParams.values().forEach(log.secrets()::remember);
        extraHeaders.values().forEach(values -> values.forEach(log.secrets()::remember));
    }

    /**
     * A builder for a proxy to {@code upstream}, a Phoenix socket URL such as {@code ws://localhost:4000/socket} or
     * {@code wss://example.com/socket} ({@code /websocket} at the end is optional).
     *
     * @throws IllegalArgumentException when it is not a {@code ws} or {@code wss} URL with a host
     */
    public static Builder builder(URI upstream) {
        return new Builder(upstream);
    }

    /** Starts listening; returns this proxy. @throws UncheckedIOException when the port cannot be bound */
    public RecordingProxy start() {
        synchronized (lock) {
            if (server != null) {
                return this;
            }
            if (result != null) {
                throw new IllegalStateException("this proxy has stopped; build a new one");
            }
            executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "slipstream-record");
                t.setDaemon(true);
                return t;
            });
            http = HttpClient.newBuilder().executor(executor).connectTimeout(connectTimeout).build();
            Undertow u = Undertow.builder()
                    .addHttpListener(configuredPort, host)
                    .setIoThreads(1)
                    .setWorkerThreads(2)
                    .setHandler(this::handle)
                    .build();
            try {
                u.start();
            } catch (RuntimeException e) {
                executor.shutdownNow();
                throw new UncheckedIOException(new IOException("cannot listen on " + host + ":" + configuredPort, e));
            }
            server = u;
            port = ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
            return this;
        }
    }

    /** The port it listens on (after {@link #start()}). */
    public int port() {
        return port;
    }

    /** The websocket URL clients connect to, e.g. {@code ws://127.0.0.1:PORT/socket/websocket}. */
    public URI uri() {
        return URI.create("ws://" + host + ":" + port + socketPath + "/websocket");
    }

    /** The upstream's socket path, which is also the proxy's: {@code /socket} for {@code ws://HOST/socket}. */
    public String socketPath() {
        return socketPath;
    }

    /**
     * Stops recording: open connections are closed (1001 to the client, a normal close upstream), the port is
     * released, and the session is written. Calling it again returns the same result.
     *
     * @throws UncheckedIOException when the files cannot be written
     */
    public Recording stop() {
        Recording r = finish();
        release();
        return r;
    }

    /** Ends the connections and writes the files, once; the port stays open (to answer the admin call). */
    private Recording finish() {
        synchronized (lock) {
            if (result != null) {
                return result;
            }
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (ProxiedSocket s : live) {
                s.shutdown();
                closing.add(s.upstreamDone());
                closing.add(s.clientClosed());
            }
            try {
                // The upstream's close answers are part of the session, and the clients' close frames must be out
                // before the port is released; wait for both, but not for ever.
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                // written as far as it got
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                result = RecordingWriter.write(log.lines(), output, connections.get(), log.frames());
            } finally {
                stopped.countDown();
            }
            return result;
        }
    }

    /** Releases the port and the threads. Never on one of Undertow's own threads: it waits for them to end. */
    private void release() {
        synchronized (lock) {
            if (server != null) {
                server.stop();
                server = null;
            }
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    /**
     * Waits until the proxy is stopped (by {@link #stop()} on another thread or {@code POST
     * /__admin/recording/stop}) and returns what was written, or null when {@code timeout} passes first.
     */
    public Recording awaitStop(Duration timeout) throws InterruptedException {
        if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        synchronized (lock) {
            return result;
        }
    }

    /** {@link #stop()}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    // ================================================================== HTTP

    private void handle(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        if (path.startsWith(ADMIN)) {
            admin(exchange, path.substring(ADMIN.length()));
        } else if (path.equals(socketPath + "/websocket")) {
            proxy(exchange);
        } else {
            json(exchange, 404, "{\"errors\":{\"detail\":\"Not Found\"}}");
        }
    }

    private void admin(HttpServerExchange exchange, String route) {
        boolean post = exchange.getRequestMethod().equals(Methods.POST);
        boolean get = exchange.getRequestMethod().equals(Methods.GET);
        if (route.equals("recording/stop") && post) {
            // Writing files blocks: off the I/O thread; the answer says what was written, and only once it is sent
            // does the proxy let go of its port (on a thread of its own: Undertow's stop waits for its threads).
            exchange.dispatch(executor, () -> {
                try {
                    String body = finish().toJson();
                    exchange.setStatusCode(200);
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
                    exchange.getResponseSender().send(body, new IoCallback() {
                        @Override
                        public void onComplete(HttpServerExchange done, Sender sender) {
                            IoCallback.END_EXCHANGE.onComplete(done, sender);
                            new Thread(RecordingProxy.this::release, "slipstream-record-release").start();
                        }

                        @Override
                        public void onException(HttpServerExchange done, Sender sender,
                                IOException e) {
                            IoCallback.END_EXCHANGE.onException(done, sender, e);
                            new Thread(RecordingProxy.this::release, "slipstream-record-release").start();
                        }
                    });
                } catch (RuntimeException e) {
                    json(exchange, 500, error(e.getMessage()));
                }
            });
        } else if (route.equals("recording") && get) {
            ObjectNode status = SessionLog.JSON.createObjectNode();
            status.put("recording", stopped.getCount() > 0);
            status.put("upstream", log.header().get("upstream").asText());
            status.put("output", output.toString());
            status.put("connections", connections.get());
            status.put("open", live.size());
            status.put("frames", log.frames());
            json(exchange, 200, status.toString());
        } else if (route.equals("health") && get) {
            json(exchange, 200, "{\"status\":\"ok\"}");
        } else {
            json(exchange, 404, error("no admin route " + exchange.getRequestMethod() + " " + ADMIN + route
                    + " on a recording proxy (it has POST /__admin/recording/stop, GET /__admin/recording,"
                    + " GET /__admin/health)"));
        }
    }

    private static String error(String message) {
        ObjectNode e = SessionLog.JSON.createObjectNode();
        e.put("error", message);
        return e.toString();
    }

    private static void json(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getResponseSender().send(body);
    }

    private static void empty(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.setResponseContentLength(0);
        exchange.endExchange();
    }

    // ================================================================== the proxied upgrade

    private void proxy(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)
                || !"websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(Headers.UPGRADE))) {
            // Not an upgrade: Phoenix answers 400; the upstream never sees it.
            empty(exchange, 400);
            return;
        }
        String id = "c" + connections.incrementAndGet();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpString name : exchange.getRequestHeaders().getHeaderNames()) {
            headers.put(name.toString().toLowerCase(Locale.ROOT), List.copyOf(exchange.getRequestHeaders().get(name)));
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, Deque<String>> e : exchange.getQueryParameters().entrySet()) {
            params.put(e.getKey(), e.getValue().isEmpty() ? "" : e.getValue().getLast());
        }
        logConnect(id, exchange.getRequestPath(), params, headers);

        ProxiedSocket socket = new ProxiedSocket(id, log, live::remove);
        synchronized (lock) {
            if (result != null) {
                empty(exchange, 503);
                return;
            }
            live.add(socket);
        }
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        forwardHeaders(headers, builder);
        List<String> offered = subprotocols(headers);
        if (!offered.isEmpty()) {
            builder.subprotocols(offered.get(0), offered.subList(1, offered.size()).toArray(String[]::new));
        }
        URI target = upstreamUri(exchange.getRequestPath(), exchange.getQueryString());
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> builder.buildAsync(target, socket)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        refuse(exchange, socket, error);
                    } else {
                        accept(exchange, socket, ws);
                    }
                }));
    }

    private void logConnect(String id, String path, Map<String, String> params, Map<String, List<String>> headers) {
        List<String> redacted = new ArrayList<>();
        ObjectNode e = log.entry(id, "connect");
        e.put("path", path);
        e.set("params", SessionLog.JSON.valueToTree(log.secrets().params(params, "params", redacted)));
        e.set("headers", SessionLog.JSON.valueToTree(log.secrets().headers(headers, redacted)));
        if (!extraParams.isEmpty() || !extraHeaders.isEmpty()) {
            // Added by the proxy (from --param/--header): named, never their values.
            ObjectNode added = e.putObject("addedUpstream");
            extraParams.keySet().forEach(k -> added.withArray("params").add(k));
            extraHeaders.keySet().forEach(k -> added.withArray("headers").add(k));
        }
        SessionLog.redactedList(e, redacted);
        log.add(e);
    }

    private void accept(HttpServerExchange exchange, ProxiedSocket socket, WebSocket ws) {
        String chosen = ws.getSubprotocol();
        ObjectNode e = log.entry(socket.id(), "accepted");
        e.put("subprotocol", chosen == null || chosen.isEmpty() ? null : log.secrets().subprotocols(chosen, new ArrayList<>()));
        log.add(e);
        Set<String> protocols = chosen == null || chosen.isEmpty() ? Set.of() : Set.of(chosen);
        WebSocketProtocolHandshakeHandler handshake = new WebSocketProtocolHandshakeHandler(
                List.<Handshake>of(new Hybi13Handshake(protocols, false)),
                (WebSocketConnectionCallback) (wsExchange, channel) -> socket.attach(ws, channel),
                notAnUpgrade -> {
                    socket.abort(ws);
                    empty(notAnUpgrade, 400);
                });
        try {
            exchange.dispatch(SameThreadExecutor.INSTANCE, handshake);
        } catch (RuntimeException clientGone) {
            socket.abort(ws);
        }
    }

    private void refuse(HttpServerExchange exchange, ProxiedSocket socket, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        int status = cause instanceof WebSocketHandshakeException h ? h.getResponse().statusCode() : 502;
        ObjectNode e = log.entry(socket.id(), "refused");
        e.put("status", status);
        if (status == 502) {
            e.put("reason", "upstream unreachable: " + cause);
        }
        log.add(e);
        socket.abort(null);
        live.remove(socket);
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> empty(exchange, status));
    }

    private URI upstreamUri(String path, String query) {
        StringBuilder q = new StringBuilder();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
                if (!extraParams.containsKey(name)) {
                    q.append(q.length() == 0 ? "" : "&").append(pair);
                }
            }
        }
        extraParams.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return URI.create(upstream.getScheme() + "://" + upstream.getRawAuthority() + path
                + (q.length() == 0 ? "" : "?" + q));
    }

    /** Headers the JDK's websocket client sets itself, or that belong to this hop only. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "upgrade", "content-length",
            "expect", "keep-alive", "te", "trailer", "transfer-encoding", "proxy-connection", "proxy-authorization",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol",
            "sec-websocket-accept");

    private void forwardHeaders(Map<String, List<String>> headers, WebSocket.Builder builder) {
        headers.forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name) && !extraHeaders.containsKey(name)) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        extraHeaders.forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
    }

    private static List<String> subprotocols(Map<String, List<String>> headers) {
        List<String> offered = new ArrayList<>();
        for (String value : headers.getOrDefault("sec-websocket-protocol", List.of())) {
            for (String p : value.split(",")) {
                if (!p.isBlank()) {
                    offered.add(p.trim());
                }
            }
        }
        return offered;
    }

    /**
     * What a stopped proxy wrote: the folder, the session file, the folder of stub files derived from it, how many
     * connections and frames it relayed, and what the stubs could not describe (see the testing README, "Stubs
     * from a recording").
     *
     * <pre>{@code
     * RecordingProxy.Recording r = proxy.stop();
     * FakePhoenixServer replay = FakePhoenixServer.builder().stubs(r.stubs().toString()).start();
     * r.notes().forEach(System.out::println);
     * }</pre>
     */
    public record Recording(Path directory, Path session, Path stubs, int connections, int frames,
            List<String> notes) {

        /** The notes are copied; none is an empty list. */
        public Recording {
            notes = List.copyOf(notes);
        }

        /**
         * {@code {"directory":...,"session":...,"stubs":...,"connections":N,"frames":M,"notes":[...]}}, as the admin
         * call answers.
         */
        public String toJson() {
            ObjectNode o = SessionLog.JSON.createObjectNode();
            o.put("directory", directory.toString());
            o.put("session", session.toString());
            o.put("stubs", stubs.toString());
            o.put("connections", connections);
            o.put("frames", frames);
            notes.forEach(o.putArray("notes")::add);
            return o.toString();
        }
    }

    /**
     * Configures a {@link RecordingProxy}.
     *
     * <pre>{@code
     * RecordingProxy proxy = RecordingProxy.builder(URI.create("wss://api.example.com/socket"))
     *         .param("token", System.getenv("API_TOKEN"))   // sent upstream only, never written
     *         .port(4000).output(Path.of("recorded")).start();
     * }</pre>
     */
    public static final class Builder {
        private final URI upstream;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private final Map<String, String> params = new LinkedHashMap<>();
        private String host = "127.0.0.1";
        private int port;
        private Path output = Path.of("recording");
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder(URI upstream) {
            Objects.requireNonNull(upstream, "upstream");
            String scheme = upstream.getScheme();
            if (scheme == null || !(scheme.equals("ws") || scheme.equals("wss")) || upstream.getHost() == null) {
                throw new IllegalArgumentException("upstream must be a ws:// or wss:// URL with a host, such as"
                        + " ws://localhost:4000/socket; got " + upstream);
            }
            if (upstream.getRawQuery() != null) {
                throw new IllegalArgumentException("upstream " + upstream + " has a query: give connect params with"
                        + " param(name, value) (--param) instead");
            }
            this.upstream = upstream;
        }

        /** A header added to every upstream connect (replacing the client's of that name); never written. */
        public Builder header(String name, String value) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
            return this;
        }

        /** A connect param added to every upstream connect (replacing the client's of that name); never written. */
        public Builder param(String name, String value) {
            params.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** The interface to listen on; {@code 127.0.0.1} by default. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** The port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The folder the session is written to ({@code recording} by default); made if missing. */
        public Builder output(Path folder) {
            this.output = Objects.requireNonNull(folder);
            return this;
        }

        /** How long an upstream connect may take before the client is answered 502; 10 seconds by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public RecordingProxy build() {
            return new RecordingProxy(this);
        }

        /** {@link #build()} then {@link RecordingProxy#start()}. */
        public RecordingProxy start() {
            return build().start();
        }
    }
}
