package dev.slipstream.examples.chat;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A small chat client for the demo server's {@code echo:*} channel: it joins {@code echo:<room>} to talk and
 * {@code presence:<room>} to be seen online, sends with {@code broadcast} (the channel relays the payload to everyone
 * in the room, the sender included) and hands every chat line it receives to a listener.
 *
 * <pre>{@code
 * ChatClient alice = ChatClient.start(URI.create("ws://localhost:4000/socket"), "lobby", "alice",
 *     line -> System.out.println(line.user() + ": " + line.body()));
 * alice.joined().join();
 * alice.say("Hi everyone!").join();
 * alice.close();
 * }</pre>
 */
public final class ChatClient implements AutoCloseable {

    /**
     * One line of chat: who said what.
     *
     * <pre>{@code
     * ChatClient.Line line = new ChatClient.Line("alice", "Hi!");
     * }</pre>
     *
     * @param user who said it
     * @param body what was said
     */
    public record Line(String user, String body) {
    }

    private final String user;
    private final String chatTopic;
    private final String presenceTopic;
    private final Consumer<Line> listener;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final SlipstreamClient client;

    private ChatClient(URI endpoint, String room, String user, Consumer<Line> listener) {
        this.user = user;
        this.chatTopic = "echo:" + room;
        this.presenceTopic = "presence:" + room;
        this.listener = listener;
        this.client = SlipstreamClient.builder(endpoint)
                .params(Map.of("user_id", user))
                .name("chat " + user)
                .module(new Module())
                .build();
    }

    /** Connects to {@code endpoint} as {@code user} and joins {@code room}; {@code listener} gets every line. */
    public static ChatClient start(URI endpoint, String room, String user, Consumer<Line> listener) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(listener, "listener");
        return new ChatClient(endpoint, room, user, listener);
    }

    /** Completes when the room is joined (both the chat and the presence topic). */
    public CompletableFuture<Void> joined() {
        return joined;
    }

    /** Says {@code body} in the room; completes when the server accepted it, fails with the reason otherwise. */
    public CompletableFuture<Void> say(String body) {
        return client.push(chatTopic, "broadcast", new Line(user, body)).thenAccept(reply -> {
            if (!reply.isOk()) {
                throw new SlipstreamException("the room refused the message: " + reply);
            }
        });
    }

    /** Who this client is. */
    public String user() {
        return user;
    }

    /** Leaves the room and disconnects. */
    @Override
    public void close() {
        client.close();
    }

    /** Callbacks run one at a time on the client's own thread. */
    private final class Module implements ClientModule {
        private boolean joinsSent;

        @Override
        public void started(SlipstreamClient c) {
            c.connect();
        }

        @Override
        public void connected(SlipstreamClient c) {
            if (!joinsSent) { // after a reconnect the client rejoins both topics by itself
                joinsSent = true;
                c.join(chatTopic)
                        .thenCompose(response -> c.join(presenceTopic))
                        .whenComplete((response, error) -> {
                            if (error == null) {
                                joined.complete(null);
                            } else {
                                joined.completeExceptionally(error);
                            }
                        });
            }
        }

        @Override
        public void message(SlipstreamClient c, String topic, String event, Payload payload) {
            if (topic.equals(chatTopic) && event.equals("broadcast") && !payload.isBinary()) {
                listener.accept(payload.as(Line.class)); // {"body":...,"user":...} as the record
            }
        }
    }
}
