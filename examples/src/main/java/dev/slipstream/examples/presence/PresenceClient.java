package dev.slipstream.examples.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client that keeps the list of who is online on a Phoenix presence topic, from the {@code presence_state} the
 * channel pushes after each join and the {@code presence_diff} broadcasts after it, merged with
 * {@link PresenceState} as phoenix.js does. Diffs that arrive before the state (the server broadcasts the diff for
 * our own join first) are held and applied after it, as phoenix.js's {@code pendingDiffs}; after a reconnect the
 * client rejoins and the fresh state replaces the old one.
 *
 * <pre>{@code
 * PresenceClient presence = PresenceClient.start(URI.create("ws://localhost:4000/socket"), "presence:lobby", "monitor",
 *     new PresenceClient.Listener() {
 *         public void online(String key, PresenceState state) { System.out.println(key + " is online"); }
 *         public void offline(String key, PresenceState state) { System.out.println(key + " went offline"); }
 *     });
 * List<String> whoIsOnline = presence.state().keys();
 * presence.close();
 * }</pre>
 */
public final class PresenceClient implements AutoCloseable {

    /**
     * Told about changes, on the client's callback thread, after the state is updated.
     *
     * <pre>{@code
     * PresenceClient.Listener printer = new PresenceClient.Listener() {
     *     public void synced(PresenceState state) { System.out.println("online: " + state.keys()); }
     * };
     * }</pre>
     */
    public interface Listener {
        /** {@code key} came online (its first meta joined). */
        default void online(String key, PresenceState state) {
        }

        /** {@code key} went offline (its last meta left). */
        default void offline(String key, PresenceState state) {
        }

        /** A state or diff was applied. */
        default void synced(PresenceState state) {
        }
    }

    private final String topic;
    private final Listener listener;
    private final SlipstreamClient client;
    // Written only by the client's callback thread; read by any thread.
    private volatile PresenceState published = PresenceState.empty();

    private PresenceClient(SlipstreamClient.Builder builder, String topic, Listener listener) {
        this.topic = topic;
        this.listener = listener;
        this.client = builder.module(new Tracker()).build();
    }

    /**
     * Connects to {@code endpoint} as {@code userId} (the connect param {@code user_id}) and joins {@code topic}.
     */
    public static PresenceClient start(URI endpoint, String topic, String userId, Listener listener) {
        Objects.requireNonNull(userId, "userId");
        return start(SlipstreamClient.builder(endpoint).params(Map.of("user_id", userId)), topic, listener);
    }

    /** Builds a client from {@code builder} (its module is replaced), connects and joins {@code topic}. */
    public static PresenceClient start(SlipstreamClient.Builder builder, String topic, Listener listener) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(listener, "listener");
        return new PresenceClient(builder, topic, listener);
    }

    /** Who is online now (a snapshot). */
    public PresenceState state() {
        return published;
    }

    /** The client underneath. */
    public SlipstreamClient client() {
        return client;
    }

    /** Leaves and disconnects. */
    @Override
    public void close() {
        client.close();
    }

    /** The module: all its fields are touched only by the client's callbacks, which never run concurrently. */
    private final class Tracker implements ClientModule {
        private PresenceState state = PresenceState.empty();
        private final List<JsonNode> pendingDiffs = new ArrayList<>();
        private boolean awaitingState = true;
        private boolean joinSent;

        @Override
        public void started(SlipstreamClient c) {
            c.connect();
        }

        @Override
        public void connected(SlipstreamClient c) {
            if (!joinSent) { // after a reconnect the client rejoins the topic by itself
                joinSent = true;
                c.join(topic);
            }
        }

        @Override
        public void joined(SlipstreamClient c, String t, Payload response) {
            // Every (re)join is followed by a fresh presence_state; diffs until then wait for it.
            awaitingState = true;
        }

        @Override
        public void message(SlipstreamClient c, String t, String event, Payload payload) {
            if (!t.equals(topic) || payload.isBinary()) {
                return;
            }
            if (event.equals("presence_state")) {
                Changes changes = new Changes();
                state = state.syncState(payload.asJson().json(), changes);
                for (JsonNode diff : pendingDiffs) {
                    state = state.syncDiff(diff, changes);
                }
                pendingDiffs.clear();
                awaitingState = false;
                publish(changes);
            } else if (event.equals("presence_diff")) {
                if (awaitingState) {
                    pendingDiffs.add(payload.asJson().json());
                    return;
                }
                Changes changes = new Changes();
                state = state.syncDiff(payload.asJson().json(), changes);
                publish(changes);
            }
        }

        private void publish(Changes changes) {
            published = state;
            changes.online.forEach(key -> listener.online(key, state));
            changes.offline.forEach(key -> listener.offline(key, state));
            listener.synced(state);
        }
    }

    /** Collects who came online and who went offline during one sync. */
    private static final class Changes implements PresenceState.Callbacks {
        final List<String> online = new ArrayList<>();
        final List<String> offline = new ArrayList<>();

        @Override
        public void onJoin(String key, ObjectNode current, ObjectNode joined) {
            if (current == null) {
                online.add(key);
            }
        }

        @Override
        public void onLeave(String key, ObjectNode current, ObjectNode left) {
            if (current.path("metas").isEmpty()) {
                offline.add(key);
            }
        }
    }
}
