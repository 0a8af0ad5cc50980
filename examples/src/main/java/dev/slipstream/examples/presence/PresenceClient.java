package dev.slipstream.examples.presence;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.Presence;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A client that keeps the list of who is online on a Phoenix presence topic and says who comes online and who goes
 * offline. The client's own {@link Presence} does the work (phoenix.js's rules: diffs before the state held, a fresh
 * state after a reconnect merged so only real changes show); this class turns its per-meta callbacks into per-key
 * ones: a key is online from its first meta to its last.
 *
 * <pre>{@code
 * PresenceClient presence = PresenceClient.start(URI.create("ws://localhost:4000/socket"), "presence:lobby", "monitor",
 *     new PresenceClient.Listener() {
 *         public void online(String key, Presence presence) { System.out.println(key + " is online"); }
 *         public void offline(String key, Presence presence) { System.out.println(key + " went offline"); }
 *     });
 * List<String> whoIsOnline = presence.presence().list(Presence.Entry::key);
 * presence.close();
 * }</pre>
 */
public final class PresenceClient implements AutoCloseable {

    /**
     * Told about changes, on the client's callback thread, after the list is updated.
     *
     * <pre>{@code
     * PresenceClient.Listener printer = new PresenceClient.Listener() {
     *     public void synced(Presence presence) { System.out.println("online: " + presence.list(Presence.Entry::key)); }
     * };
     * }</pre>
     */
    public interface Listener {
        /** {@code key} came online (its first meta joined). */
        default void online(String key, Presence presence) {
        }

        /** {@code key} went offline (its last meta left). */
        default void offline(String key, Presence presence) {
        }

        /** A state or diff was applied. */
        default void synced(Presence presence) {
        }
    }

    private final SlipstreamClient client;
    private final Presence presence;

    private PresenceClient(SlipstreamClient.Builder builder, String topic, Listener listener) {
        this.client = builder.module(new Tracker(topic, listener)).build();
        this.presence = client.presence(topic);
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

    /** Who is online (a live view: its {@code list()} is always the latest). */
    public Presence presence() {
        return presence;
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

    /** The module: registers on the topic's presence before connecting, so no sync is missed, then joins once. */
    private static final class Tracker implements ClientModule {
        private final String topic;
        private final Listener listener;
        private boolean joinSent; // touched only by the client's callbacks, which never run concurrently

        Tracker(String topic, Listener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        @Override
        public void started(SlipstreamClient c) {
            Presence presence = c.presence(topic);
            presence.onJoin((key, current, joined) -> {
                if (current == null) {
                    listener.online(key, presence);
                }
            });
            presence.onLeave((key, current, left) -> {
                if (current.metas().isEmpty()) {
                    listener.offline(key, presence);
                }
            });
            presence.onSync(() -> listener.synced(presence));
            c.connect();
        }

        @Override
        public void connected(SlipstreamClient c) {
            if (!joinSent) { // after a reconnect the client rejoins the topic by itself
                joinSent = true;
                c.join(topic);
            }
        }
    }
}
