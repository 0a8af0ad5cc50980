package dev.slipstream.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.client.internal.PresenceSinks;
import dev.slipstream.client.internal.PresenceSync;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's {@link Presence} views, one per topic for the client's life (so a view kept by the caller stays live
 * across leaves and rejoins), and the seam through which the owner publishes to them.
 *
 * <pre>{@code
 * PresenceViews views = new PresenceViews(mapper);
 * Presence lobby = views.view("room:lobby");
 * }</pre>
 */
final class PresenceViews implements PresenceSinks {
    private final ObjectMapper mapper;
    private final Map<String, View> views = new ConcurrentHashMap<>();

    PresenceViews(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    Presence view(String topic) {
        return views.computeIfAbsent(topic, View::new).presence;
    }

    @Override
    public Sink sink(String topic) {
        return views.computeIfAbsent(topic, View::new);
    }

    @Override
    public Sink existing(String topic) {
        return views.get(topic);
    }

    private final class View implements Sink {
        final Presence presence;

        View(String topic) {
            this.presence = new Presence(topic, mapper);
        }

        @Override
        public void publish(List<Map.Entry<String, ObjectNode>> state) {
            List<Presence.Entry> entries = new ArrayList<>(state.size());
            state.forEach(e -> entries.add(presence.entry(e.getKey(), e.getValue())));
            presence.publish(entries);
        }

        @Override
        public List<Map.Entry<String, Runnable>> callbacks(List<PresenceSync.Change> changes) {
            List<Map.Entry<String, Runnable>> calls = new ArrayList<>();
            List<Presence.Entry> state = presence.published(); // this sync's, published just before
            for (PresenceSync.Change c : changes) {
                Presence.Entry current = presence.entry(c.key(), c.current());
                Presence.Entry delta = presence.entry(c.key(), c.delta());
                if (c.join()) {
                    presence.joinCallbacks.forEach(cb -> calls.add(
                            Map.entry("presence.onJoin",
                            presence.pinnedTo(state, () -> cb.onJoin(c.key(), current, delta)))));
                } else {
                    presence.leaveCallbacks.forEach(cb -> calls.add(
                            Map.entry("presence.onLeave",
                            presence.pinnedTo(state, () -> cb.onLeave(c.key(), current, delta)))));
                }
            }
            presence.syncCallbacks.forEach(cb ->
                    calls.add(Map.entry("presence.onSync", presence.pinnedTo(state, cb))));
            return calls;
        }
    }
}
