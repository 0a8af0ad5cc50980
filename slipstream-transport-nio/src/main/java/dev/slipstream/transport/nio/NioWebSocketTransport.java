package dev.slipstream.transport.nio;

import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.UpgradeRejectedException;
import dev.slipstream.client.transport.WebSocketProtocolException;
import dev.slipstream.transport.nio.internal.LoopGroup;
import dev.slipstream.transport.nio.internal.LoopScheduler;
import dev.slipstream.transport.nio.internal.NioConnection;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A lean RFC 6455 websocket client on {@code java.nio}, for applications that hold many connections or count CPU per
 * message. It is not the default ({@link JdkWebSocketTransport} is); pick it on the client builder.
 *
 * <ul>
 *   <li><b>Threads:</b> no thread per connection. Every transport shares one loop unless {@link Builder#loops(int)}
 *       gives it loops of its own; a loop's two threads ({@code slipstream-nio-N-K}, daemon; the second made
 *       on first need, ended after 30 s of rest) take turns leading its selector. On the shared loop the
 *       clients' timers fire there too ({@link #scheduler}), so such a client needs no timer thread. DNS lookups and
 *       TLS certificate checks run on a small shared pool ({@code slipstream-nio-worker-N}, no thread while idle),
 *       never on a loop and never on the caller.</li>
 *   <li><b>Memory:</b> an idle {@code ws://} connection holds no I/O buffer: each loop has one read buffer for all its
 *       connections, and a connection keeps only the bytes of a frame that has not fully arrived. An inbound message
 *       is allocated once at its exact size when its header arrives (after the size check); an outbound one costs at
 *       most one masked copy.</li>
 *   <li><b>Hand-offs:</b> {@code send} writes to the non-blocking socket from the caller's thread when nothing is
 *       queued; reads and listener calls happen on the loop. The stages of callers' futures that a reply decided run
 *       on the thread that read it, after its turn, with the loop left unled while the loop's other thread watches
 *       ({@link #completions}): no thread hand-off and no wake-up between a reply and its stage. Frames those stages
 *       send wait for the end of the batch and leave in one write. A stage that blocks holds up reading until the
 *       other thread takes the loop over: about 17 ms at most after a spell of short stages, 2 ms while stages keep
 *       blocking.</li>
 *   <li><b>Headers:</b> {@link TransportConnection#upgradeResponse()} has the status and every response header of
 *       the upgrade, and an {@link UpgradeRejectedException} has them for a refused one.</li>
 *   <li><b>TLS:</b> {@code wss://} on an {@link javax.net.ssl.SSLEngine} with hostname verification and SNI; the
 *       JDK's default {@link SSLContext} unless one is given.</li>
 *   <li><b>Protocol:</b> no extensions (no compression); server frames that break RFC 6455 end the connection with
 *       1002 or 1007 and a {@link WebSocketProtocolException}; a message over the request's
 *       {@code maxMessageBytes} ends it with 1009 and a {@link MessageTooLargeException}.</li>
 * </ul>
 *
 * <pre>{@code
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("wss://example.com/socket"))
 *     .transport(NioWebSocketTransport.shared())
 *     .build();
 *
 * // a private CA, and two selector threads of its own (close it when done)
 * NioWebSocketTransport transport = NioWebSocketTransport.builder().sslContext(myCa).loops(2).build();
 * }</pre>
 */
public final class NioWebSocketTransport implements Transport, AutoCloseable {
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private static final class Shared {
        static final NioWebSocketTransport INSTANCE =
                new NioWebSocketTransport(LoopGroup.shared(), false, null, DEFAULT_CLOSE_TIMEOUT);
    }

    private static final Scheduler SHARED_LOOP_TIMERS = new LoopScheduler(LoopGroup.shared());
    private final LoopGroup loops;
    private final boolean ownsLoops;
    private final SSLContext sslContext; // null: the JDK default, looked up at the first wss:// open
    private final Duration closeTimeout;

    private NioWebSocketTransport(LoopGroup loops, boolean ownsLoops, SSLContext sslContext, Duration closeTimeout) {
        this.loops = loops;
        this.ownsLoops = ownsLoops;
        this.sslContext = sslContext;
        this.closeTimeout = closeTimeout;
    }

    /** The transport on the shared selector thread, with the JDK's default TLS context. */
    public static NioWebSocketTransport shared() {
        return Shared.INSTANCE;
    }

    /** A transport on the shared selector thread with this TLS context (private CAs, client certificates). */
    public static NioWebSocketTransport withSslContext(SSLContext sslContext) {
        return builder().sslContext(sslContext).build();
    }

    /** Options: TLS context, selector threads, close bound. */
    public static Builder builder() {
        return new Builder();
    }

    /** Tasks given on a loop's thread run there after its turn, with the loop left to another thread's watch. */
    @Override
    public Executor completions(Executor pool) {
        return task -> LoopGroup.afterIo(task, pool);
    }

    /**
     * On the shared loop ({@link #shared()}, {@link #withSslContext}, a builder without {@code loops}): the client's
     * timers fire on that loop, so a client needs no timer thread; a transport with loops of its own, which
     * {@link #close} stops, leaves them on {@code system}.
     */
    @Override
    public Scheduler scheduler(Scheduler system) {
        return ownsLoops ? system : SHARED_LOOP_TIMERS;
    }

    @Override
    public CompletableFuture<TransportConnection> open(TransportRequest request, TransportListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        try {
            URI uri = request.uri();
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("a websocket URI starts with ws:// or wss://, not "
                        + request.redactedUri());
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("the websocket URI has no host: " + request.redactedUri());
            }
            checkHeaders(request.headers());
            checkSubprotocols(request.subprotocols());
            SSLContext tls = scheme.equals("wss") ? (sslContext != null ? sslContext : SSLContext.getDefault()) : null;
            return NioConnection.open(loops, request, listener, tls, closeTimeout);
        } catch (IllegalArgumentException | IllegalStateException | NoSuchAlgorithmException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Header lines go to the wire as they are: no CR, LF or character above U+00FF may sneak in. */
    private static void checkHeaders(Map<String, List<String>> headers) {
        headers.forEach((name, values) -> {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= ' ' || c >= 0x7f || c == ':') {
                    throw new IllegalArgumentException("header name \"" + name.replaceAll("[\\x00-\\x1f\\x7f]", "?")
                            + "\" has a character not allowed in an HTTP header name");
                }
            }
            for (String v : values) {
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                        throw new IllegalArgumentException("the value of header " + name + " has a character not"
                                + " allowed in an HTTP header value at index " + i
                                + "; the value is not shown because it may be a secret");
                    }
                }
            }
        });
    }

    /**
     * A subprotocol goes into one comma-separated header line: visible ASCII only, no comma. Unlike the JDK's
     * WebSocket this accepts {@code /} (as Phoenix does), which the standard Base64 of an auth token often holds.
     */
    private static void checkSubprotocols(List<String> subprotocols) {
        for (int n = 0; n < subprotocols.size(); n++) {
            String p = subprotocols.get(n);
            if (p.isEmpty()) {
                throw new IllegalArgumentException("websocket subprotocol " + (n + 1) + " is empty");
            }
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c <= ' ' || c >= 0x7f || c == ',') {
                    throw new IllegalArgumentException("websocket subprotocol " + (n + 1) + " has a character not"
                            + " allowed in a subprotocol at index " + i
                            + "; the value is not shown because it may hold the auth token");
                }
            }
        }
    }

    /**
     * Stops this transport's own selector threads; their connections end with {@code onError}. Does nothing for a
     * transport on the shared thread ({@link #shared()}, {@link #withSslContext}, a builder without {@code loops}).
     */
    @Override
    public void close() {
        if (ownsLoops) {
            loops.close();
        }
    }

    @Override
    public String toString() {
        return this == Shared.INSTANCE ? "NioWebSocketTransport.shared()"
                : "NioWebSocketTransport[" + (ownsLoops ? loops.size() + " own loops" : "shared loop")
                        + (sslContext != null ? ", own SSLContext" : "") + "]";
    }

    /**
     * Builds a {@link NioWebSocketTransport}.
     *
     * <pre>{@code
     * NioWebSocketTransport t = NioWebSocketTransport.builder()
     *     .sslContext(myCa)
     *     .loops(2)
     *     .closeTimeout(Duration.ofSeconds(1))
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private SSLContext sslContext;
        private int loops;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

        private Builder() {}

        /** The TLS context for {@code wss://} (default: the JDK's {@link SSLContext#getDefault()}). */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * Gives the transport {@code count} selector threads of its own (connections spread round robin), stopped by
         * {@link NioWebSocketTransport#close()}. Without it the transport uses the one shared thread.
         */
        public Builder loops(int count) {
            if (count < 1 || count > 256) {
                throw new IllegalArgumentException("loops must be between 1 and 256, was " + count);
            }
            this.loops = count;
            return this;
        }

        /**
         * How long {@code close} waits for the server's close frame before it drops the TCP connection and reports
         * 1006 (default 2 s).
         */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive, was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        public NioWebSocketTransport build() {
            return loops == 0 ? new NioWebSocketTransport(LoopGroup.shared(), false, sslContext, closeTimeout)
                    : new NioWebSocketTransport(new LoopGroup(loops), true, sslContext, closeTimeout);
        }
    }
}
