package dev.slipstream.client.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Where the owner publishes each topic's presence: the public {@code Presence} views of a client, behind this
 * internal seam so the owner needs none of the public types. Called only on the owner's executor.
 *
 * <pre>{@code
 * PresenceSinks.Sink sink = sinks.sink("room:lobby");
 * sink.publish(topicPresence.snapshot());
 * sink.callbacks(changes).forEach((name, body) -> callback(name, body));
 * }</pre>
 */
public interface PresenceSinks {

    /** The sink of {@code topic}, made on first use. */
    Sink sink(String topic);

    /** The sink of {@code topic} if one was made, else null. */
    Sink existing(String topic);

    /**
     * One topic's published presence.
     *
     * <pre>{@code
     * sink.publish(List.of()); // nobody online
     * }</pre>
     */
    interface Sink {
        /** Replaces the published state (in list order) before any callback of the sync runs. */
        void publish(List<Map.Entry<String, ObjectNode>> state);

        /**
         * The user's callbacks for one sync, named for the client's callback events, in phoenix.js's order: each
         * join and leave as it happened, then the sync. Empty when nobody registered any.
         */
        List<Map.Entry<String, Runnable>> callbacks(List<PresenceSync.Change> changes);
    }
}
