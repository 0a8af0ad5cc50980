package dev.slipstream.testing.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import java.util.concurrent.atomic.AtomicLong;

/** The {@code presence:*} demo channel of {@code real-phoenix-frames.md} section 1.4. */
final class PresenceChannel implements ChannelHandler {
    private static final String KEY = "presence_key";
    private static final String META = "presence_meta";
    private static final String AFTER_JOIN = "after_join";

    private final AtomicLong anonymous = new AtomicLong();

    @Override
    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
        Object userId = socket.assigns().get("user_id");
        String key;
        if (userId != null) {
            key = userId.toString();
        } else if (params instanceof Payload.Json j && j.json().path("user_id").isValueNode()
                && !j.json().path("user_id").isNull()) {
            key = j.json().path("user_id").asText();
        } else {
            key = "anon-" + anonymous.incrementAndGet();
        }
        socket.assigns().put(KEY, key);
        socket.send(AFTER_JOIN);
        return JoinResult.ok(JsonNodeFactory.instance.objectNode().put("joined", topic).put("key", key));
    }

    @Override
    public HandleResult handleInfo(Object message, ChannelSocket socket) {
        if (AFTER_JOIN.equals(message)) {
            ObjectNode meta = JsonNodeFactory.instance.objectNode().put("online_at", System.currentTimeMillis() / 1000);
            socket.assigns().put(META, meta);
            socket.track(key(socket), meta);
            socket.push("presence_state", socket.presenceList());
        }
        return HandleResult.noReply();
    }

    @Override
    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
        switch (event) {
            case "update_meta":
                ObjectNode meta = ((ObjectNode) socket.assigns().get(META)).deepCopy();
                JsonNode changes = payload instanceof Payload.Json j ? j.json() : null;
                if (changes == null || !changes.isObject()) {
                    return HandleResult.error(JsonNodeFactory.instance.objectNode().put("reason", "expected an object"));
                }
                meta.setAll((ObjectNode) changes);
                socket.assigns().put(META, meta);
                socket.updatePresence(key(socket), meta);
                return HandleResult.ok();
            case "list":
                return HandleResult.ok(socket.presenceList());
            default:
                ObjectNode unknown = JsonNodeFactory.instance.objectNode();
                unknown.put("reason", "unknown event");
                unknown.put("event", event);
                unknown.set("payload", payload instanceof Payload.Json j ? j.json()
                        : JsonNodeFactory.instance.textNode(payload.toString()));
                return HandleResult.error(unknown);
        }
    }

    private static String key(ChannelSocket socket) {
        return (String) socket.assigns().get(KEY);
    }
}
