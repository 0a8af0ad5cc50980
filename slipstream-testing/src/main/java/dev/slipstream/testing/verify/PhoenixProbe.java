package dev.slipstream.testing.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The smallest Phoenix client the drift check needs: one V2 connection over the JDK's websocket, joins and pushes
 * that wait for their replies, and the server's pushes kept per topic for the checks that expect them. Not the
 * project's client on purpose: slipstream-testing does not depend on it, and a probe should add no behaviour
 * (rejoins, buffering) of its own between the backend and the report.
 */
final class PhoenixProbe implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A {@code phx_reply}: status and response (binary responses as {@code {"binary": base64}}). */
    record Answer(String status, JsonNode response) {
    }

    /** A server push or broadcast. */
    record Pushed(String topic, String event, JsonNode payload) {
    }

    /** The connect was refused with an HTTP status, or could not be made at all ({@code status} 0). */
    static final class ConnectFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ConnectFailed(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }
    }

    private final Serializer v2 = Serializer.v2();
    private final Map<String, LinkedBlockingQueue<Message>> replies = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Pushed> pushes = new LinkedBlockingQueue<>();
    private final Duration timeout;
    private WebSocket ws;
    private int ref;

    private PhoenixProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /** Connects to {@code socket} ({@code ws://HOST/socket}) with {@code vsn=2.0.0} and the params and headers. */
    static PhoenixProbe connect(HttpClient http, URI socket, Map<String, String> params,
            Map<String, List<String>> headers, Duration timeout) throws ConnectFailed, InterruptedException {
        PhoenixProbe probe = new PhoenixProbe(timeout);
        StringBuilder url = new StringBuilder(socket.toString().replaceAll("/+$", ""));
        if (!url.toString().endsWith("/websocket")) {
            url.append("/websocket");
        }
        url.append("?vsn=2.0.0");
        params.forEach((k, v) -> url.append('&').append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
        try {
            probe.ws = b.buildAsync(URI.create(url.toString()), probe.listener())
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new ConnectFailed(h.getResponse().statusCode(),
                        "the upstream refused the connect with HTTP " + h.getResponse().statusCode(), h);
            }
            throw new ConnectFailed(0, "cannot connect to " + socket + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ConnectFailed(0, "cannot connect to " + socket + " within " + timeout, e);
        }
        return probe;
    }

    /** Joins and waits for the reply; null when none came within the timeout. */
    Answer join(String topic, JsonNode params) throws InterruptedException {
        String r = String.valueOf(++ref);
        return send(Message.of(r, r, topic, "phx_join", Payload.json(params)), timeout);
    }

    /** Pushes on a joined topic (the join_ref of its last join) and waits for the reply, or null. */
    Answer push(String joinRef, String topic, String event, Payload payload, Duration wait)
            throws InterruptedException {
        return send(Message.of(joinRef, String.valueOf(++ref), topic, event, payload), wait);
    }

    String lastRef() {
        return String.valueOf(ref);
    }

    private Answer send(Message m, Duration wait) throws InterruptedException {
        LinkedBlockingQueue<Message> q = new LinkedBlockingQueue<>();
        replies.put(m.ref(), q);
        Frame f = v2.encodeToServer(m);
        if (f instanceof Frame.Text t) {
            ws.sendText(t.text(), true).join();
        } else {
            ws.sendBinary(((Frame.Binary) f).bytes(), true).join();
        }
        Message reply = q.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        replies.remove(m.ref());
        if (reply == null) {
            return null;
        }
        Payload.Reply p = reply.payload().asReply();
        return new Answer(p.status(), json(p.response()));
    }

    /** The next push on {@code topic} named {@code event} within {@code wait}, skipping others; or null. */
    Pushed awaitPush(String topic, String event, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Pushed> skipped = new ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Pushed p = pushes.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (p == null) {
                    return null;
                }
                if (p.topic().equals(topic) && p.event().equals(event)) {
                    return p;
                }
                skipped.add(p);
            }
        } finally {
            // Pushes of other checks stay for them, in order.
            List<Pushed> rest = new ArrayList<>();
            pushes.drainTo(rest);
            pushes.addAll(skipped);
            pushes.addAll(rest);
        }
    }

    static JsonNode json(Payload p) {
        if (p.isBinary()) {
            return JSON.createObjectNode().put("binary", Base64.getEncoder().encodeToString(
                    ((Payload.Binary) p).toByteArray()));
        }
        return p.asJson().json();
    }

    private void onMessage(Message m) {
        if (m.isReply()) {
            LinkedBlockingQueue<Message> q = replies.get(m.ref());
            if (q != null) {
                q.add(m);
            }
        } else {
            pushes.add(new Pushed(m.topic(), m.event(), json(m.payload())));
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    decode(Frame.text(text.toString()));
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                binary.writeBytes(chunk);
                if (last) {
                    decode(Frame.binary(binary.toByteArray()));
                    binary.reset();
                }
                w.request(1);
                return null;
            }

            private void decode(Frame f) {
                try {
                    onMessage(v2.decodeFromServer(f));
                } catch (RuntimeException undecodable) {
                    pushes.add(new Pushed("", "undecodable", JSON.getNodeFactory().textNode(f.toString())));
                }
            }
        };
    }

    @Override
    public void close() {
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS)
                    .exceptionally(e -> {
                        ws.abort();
                        return null;
                    });
        }
    }
}
