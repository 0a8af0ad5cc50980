package dev.slipstream.junit5.support;

import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A small real Phoenix client for tests, standing in for the client under test: a {@link java.net.http.WebSocket}
 * speaking V2 frames ({@link Serializer#v2()}) over loopback, with phoenix.js's ref scheme (join_ref = the join's
 * ref). Everything the server sends lands in a queue the test reads with bounded waits.
 */
public final class WireClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Serializer serializer = Serializer.v2();
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final CompletableFuture<WebSocket> socket;
    private final AtomicInteger refs = new AtomicInteger();
    private final Map<String, String> joinRefs = new java.util.concurrent.ConcurrentHashMap<>();

    private WireClient(URI uri) {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, new Listener());
    }

    /**
     * Starts connecting to {@code serverUri} with {@code vsn=2.0.0} and the given params; does not wait, because a
     * scripted server holds the upgrade until the test accepts it.
     */
    public static WireClient connect(URI serverUri, String... params) {
        StringBuilder q = new StringBuilder("?vsn=2.0.0");
        for (int i = 0; i + 1 < params.length; i += 2) {
            q.append('&').append(params[i]).append('=').append(params[i + 1]);
        }
        return new WireClient(URI.create(serverUri + q.toString()));
    }

    /**
     * Joins {@code topic} as soon as the websocket opens, from the client's own thread, as a real client does in its
     * on-open callback; returns at once. The join's ref is then {@code "1"}.
     */
    public WireClient joinOnOpen(String topic, Object params) {
        socket.thenRunAsync(() -> join(topic, params));
        return this;
    }

    /** The join_ref of {@code topic}'s latest join. */
    public String joinRef(String topic) {
        return joinRefs.get(topic);
    }

    /** Waits until the websocket is open. */
    public WireClient awaitOpen() {
        ws();
        return this;
    }

    /** The connect attempt's outcome, for tests of refused connects. */
    public CompletableFuture<WebSocket> opening() {
        return socket;
    }

    /** Sends {@code [ref, ref, topic, "phx_join", params]}; returns the ref. */
    public String join(String topic, Object params) {
        String ref = nextRef();
        joinRefs.put(topic, ref);
        send(Message.of(ref, ref, topic, "phx_join", payload(params)));
        return ref;
    }

    /** Sends a push on a joined (or not) topic; returns its ref. */
    public String push(String topic, String event, Object payload) {
        String ref = nextRef();
        send(Message.of(joinRefs.get(topic), ref, topic, event, payload(payload)));
        return ref;
    }

    /** Sends {@code phx_leave}; returns its ref. */
    public String leave(String topic) {
        String ref = nextRef();
        send(Message.of(joinRefs.get(topic), ref, topic, "phx_leave", Payload.empty()));
        return ref;
    }

    /** Sends a heartbeat; returns its ref. */
    public String heartbeat() {
        String ref = nextRef();
        send(Message.heartbeat(ref));
        return ref;
    }

    /** Sends a text frame exactly as given. */
    public void sendRaw(String text) {
        join(ws().sendText(text, true));
    }

    /** The next message the server sent that matches, waiting up to 5 s. */
    public Message await(Predicate<Message> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Message m;
            try {
                m = inbox.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (m == null) {
                throw new AssertionError("no matching message from the server within " + WAIT);
            }
            if (condition.test(m)) {
                return m;
            }
        }
    }

    /** The reply to {@code ref}. */
    public Message awaitReply(String ref) {
        return await(m -> m.isReply() && ref.equals(m.ref()));
    }

    /** The next message with {@code event} on {@code topic}. */
    public Message awaitEvent(String topic, String event) {
        return await(m -> topic.equals(m.topic()) && event.equals(m.event()));
    }

    /** Waits for the server to close the connection; returns the close code. */
    public int awaitClosed() {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the connection did not close within " + WAIT, e);
        }
    }

    /** Closes with {@code code}. */
    public void close(int code) {
        join(ws().sendClose(code, ""));
    }

    @Override
    public void close() {
        if (socket.isDone() && !socket.isCompletedExceptionally()) {
            socket.join().abort();
        } else {
            socket.cancel(true);
        }
    }

    private String nextRef() {
        return Integer.toString(refs.incrementAndGet());
    }

    private static Payload payload(Object value) {
        if (value instanceof Payload p) {
            return p;
        }
        if (value instanceof byte[] b) {
            return Payload.binary(b);
        }
        if (value instanceof String s) {
            return Payload.json(s);
        }
        return Payload.json(JsonCodec.toTree(value));
    }

    private void send(Message m) {
        Frame f = serializer.encodeToServer(m);
        WebSocket ws = ws();
        synchronized (this) {
            if (f instanceof Frame.Text t) {
                join(ws.sendText(t.text(), true));
            } else {
                join(ws.sendBinary(((Frame.Binary) f).bytes(), true));
            }
        }
    }

    private WebSocket ws() {
        try {
            return socket.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the websocket did not open within " + WAIT + ": " + e, e);
        }
    }

    private static void join(CompletableFuture<?> f) {
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("sending failed: " + e, e);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                inbox.add(serializer.decodeFromServer(Frame.text(text.toString())));
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                inbox.add(serializer.decodeFromServer(Frame.binary(binary.toByteArray())));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(1006);
        }
    }
}
