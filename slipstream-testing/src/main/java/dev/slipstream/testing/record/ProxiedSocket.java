package dev.slipstream.testing.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.IoUtils;
import org.xnio.Pooled;

/**
 * One client connection through the proxy and the upstream socket opened for it. Frames go both ways untouched and in
 * order (the client's through one chain of sends upstream, the upstream's one at a time: the next is requested only
 * when the previous one is on its way to the client); close frames are relayed with their codes, and a side that
 * goes away without one makes the proxy drop the other side the same way. The session log gets a copy of everything,
 * with join params' secrets hidden (the frame relayed upstream keeps them).
 */
final class ProxiedSocket implements WebSocket.Listener {
    private final String id;
    private final SessionLog log;
    private final java.util.function.Consumer<ProxiedSocket> onEnd;
    private final Object sendLock = new Object();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean clientClosing = new AtomicBoolean();
    /** {@link #shutdown} sent the client its 1001: the connection is the client's to close now. */
    private final AtomicBoolean goingAway = new AtomicBoolean();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private volatile WebSocket upstream;
    private volatile WebSocketChannel client;
    private final CompletableFuture<Void> upstreamDone = new CompletableFuture<>();
    /** Completes once the client answered our close, its channel closed, or a close to it failed. */
    private final CompletableFuture<Void> clientClosed = new CompletableFuture<>();
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

    ProxiedSocket(String id, SessionLog log, java.util.function.Consumer<ProxiedSocket> onEnd) {
        this.id = id;
        this.log = log;
        this.onEnd = onEnd;
    }

    String id() {
        return id;
    }

    /** The client's handshake is done: relay from now on. */
    void attach(WebSocket upstreamSocket, WebSocketChannel channel) {
        this.upstream = upstreamSocket;
        this.client = channel;
        channel.getReceiveSetter().set(new FromClient());
        channel.addCloseTask(ch -> {
            clientClosed.complete(null);
            if (!clientClosing.get()) {
                // Gone without a close frame (or after a protocol error): the upstream sees a dropped connection too.
                log.close(id, "dropped", "client", 1006, "");
                upstreamSocket.abort();
                upstreamDone.complete(null);
            }
            end();
        });
        channel.resumeReceives();
        upstreamSocket.request(1);
    }

