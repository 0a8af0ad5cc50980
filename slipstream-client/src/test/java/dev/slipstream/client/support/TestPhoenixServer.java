package dev.slipstream.client.support;

import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.Pooled;

/**
 * A small Phoenix V2 server for the client's own loopback tests (the full fake server lives in slipstream-testing).
 * It decodes real frames with {@code Serializer.v2().decodeFromClient} and answers with {@code encodeToClient}. By
 * default it answers heartbeats, accepts joins, answers leaves with ok then phx_close, and replies ok to every other
 * event with the pushed payload as the response; a test replaces that with {@link #script(Script)}.
 */
public final class TestPhoenixServer implements AutoCloseable {
    private static final Serializer V2 = Serializer.v2();

    /** What the server does with one decoded client message. */
    @FunctionalInterface
    public interface Script {
        void onMessage(Session session, Message message);
    }

    /** One websocket connection as the server sees it. */
    public final class Session {
        private final WebSocketChannel channel;
        public final Map<String, List<String>> query;
        public final Map<String, String> joinRefs = new ConcurrentHashMap<>();

        Session(WebSocketChannel channel, Map<String, List<String>> query) {
            this.channel = channel;
            this.query = query;
        }

        public void send(Message m) {
            Frame f = V2.encodeToClient(m);
            if (f instanceof Frame.Text t) {
                WebSockets.sendText(t.text(), channel, null);
            } else {
                WebSockets.sendBinary(((Frame.Binary) f).bytes(), channel, null);
            }
        }

        public void sendText(String raw) {
            WebSockets.sendText(raw, channel, null);
        }

        public void reply(Message to, String status, Payload response) {
            send(Message.reply(to.joinRef(), to.ref(), to.topic(), status, response));
        }

        /** A server push on a joined topic: {@code [join_ref, null, topic, event, payload]}. */
        public void push(String topic, String event, Payload payload) {
            send(Message.of(joinRefs.get(topic), null, topic, event, payload));
        }

        public void close(int code, String reason) {
            WebSockets.sendClose(code, reason, channel, null);
        }

        public boolean isOpen() {
            return channel.isOpen();
        }
    }

    private final Undertow undertow;
    private final int port;
    private volatile Script script = TestPhoenixServer::standard;
    private final AtomicInteger rejectStatus = new AtomicInteger();
    private final AtomicBoolean answerHeartbeats = new AtomicBoolean(true);
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
    private final List<Message> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger upgrades = new AtomicInteger();
    private final List<Map<String, Deque<String>>> queries = new CopyOnWriteArrayList<>();

    private final boolean tls;

    public TestPhoenixServer() {
        this(null);
    }

    /** A server on {@code wss://} with this TLS context, or on {@code ws://} when null. */
    public TestPhoenixServer(javax.net.ssl.SSLContext tlsContext) {
        this.tls = tlsContext != null;
        HttpHandler ws = Handlers.websocket((exchange, channel) -> {
            Session session = new Session(channel, exchange.getRequestParameters());
            sessions.add(session);
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel c, BufferedTextMessage message) {
                    handle(session, Frame.text(message.getData()));
                }

                @Override
                @SuppressWarnings("deprecation")
                protected void onFullBinaryMessage(WebSocketChannel c, BufferedBinaryMessage message) {
                    Pooled<ByteBuffer[]> data = message.getData();
                    try {
                        ByteBuffer merged = WebSockets.mergeBuffers(data.getResource());
                        byte[] bytes = new byte[merged.remaining()];
                        merged.get(bytes);
                        handle(session, Frame.binary(bytes));
                    } finally {
                        data.free();
                    }
                }
            });
            channel.resumeReceives();
        });
        HttpHandler root = exchange -> {
            queries.add(Map.copyOf(exchange.getQueryParameters()));
            int reject = rejectStatus.get();
            if (reject != 0) {
                exchange.setStatusCode(reject);
                exchange.endExchange();
                return;
            }
            if (!exchange.getRequestPath().equals("/socket/websocket")) {
                exchange.setStatusCode(404);
                exchange.endExchange();
                return;
            }
            upgrades.incrementAndGet();
            ws.handleRequest(exchange);
        };
        undertow = LoopbackUndertow.start(root, tlsContext);
        port = LoopbackUndertow.port(undertow);
    }

    private void handle(Session session, Frame frame) {
        Message m = V2.decodeFromClient(frame);
        if (m.event().equals("phx_join")) {
            session.joinRefs.put(m.topic(), m.joinRef());
        }
        all.add(m);
        received.add(m);
        if (m.event().equals("heartbeat") && !answerHeartbeats.get()) {
            return;
        }
        script.onMessage(session, m);
    }

    /** The default behaviour (scripts may call it for what they do not handle themselves). */
    public static void standard(Session s, Message m) {
        switch (m.event()) {
            case "heartbeat":
            case "phx_join":
                s.reply(m, "ok", Payload.empty());
                break;
            case "phx_leave":
                s.reply(m, "ok", Payload.empty());
                s.send(Message.of(m.joinRef(), m.joinRef(), m.topic(), "phx_close", Payload.empty()));
                break;
            default:
                s.reply(m, "ok", m.payload());
        }
    }

    public URI uri() {
        return URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port + "/socket");
    }

    public int port() {
        return port;
    }

    public TestPhoenixServer script(Script script) {
        this.script = script;
        return this;
    }

    public void rejectUpgradesWith(int status) {
        rejectStatus.set(status);
    }

    public void answerHeartbeats(boolean answer) {
        answerHeartbeats.set(answer);
    }

    /** Every message received, in order, since the start. */
    public List<Message> messages() {
        return List.copyOf(all);
    }

    /** Received messages with this event. */
    public List<Message> messages(String event) {
        return all.stream().filter(m -> m.event().equals(event)).toList();
    }

    public List<Session> sessions() {
        return List.copyOf(sessions);
    }

    public Session lastSession() {
        return sessions.get(sessions.size() - 1);
    }

    public int upgrades() {
        return upgrades.get();
    }

    public List<Map<String, Deque<String>>> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
