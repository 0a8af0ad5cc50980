package dev.slipstream.client;

import dev.slipstream.protocol.Payload;

/**
 * A client "module", as in the Elixir original: a class whose methods the client calls back when things happen.
 * Every method has a default that does nothing; the client's own behaviour (reconnect with backoff, rejoin after a
 * reconnect and after a channel crash) does not depend on them.
 *
 * <p>Callbacks of one client run one at a time, in order, on that client's callbacks executor, never concurrently,
 * never on a websocket I/O thread and never inside the client's owner, so a module may keep plain fields as its
 * state. Each callback gets the client as a handle to act (join, push, leave, disconnect); those calls return
 * futures at once. A callback runs after the state change it reports (the owner may have moved on meanwhile).
 * Do not block inside a callback: the client's {@link SyncClient} refuses to be used there. A callback that throws
 * is reported as a {@code CallbackFailed} event (and logged) and the client carries on. Payloads handed to callbacks
 * map to your types with {@link Payload#as(Class)}, with the client's {@code ObjectMapper}.
 *
 * <pre>{@code
 * record NewMsg(String body) {}
 * final class Lobby implements ClientModule {
 *     private final List<String> bodies = new ArrayList<>(); // safe: callbacks never run concurrently
 *
 *     public void started(SlipstreamClient client) { client.connect(); }
 *     public void connected(SlipstreamClient client) { client.join("room:lobby"); }
 *     public void joined(SlipstreamClient client, String topic, Payload response) {
 *         client.push(topic, "new_msg", new NewMsg("hi"));
 *     }
 *     public void message(SlipstreamClient client, String topic, String event, Payload payload) {
 *         bodies.add(payload.as(NewMsg.class).body());
 *     }
 * }
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("ws://localhost:4000/socket"))
 *     .module(new Lobby())
 *     .build();
 * }</pre>
 */
public interface ClientModule {

    /** Start hook: runs once, first, when the client is built. A typical body calls {@code client.connect()}. */
    default void started(SlipstreamClient client) {
    }

    /** A connection was established (first connect and every reconnect); rejoins are already on their way. */
    default void connected(SlipstreamClient client) {
    }

    /** A connect attempt failed; a reconnect follows with backoff unless the client was told to disconnect. */
    default void connectFailed(SlipstreamClient client, ConnectFailedException error) {
    }

    /** An established connection ended; unless {@link DisconnectReason.Kind#CLIENT_REQUESTED}, a reconnect follows. */
    default void disconnected(SlipstreamClient client, DisconnectReason reason) {
    }

    /** The server accepted the join of {@code topic} (also after each automatic rejoin). */
    default void joined(SlipstreamClient client, String topic, Payload response) {
    }

    /** A server push or broadcast on a topic of this client; binary payloads arrive as {@link Payload.Binary}. */
    default void message(SlipstreamClient client, String topic, String event, Payload payload) {
    }

    /** The reply to a push; {@code ref} is the push's wire ref. The push's future completes with it as well. */
    default void reply(SlipstreamClient client, String topic, String ref, Payload.Reply reply) {
    }

    /** A topic stopped being joined without a leave; after {@link TopicCloseReason.Kind#CRASHED} a rejoin follows. */
    default void topicClosed(SlipstreamClient client, String topic, TopicCloseReason reason) {
    }

    /** A leave of {@code topic} finished. */
    default void left(SlipstreamClient client, String topic) {
    }

    /** Stop hook: runs once, last, when the client is closed. */
    default void stopped(SlipstreamClient client) {
    }
}
