package dev.slipstream.client.support;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.xnio.Pooled;

/**
 * A plain websocket server on Undertow for transport tests: echoes every text and binary message (unless told not
 * to), records what it received (messages, pongs, close frames) and lets a test push frames, pings and closes. It can
 * refuse upgrades with a status and headers, and add headers to a successful upgrade.
 */
public final class EchoWebSocketServer implements AutoCloseable {
    /** Something the server received: a text or binary message, a pong, or a close frame. */
    public record Received(String kind, byte[] bytes, String text, int code) {
        @Override
        public String toString() {
            return kind + (text != null ? " " + (text.length() > 60 ? text.substring(0, 60) + "..." : text) : "")
                    + (bytes != null ? " " + bytes.length + " bytes" : "") + (code != 0 ? " " + code : "");
        }
    }

    private final Undertow undertow;
    private final int port;
    private final boolean tls;
    private final List<WebSocketChannel> channels = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Map<String, String> upgradeHeaders = new ConcurrentHashMap<>();
    private volatile int rejectStatus;
    private volatile Map<String, String> rejectHeaders = Map.of();
    private volatile boolean echo = true;
    private final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();

    public EchoWebSocketServer() {
        this(null);
    }

    /** On {@code wss://} with this context, or {@code ws://} when null. */
    public EchoWebSocketServer(SSLContext tlsContext) {
        this.tls = tlsContext != null;
        HttpHandler ws = Handlers.websocket((exchange, channel) -> {
            channels.add(channel);
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel c, BufferedTextMessage message) {
                    String text = message.getData();
                    received.add(new Received("text", null, text, 0));
                    if (echo) {
                        WebSockets.sendText(text, c, null);
                    }
                }

                @Override
                @SuppressWarnings("deprecation")
                protected void onFullBinaryMessage(WebSocketChannel c, BufferedBinaryMessage message) {
                    byte[] bytes = bytes(message);
                    received.add(new Received("binary", bytes, null, 0));
                    if (echo) {
                        WebSockets.sendBinary(ByteBuffer.wrap(bytes), c, null);
                    }
                }

                @Override
                @SuppressWarnings("deprecation")
                protected void onFullPongMessage(WebSocketChannel c, BufferedBinaryMessage message) {
                    received.add(new Received("pong", bytes(message), null, 0));
                }

                @Override
                protected void onCloseMessage(CloseMessage cm, WebSocketChannel c) {
                    received.add(new Received("close", null, cm.getReason(), cm.getCode()));
                }
            });
            channel.resumeReceives();
        });
        HttpHandler root = exchange -> {
            Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
            exchange.getRequestHeaders().forEach(h -> headers.put(h.getHeaderName().toString(), List.copyOf(h)));
            requestHeaders.add(headers);
            if (rejectStatus != 0) {
                exchange.setStatusCode(rejectStatus);
                rejectHeaders.forEach((n, v) -> exchange.getResponseHeaders().add(HttpString.tryFromString(n), v));
                exchange.endExchange();
                return;
            }
            upgradeHeaders.forEach((n, v) -> exchange.getResponseHeaders().add(HttpString.tryFromString(n), v));
            ws.handleRequest(exchange);
        };
        undertow = LoopbackUndertow.start(root, tlsContext);
        port = LoopbackUndertow.port(undertow);
    }

    @SuppressWarnings("deprecation")
    private static byte[] bytes(BufferedBinaryMessage message) {
        Pooled<ByteBuffer[]> data = message.getData();
        try {
            ByteBuffer merged = WebSockets.mergeBuffers(data.getResource());
            byte[] bytes = new byte[merged.remaining()];
            merged.get(bytes);
            return bytes;
        } finally {
            data.free();
        }
    }

    public URI uri() {
        return URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port + "/socket/websocket?vsn=2.0.0");
    }

    public int port() {
        return port;
    }

    public EchoWebSocketServer echo(boolean on) {
        echo = on;
        return this;
    }

    /** Answers every upgrade with {@code status} and these headers instead of switching protocols. */
    public EchoWebSocketServer reject(int status, Map<String, String> headers) {
        rejectHeaders = Map.copyOf(headers);
        rejectStatus = status;
        return this;
    }

    /** Adds a header to every successful upgrade response. */
    public EchoWebSocketServer upgradeHeader(String name, String value) {
        upgradeHeaders.put(name, value);
        return this;
    }

    /** The next thing received, waiting at most 20 s. */
    public Received next() throws InterruptedException {
        Received r = received.poll(20, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the server received nothing within 20 s");
        }
        return r;
    }

    /** What was received and not taken yet. */
    public List<Received> pending() {
        return List.copyOf(received);
    }

    public List<WebSocketChannel> channels() {
        return List.copyOf(channels);
    }

    /** The last connection's channel, waiting up to 20 s for the first (Undertow registers it after the 101). */
    public WebSocketChannel last() {
        org.awaitility.Awaitility.await("a websocket connection").atMost(java.time.Duration.ofSeconds(20))
                .until(() -> !channels.isEmpty());
        return channels.get(channels.size() - 1);
    }

    public List<Map<String, List<String>>> requestHeaders() {
        return List.copyOf(requestHeaders);
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
