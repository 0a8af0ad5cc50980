package dev.slipstream.junit5.tutorial;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.client.protocol.Frame;
import dev.slipstream.client.protocol.JsonCodec;
import dev.slipstream.client.protocol.Message;
import dev.slipstream.client.protocol.Payload;
import dev.slipstream.client.protocol.Serializer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The "client module" of the tutorial: a tiny chat client of the kind an application would write. It connects,
 * joins {@code room:<name>} as soon as the socket opens, sends messages and completes their futures with the id the
 * server replies, and hands incoming messages to a callback. Errors thrown by that callback go to an error handler,
 * which tests point at {@code ScriptedServer::reportFailure}.
 */
public final class ChatClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Serializer serializer = Serializer.v2();
    private final String topic;
    private final AtomicInteger refs = new AtomicInteger();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<WebSocket> socket;
    private final Consumer<JsonNode> onMessage;
    private final Consumer<Throwable> onError;
    private volatile String joinRef;

    private ChatClient(URI uri, String room, String user, Consumer<JsonNode> onMessage, Consumer<Throwable> onError) {
        this.topic = "room:" + room;
        this.onMessage = onMessage;
        this.onError = onError;
        this.socket = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(uri + "?vsn=2.0.0&user=" + user), new Listener())
                .thenApply(ws -> {
                    joinRef = nextRef();
                    send(ws, Message.of(joinRef, joinRef, topic, "phx_join", Payload.json(JsonCodec.toTree(
                            Map.of("user", user)))));
                    return ws;
                });
    }

    /** Connects to {@code uri} and joins {@code room}. Returns at once. */
    public static ChatClient connect(URI uri, String room, String user, Consumer<JsonNode> onMessage,
            Consumer<Throwable> onError) {
        return new ChatClient(uri, room, user, onMessage, onError);
    }

    /** Sends a message; the future completes with the server's reply. */
    public CompletableFuture<JsonNode> send(String body) {
        return socket.thenCompose(ws -> {
            String ref = nextRef();
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            pending.put(ref, reply);
            send(ws, Message.of(joinRef, ref, topic, "new_msg", Payload.json(JsonCodec.toTree(Map.of("body", body)))));
            return reply;
        });
    }

    @Override
    public void close() {
        socket.thenAccept(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
    }

    private String nextRef() {
        return Integer.toString(refs.incrementAndGet());
    }

    private synchronized void send(WebSocket ws, Message m) {
        ws.sendText(((Frame.Text) serializer.encodeToServer(m)).text(), true).join();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                Message m = serializer.decodeFromServer(Frame.text(text.toString()));
                text.setLength(0);
                CompletableFuture<JsonNode> reply = m.isReply() ? pending.remove(m.ref()) : null;
                if (reply != null) {
                    Payload.Reply r = m.payload().asReply();
                    if (r.isOk()) {
                        reply.complete(r.response().asJson().json());
                    } else {
                        reply.completeExceptionally(new IllegalStateException("refused: " + r.response()));
                    }
                } else if (!m.isReply() && topic.equals(m.topic())) {
                    try {
                        onMessage.accept(m.payload().asJson().json());
                    } catch (RuntimeException e) {
                        onError.accept(e);
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }
}
