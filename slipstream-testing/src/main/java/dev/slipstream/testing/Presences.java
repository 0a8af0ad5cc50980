package dev.slipstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.internal.PhxRefs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The server's presence tracker (one node): entries per topic, and the {@code presence_diff} broadcasts with
 * exactly Phoenix.Presence's shapes. One lock guards the entries; diffs are broadcast after it is released.
 */
final class Presences {
    private record Entry(String key, ObjectNode meta, Chan owner) {}

    private final FakePhoenixServer server;
    private final PhxRefs refs = new PhxRefs();
    private final Map<String, List<Entry>> byTopic = new HashMap<>();

    Presences(FakePhoenixServer server) {
        this.server = server;
    }

    void track(Chan chan, String key, Payload meta) {
        ObjectNode m = withRef(meta, refs.next());
        synchronized (this) {
            byTopic.computeIfAbsent(chan.topic, t -> new ArrayList<>()).add(new Entry(key, m, chan));
        }
        broadcastDiff(chan.topic, group(List.of(new Entry(key, m, chan))), JsonNodeFactory.instance.objectNode());
    }

    void update(Chan chan, String key, Payload meta) {
        Entry old = null;
        Entry updated = null;
        synchronized (this) {
            List<Entry> entries = byTopic.getOrDefault(chan.topic, List.of());
            for (int i = 0; i < entries.size() && old == null; i++) {
                Entry e = entries.get(i);
                if (e.owner == chan && e.key.equals(key)) {
                    old = e;
                    ObjectNode fresh = withRef(meta, refs.next());
                    fresh.put("phx_ref_prev", e.meta.get("phx_ref").asText());
                    updated = new Entry(key, fresh, chan);
                    entries.set(i, updated);
                }
            }
        }
        if (old == null) {
            throw new IllegalStateException("no presence \"" + key + "\" tracked by this channel on " + chan.topic
                    + " (Phoenix returns {:error, :nopresence})");
        }
        broadcastDiff(chan.topic, group(List.of(updated)), group(List.of(old)));
    }

    void untrack(Chan chan, String key) {
        remove(chan, key);
    }

    void untrackAll(Chan chan) {
        remove(chan, null);
    }

    private void remove(Chan chan, String key) {
        List<Entry> left = new ArrayList<>();
        synchronized (this) {
            List<Entry> entries = byTopic.get(chan.topic);
            if (entries == null) {
                return;
            }
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.owner == chan && (key == null || e.key.equals(key))) {
                    left.add(e);
                    it.remove();
                }
            }
            if (entries.isEmpty()) {
                byTopic.remove(chan.topic);
            }
        }
        if (!left.isEmpty()) {
            broadcastDiff(chan.topic, JsonNodeFactory.instance.objectNode(), group(left));
        }
    }

    /** {@code Presence.list/1}: {@code {key: {"metas": [meta, ...]}}}. */
    JsonNode list(String topic) {
        synchronized (this) {
            return group(byTopic.getOrDefault(topic, List.of()));
        }
    }

    private static ObjectNode group(List<Entry> entries) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Entry e : entries) {
            ObjectNode forKey = (ObjectNode) out.get(e.key);
            if (forKey == null) {
                forKey = out.putObject(e.key);
                forKey.putArray("metas");
            }
            ((ArrayNode) forKey.get("metas")).add(e.meta.deepCopy());
        }
        return out;
    }

    private static ObjectNode withRef(Payload meta, String ref) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("phx_ref", ref);
        meta.asJson().json().properties().forEach(f -> {
            if (!f.getKey().equals("phx_ref") && !f.getKey().equals("phx_ref_prev")) {
                m.set(f.getKey(), f.getValue());
            }
        });
        return m;
    }

    private void broadcastDiff(String topic, ObjectNode joins, ObjectNode leaves) {
        ObjectNode diff = JsonNodeFactory.instance.objectNode();
        diff.set("joins", joins);
        diff.set("leaves", leaves);
        server.broadcast(topic, "presence_diff", Payload.json(diff), null);
    }
}
