package dev.slipstream.client.internal;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.protocol.Payload;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Presence as the {@link ConnectionOwner} keeps it: each {@code presence_state} and {@code presence_diff} merged into
 * its topic's {@link TopicPresence} by phoenix.js's rules ({@link PresenceSync}), the result published to the topic's
 * public view through {@link PresenceSinks}, and the view's callbacks queued like the module's. Owned by the
 * {@link ConnectionOwner}; touched only on its executor.
 *
 * <pre>{@code
 * presence.onPresence(t, TopicPresence.DIFF_EVENT, payload); // merged, published, callbacks queued
 * presence.drop(t);                                          // the topic ended: its view shows nobody
 * }</pre>
 */
final class PresenceUpdates {
    /** The owner's logger, as before this part had a file of its own: a logging setup that names it still works. */
    private static final System.Logger LOG = System.getLogger(ConnectionOwner.class.getName());

    private final ClientEventListener listener;
    private final Delivery out;
    private final PresenceSinks sinks;

    PresenceUpdates(ConnectionOwner owner) {
        this.listener = owner.listener;
        this.out = owner.out;
        this.sinks = owner.presenceSinks;
    }

    /**
     * A {@code presence_state} or {@code presence_diff} on a topic: merged into the topic's presence by phoenix.js's
     * rules, published to the topic's {@code Presence} view, then the view's callbacks run on the callback thread,
     * like the module's. The message still reaches the module's {@code message} callback afterwards.
     */
    void onPresence(TopicState t, String event, Payload payload) {
        List<PresenceSync.Change> changes = new ArrayList<>();
        boolean synced;
        try {
            if (!(payload instanceof Payload.Json json)) {
                throw new IllegalArgumentException("a binary payload");
            }
            if (t.presence == null) {
                t.presence = new TopicPresence();
            }
            synced = TopicPresence.STATE_EVENT.equals(event)
                    ? t.presence.onState(t.joinRef, json.json(), changes)
                    : t.presence.onDiff(t.joinRef, json.json(), changes);
        } catch (IllegalArgumentException e) {
            String why = "presence not updated: " + e.getMessage();
            if (listener != null) {
                out.emit(new ClientEvent.MessageDropped(t.topic, event, why));
            }
            LOG.log(Level.WARNING, "slipstream client: " + event + " on \"" + t.topic + "\": " + why);
            return;
        }
        if (!synced) {
            return;
        }
        PresenceSinks.Sink sink = sinks.sink(t.topic);
        sink.publish(t.presence.snapshot());
        for (Map.Entry<String, Runnable> call : sink.callbacks(changes)) {
            out.callback(call.getKey(), call.getValue());
        }
    }

    /** A topic ends (left, closed, refused for good): its presence view shows nobody, as a new channel would. */
    void drop(TopicState t) {
        if (t.presence != null) {
            t.presence = null;
            PresenceSinks.Sink sink = sinks.existing(t.topic);
            if (sink != null) {
                sink.publish(List.of());
            }
        }
    }
}
