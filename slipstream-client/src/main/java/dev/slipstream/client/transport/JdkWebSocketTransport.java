package dev.slipstream.client.transport;

import dev.slipstream.protocol.Frame;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The default {@link Transport}: the JDK's {@code java.net.http} WebSocket. By default every client of the
 * application shares one {@link HttpClient} for {@code ws://} and one for {@code wss://} (made on first use), each
 * with one selector thread, so there is no thread per connection. TLS
 * hostname verification stays on (the JDK default); supply an {@link SSLContext} for private CAs or client
 * certificates.
 *
 * <p>Fragmented messages are reassembled here; a whole message over the request's {@code maxMessageBytes} closes the
 * connection with 1009 and ends in {@link TransportListener#onError} with a {@link MessageTooLargeException}.
 *
 * <p>The JDK's WebSocket does not show the upgrade response headers of a successful connect
 * ({@link TransportConnection#upgradeResponse()} says {@code headersVisible() == false}), holds about 60 KB of
 * buffers per connection with default settings and costs more CPU per message than
 * {@code NioWebSocketTransport} (slipstream-transport-nio), which sees every header and suits many connections; this
 * one stays the default.
 *
 * <pre>{@code
 * Transport shared = JdkWebSocketTransport.shared();
 * Transport pinned = JdkWebSocketTransport.withSslContext(mySslContext);
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("wss://example.com/socket"))
 *     .transport(pinned)
 *     .build();
 * }</pre>
 */
public final class JdkWebSocketTransport implements Transport {

    private static final class Shared {
        /**
         * For ws://, with no executor between the JDK's selector thread and the listener. The JDK runs its tasks on
         * the thread that makes them and hands its executor only those made on its selector thread; for a websocket
         * that is reading: every frame (or burst of frames) read. A pool there cost a thread wake-up per read, a
         * sixth of this transport's CPU per message and tens of microseconds of latency. The listener only hands the
         * frame to the client's owner, which never blocks and never runs user code, so the selector runs it.
         */
        static final HttpClient PLAIN = HttpClient.newBuilder().executor(Runnable::run).build();
        static final JdkWebSocketTransport INSTANCE = new JdkWebSocketTransport(PLAIN, () -> Tls.CLIENT);
    }

    /**
     * For wss://, made on first use: the JDK hands the TLS engine's delegated tasks (certificate checks, milliseconds
     * each) to the executor as well, and those must not hold the selector. A fixed, small pool instead of the JDK's
     * default unbounded cached one: the listener never blocks, so a few threads serve every connection.
     */
    private static final class Tls {
        static final HttpClient CLIENT = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads("slipstream-http-"))).build();
    }

    /**
     * Where connections start. The JDK starts a websocket on the thread that asks for it: it calls the client's
     * {@code ProxySelector} and resolves the host name there, and a name lookup can take seconds when a resolver does
     * not answer. That thread is the client's owner (on a caller's thread or the shared timer's, for a reconnect),
     * which must never block nor run user code. Up to 4 threads, none while idle: connecting is rare.
     */
    private static final class Connects {
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(4, 4, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("slipstream-http-connect-"));

        static {
            POOL.allowCoreThreadTimeOut(true);
        }
    }

    /** Daemon threads named {@code prefix} and a number from 1. */
    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private final HttpClient httpClient;
    /** The client for wss:// (the same one unless this is the shared transport). */
    private final Supplier<HttpClient> tlsClient;

    private JdkWebSocketTransport(HttpClient httpClient) {
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
        this.tlsClient = () -> httpClient;
    }

    private JdkWebSocketTransport(HttpClient plain, Supplier<HttpClient> tls) {
        this.httpClient = plain;
        this.tlsClient = tls;
    }

    /** The transport on the one {@link HttpClient} shared by the application (created on first use). */
    public static JdkWebSocketTransport shared() {
        return Shared.INSTANCE;
    }

    /** A transport on the caller's own {@link HttpClient} (its executor, proxy and TLS settings apply). */
    public static JdkWebSocketTransport using(HttpClient httpClient) {
        return new JdkWebSocketTransport(httpClient);
    }

    /** A transport on a new {@link HttpClient} with this TLS context; share the returned transport among clients. */
    public static JdkWebSocketTransport withSslContext(SSLContext sslContext) {
        return new JdkWebSocketTransport(HttpClient.newBuilder().sslContext(sslContext).build());
    }

    @Override
    public CompletableFuture<TransportConnection> open(TransportRequest request, TransportListener listener) {
        HttpClient client = "wss".equalsIgnoreCase(request.uri().getScheme()) ? tlsClient.get() : httpClient;
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(request.connectTimeout());
        request.headers().forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
        List<String> subprotocols = request.subprotocols();
        if (!subprotocols.isEmpty()) {
            IllegalArgumentException refused = checkSubprotocols(subprotocols);
            if (refused != null) {
                return CompletableFuture.failedFuture(refused);
            }
            builder.subprotocols(subprotocols.get(0),
                    subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        Reader reader = new Reader(listener, request.maxMessageBytes());
        CompletableFuture<TransportConnection> result = new CompletableFuture<>();
        Connects.POOL.execute(() -> {
            CompletableFuture<WebSocket> opened;
            try {
                opened = builder.buildAsync(request.uri(), reader);
            } catch (RuntimeException e) {
                result.completeExceptionally(translate(e));
                return;
            }
            opened.whenComplete((ws, e) -> {
                if (e != null) {
                    result.completeExceptionally(translate(e));
                    return;
                }
                if (!result.complete(new JdkConnection(ws, reader))) {
                    ws.abort(); // the caller gave up (connect timeout): do not leave the link open
                    return;
                }
                // Demand only now: the caller has seen the connection before the first frame reaches the listener.
                ws.request(1);
            });
        });
        return result;
    }

    /**
     * The JDK takes only RFC 7230 token characters in a subprotocol and names the value when it refuses one; this
     * check fails first, without the value (it may carry the auth token).
     */
    private static IllegalArgumentException checkSubprotocols(List<String> subprotocols) {
        for (int n = 0; n < subprotocols.size(); n++) {
            String p = subprotocols.get(n);
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                boolean token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!token) {
                    return new IllegalArgumentException("websocket subprotocol " + (n + 1) + " has '"
                            + (c < 0x20 || c >= 0x7f ? "U+" + String.format("%04X", (int) c) : String.valueOf(c))
                            + "' at index " + i + ", which the JDK's WebSocket refuses in a subprotocol (an auth"
                            + " token whose Base64 has '/' does this; phoenix.js cannot send it either):"
                            + " NioWebSocketTransport sends it; the value is not shown because it may be a secret");
                }
            }
        }
        return null;
    }

    private static Throwable translate(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof WebSocketHandshakeException h && h.getResponse() != null) {
            Map<String, List<String>> headers = h.getResponse().headers().map();
            UpgradeRejectedException rejected = new UpgradeRejectedException(h.getResponse().statusCode(), headers);
            rejected.initCause(h);
            return rejected;
        }
        return cause;
    }

    @Override
    public String toString() {
        return this == Shared.INSTANCE ? "JdkWebSocketTransport.shared()" : "JdkWebSocketTransport[" + httpClient + "]";
    }

    /** Writes frames in call order: the JDK WebSocket allows only one outstanding send of each kind. */
    private static final class JdkConnection implements TransportConnection {
        private final WebSocket ws;
        private final Reader reader;
        private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

        JdkConnection(WebSocket ws, Reader reader) {
            this.ws = ws;
            this.reader = reader;
        }

        @Override
        public synchronized CompletableFuture<Void> send(Frame frame) {
            CompletableFuture<Void> sent = tail.handle((ignored, e) -> null).thenCompose(ignored -> {
                if (frame instanceof Frame.Text t) {
                    return ws.sendText(t.text(), true);
                }
                return ws.sendBinary(((Frame.Binary) frame).bytes(), true);
            }).thenApply(ws -> null);
            tail = sent;
            return sent;
        }

        @Override
        public synchronized void close(int code, String reason) {
            tail = tail.handle((ignored, e) -> null).thenCompose(ignored -> ws.sendClose(code, reason));
        }

        @Override
        public void abort() {
            reader.finished.set(true);
            ws.abort();
        }
    }

    /** Reassembles fragments, enforces the size limit, and reports exactly one end. */
    private static final class Reader implements WebSocket.Listener {
        private final TransportListener listener;
        private final int maxBytes;
        private final AtomicBoolean finished = new AtomicBoolean();
        // Fragments of the message being received, joined once at their exact total size when the last arrives,
        // so a large message costs its fragments plus one copy, never a doubling buffer.
        private List<String> textParts;
        private List<byte[]> binaryParts;
        private long partBytes;

        Reader(TransportListener listener, int maxBytes) {
            this.listener = listener;
            this.maxBytes = maxBytes;
        }

        @Override
        public void onOpen(WebSocket ws) {
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long size = partBytes + utf8Length(data);
            if (size > maxBytes) {
                tooLarge(ws, size);
                return null;
            }
            if (last && textParts == null) {
                deliver(Frame.text(data.toString())); // the common case: an unfragmented message, one copy
            } else {
                if (textParts == null) {
                    textParts = new ArrayList<>();
                }
                textParts.add(data.toString());
                partBytes = size;
                if (last) {
                    String whole = String.join("", textParts);
                    textParts = null;
                    partBytes = 0;
                    deliver(Frame.text(whole));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            long size = partBytes + data.remaining();
            if (size > maxBytes) {
                tooLarge(ws, size);
                return null;
            }
            // The JDK reuses its buffer after this call returns, so the bytes are copied out once.
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            if (last && binaryParts == null) {
                deliver(Frame.binary(chunk));
            } else {
                if (binaryParts == null) {
                    binaryParts = new ArrayList<>();
                }
                binaryParts.add(chunk);
                partBytes = size;
                if (last) {
                    byte[] whole = new byte[(int) size];
                    int at = 0;
                    for (byte[] part : binaryParts) {
                        System.arraycopy(part, 0, whole, at, part.length);
                        at += part.length;
                    }
                    binaryParts = null;
                    partBytes = 0;
                    deliver(Frame.binary(whole));
                }
            }
            ws.request(1);
            return null;
        }

        private void deliver(Frame frame) {
            if (!finished.get()) {
                listener.onFrame(frame);
            }
        }

        private void tooLarge(WebSocket ws, long size) {
            textParts = null;
            binaryParts = null;
            partBytes = 0;
            if (finished.compareAndSet(false, true)) {
                ws.sendClose(1009, "message too big").whenComplete((r, e) -> ws.abort());
                listener.onError(new MessageTooLargeException(size, maxBytes));
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (finished.compareAndSet(false, true)) {
                listener.onClosed(statusCode, reason);
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (finished.compareAndSet(false, true)) {
                listener.onError(error);
            }
        }

        private static long utf8Length(CharSequence s) {
            long n = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    n++;
                } else if (c < 0x800) {
                    n += 2;
                } else if (Character.isHighSurrogate(c)) {
                    n += 4;
                    i++;
                } else {
                    n += 3;
                }
            }
            return n;
        }
    }
}