    /** Stops relaying: the client gets 1001 (going away), the upstream a normal close. */
    void shutdown() {
        WebSocketChannel c = client;
        WebSocket u = upstream;
        if (c == null || u == null || ended.get()) {
            clientClosed.complete(null); // nothing to close here: the socket ended or never opened
            return;
        }
        ObjectNode e = log.entry(id, "stop");
        log.add(e);
        clientClosing.set(true);
        goingAway.set(true);
        // The connection stays open until the client answers with its close frame (or it closes, or the port is
        // released): closing it right after the write could cut it before the client read the 1001.
        WebSockets.sendClose(1001, "", c, new WebSocketCallback<Void>() {
            @Override
            public void complete(WebSocketChannel channel, Void context) {
                // wait for the client's answer
            }

            @Override
            public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
                IoUtils.safeClose(channel);
                clientClosed.complete(null);
            }
        });
        send(() -> u.sendClose(WebSocket.NORMAL_CLOSURE, ""));
        end();
    }

    /** Completes when the upstream socket has closed or failed (or was never opened, after {@link #abort}). */
    CompletableFuture<Void> upstreamDone() {
        return upstreamDone;
    }

    /** For a socket whose client never finished its handshake: no relay, the upstream (if any) dropped. */
    void abort(WebSocket upstreamSocket) {
        if (upstreamSocket != null) {
            upstreamSocket.abort();
        }
        upstreamDone.complete(null);
        end();
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            onEnd.accept(this);
        }
    }

    private void send(java.util.function.Supplier<CompletableFuture<WebSocket>> sending) {
        synchronized (sendLock) {
            sends = sends.thenCompose(v -> sending.get()).whenComplete((v, error) -> {
                if (error != null && !ended.get()) {
                    log.add(errorEntry("cannot send upstream: " + error));
                    upstream.abort();
                    IoUtils.safeClose(client);
                }
            });
        }
    }

    private ObjectNode errorEntry(String message) {
        ObjectNode e = log.entry(id, "error");
        e.put("message", message);
        return e;
    }

    // ================================================================== upstream -> client

    @Override
    public void onOpen(WebSocket webSocket) {
        // Nothing is requested until the client's handshake is done (attach).
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (!last) {
            webSocket.request(1);
            return null;
        }
        String message = text.toString();
        text.setLength(0);
        log.frame(id, "server", message, List.of());
        WebSockets.sendText(message, client, requestNext(webSocket));
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (!last) {
            webSocket.request(1);
            return null;
        }
        byte[] message = binary.toByteArray();
        binary.reset();
        log.frame(id, "server", message);
        WebSockets.sendBinary(ByteBuffer.wrap(message), client, requestNext(webSocket));
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        log.close(id, "close", "server", statusCode, reason);
        clientClosing.set(true);
        if (!goingAway.get()) {
            // The upstream's close (or its answer to the client's): the client gets the same code and reason.
            WebSockets.sendClose(statusCode, reason, client, closeAfter());
        }
        // Else it answers the normal close a stop sent it, and the client has its 1001 already: closing the client's
        // connection here could cut it before the client read that 1001 (it would see 1006); it stays open until the
        // client answers, closes, or the port is released.
        upstreamDone.complete(null);
        end();
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!ended.get()) {
            log.close(id, "dropped", "server", 1006, "");
        }
        clientClosing.set(true);
        IoUtils.safeClose(client);
        upstreamDone.complete(null);
        end();
    }

    private WebSocketCallback<Void> requestNext(WebSocket webSocket) {
        return new WebSocketCallback<>() {
            @Override
            public void complete(WebSocketChannel channel, Void context) {
                webSocket.request(1);
            }

            @Override
            public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
                log.add(errorEntry("cannot send to the client: " + throwable));
                webSocket.abort();
                IoUtils.safeClose(channel);
            }
        };
    }

    private WebSocketCallback<Void> closeAfter() {
        return new WebSocketCallback<>() {
            @Override
            public void complete(WebSocketChannel channel, Void context) {
                IoUtils.safeClose(channel);
                clientClosed.complete(null);
            }

            @Override
            public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
                IoUtils.safeClose(channel);
                clientClosed.complete(null);
            }
        };
    }

    /**
     * Completes once the client answered the close frame {@link #shutdown} sent it (or its connection closed): the
     * proxy must not release its port (and with it the client's TCP connection) before, or the client may see 1006
     * instead of 1001.
     */
    CompletableFuture<Void> clientClosed() {
        return clientClosed;
    }

    // ================================================================== client -> upstream

    private final class FromClient extends AbstractReceiveListener {
        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            String data = message.getData();
            List<String> redacted = new ArrayList<>();
            log.frame(id, "client", redactJoin(data, log.secrets(), redacted), redacted);
            send(() -> upstream.sendText(data, true));
        }

        @Override
        @SuppressWarnings("deprecation") // Undertow hands binary messages over only as XNIO's (deprecated) Pooled
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            byte[] data = bytes(message);
            log.frame(id, "client", data);
            send(() -> upstream.sendBinary(ByteBuffer.wrap(data), true));
        }

        @Override
        @SuppressWarnings("deprecation")
        protected void onFullCloseMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            CloseMessage close = new CloseMessage(ByteBuffer.wrap(bytes(message)));
            int code = close.getCode();
            log.close(id, "close", "client", code, close.getReason());
            clientClosing.set(true);
            clientClosed.complete(null); // (after a shutdown: the client read our 1001 and answered)
            // Not answered here: the upstream's answer (onClose) is relayed back as the client's close echo.
            send(() -> {
                try {
                    return upstream.sendClose(code, close.getReason());
                } catch (IllegalArgumentException notSendableByAClient) {
                    // A code the JDK will not send (1005 "no status" and the like): the nearest honest close.
                    return upstream.sendClose(WebSocket.NORMAL_CLOSURE, "");
                }
            });
        }
    }

    @SuppressWarnings("deprecation")
    private static byte[] bytes(BufferedBinaryMessage message) {
        Pooled<ByteBuffer[]> data = message.getData();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuffer b : data.getResource()) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
            return out.toByteArray();
        } finally {
            data.free();
        }
    }

    /**
     * The text as logged: for a {@code phx_join} (V1 object or V2 array), the join params with credential-like
     * fields hidden ({@link Secrets}); anything else, or anything that is not JSON, exactly as sent.
     */
    static String redactJoin(String text, Secrets secrets, List<String> redacted) {
        JsonNode frame;
        try {
            frame = SessionLog.JSON.readTree(text);
        } catch (Exception notJson) {
            return text;
        }
        JsonNode payload = null;
        if (frame instanceof ArrayNode a && a.size() == 5 && "phx_join".equals(a.get(3).asText())) {
            payload = a.get(4);
        } else if (frame instanceof ObjectNode o && "phx_join".equals(o.path("event").asText())) {
            payload = o.get("payload");
        }
        if (payload == null) {
            return text;
        }
        List<String> hidden = secrets.redactJson(payload, "payload");
        if (hidden.isEmpty()) {
            return text;
        }
        redacted.addAll(hidden);
        return frame.toString();
    }
}
