package dev.slipstream.junit5.tutorial;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.protocol.Payload;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client module of the tutorial, the kind of code an application writes on top of {@link SlipstreamClient}: it
 * connects when the client starts, joins {@code room:<name>} (with the user's name) once connected, says things and
 * gets the id the server gives each message, and hands the bodies of messages pushed to the room to a listener.
 *
 * <pre>{@code
 * ChatRoom lobby = new ChatRoom("lobby", "ada", body -> System.out.println(body));
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("ws://localhost:4000/socket"))
 *         .module(lobby)
 *         .build();
 * lobby.joined().join();
 * int id = lobby.say(client, "hello").join();
 * }</pre>
 */
// tag::chat-room[]
public final class ChatRoom implements ClientModule {
    record NewMsg(String body) {}

    record Joining(String user) {}

    record Stored(int id) {}

    private final String topic;
    private final String user;
    private final Consumer<String> listener;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();

    /** A module for {@code room:<room>}, joined as {@code user}; {@code listener} gets each message body. */
    public ChatRoom(String room, String user, Consumer<String> listener) {
        this.topic = "room:" + room;
        this.user = user;
        this.listener = listener;
    }

    /** Completes once the room is joined. */
    public CompletableFuture<Void> joined() {
        return joined;
    }

    /** Says {@code body} in the room; completes with the id the server gave it, or fails if the room refused it. */
    public CompletableFuture<Integer> say(SlipstreamClient client, String body) {
        return client.push(topic, "new_msg", new NewMsg(body)).thenApply(reply -> {
            if (!reply.isOk()) {
                throw new SlipstreamException("the room refused \"" + body + "\": " + reply.response());
            }
            return reply.as(Stored.class).id();
        });
    }

    @Override
    public void started(SlipstreamClient client) {
        client.connect();
    }

    @Override
    public void connected(SlipstreamClient client) {
        // After a reconnect the client is already rejoining the room; this join just waits for that one.
        client.join(topic, new Joining(user));
    }

    @Override
    public void joined(SlipstreamClient client, String joinedTopic, Payload response) {
        joined.complete(null);
    }

    @Override
    public void message(SlipstreamClient client, String from, String event, Payload payload) {
        if (from.equals(topic) && event.equals("new_msg")) {
            listener.accept(payload.as(NewMsg.class).body());
        }
    }
}
// end::chat-room[]
