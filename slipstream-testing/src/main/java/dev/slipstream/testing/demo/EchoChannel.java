package dev.slipstream.testing.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.Reply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The {@code echo:*} demo channel of {@code real-phoenix-frames.md} section 1.3. */
final class EchoChannel implements ChannelHandler {
    private static final String TICKS = "ticks";

    private record Tick(long generation, int n, long everyMs, int count) {}

    @Override
    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
        if (topic.equals("echo:join_crash")) {
            throw new IllegalStateException("echo:join_crash always crashes its join");
        }
        JsonNode p = params instanceof Payload.Json j ? j.json() : JsonNodeFactory.instance.nullNode();
        if (topic.equals("echo:private") && !(p.isObject() && "secret".equals(p.path("password").textValue()))) {
            return JoinResult.error(JsonNodeFactory.instance.objectNode().put("reason", "unauthorized"));
        }
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        reply.put("joined", topic);
        reply.set("params", p);
        return JoinResult.ok(reply);
    }

    @Override
    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
        switch (event) {
            case "echo":
                return HandleResult.reply(Reply.ok(payload));
            case "error":
                return HandleResult.reply(Reply.error(payload));
            case "noreply":
                return HandleResult.noReply();
            case "broadcast":
                socket.broadcast("broadcast", payload);
                return HandleResult.ok();
            case "broadcast_from":
                socket.broadcastFrom("broadcast", payload);
                return HandleResult.ok();
            case "push_back":
                socket.push("pushed", payload);
                return HandleResult.ok();
            case "crash":
                throw new IllegalStateException("crash requested by the client");
            case "stop":
                return HandleResult.stop();
            case "stop_reply":
                return HandleResult.stop(Reply.ok(payload));
            case "slow":
                long ms = intField(payload, "ms", 1000);
                // The channel stays busy meanwhile, like Process.sleep/1 in a Phoenix channel.
                return HandleResult.later(CompletableFuture.supplyAsync(() -> HandleResult.reply(Reply.ok(payload)),
                        CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS)));
            case "binary":
                if (payload instanceof Payload.Binary) {
                    return HandleResult.reply(Reply.ok(payload));
                }
                ObjectNode refused = JsonNodeFactory.instance.objectNode();
                refused.set("got", ((Payload.Json) payload).json());
                refused.put("reason", "expected binary payload");
                return HandleResult.error(refused);
            case "binary_push":
                socket.push("binary_pushed", payload);
                return HandleResult.ok();
            case "binary_broadcast":
                socket.broadcast("binary_broadcast", payload);
                return HandleResult.ok();
            case "start_ticks":
                long every = intField(payload, "ms", 1000);
                int count = (int) intField(payload, "count", -1);
                long generation = nextGeneration(socket);
                socket.sendAfter(Duration.ofMillis(every), new Tick(generation, 1, every, count));
                return HandleResult.ok();
            case "stop_ticks":
                nextGeneration(socket);
                return HandleResult.ok();
            default:
                ObjectNode unknown = JsonNodeFactory.instance.objectNode();
                unknown.put("reason", "unknown event");
                unknown.put("event", event);
                unknown.set("payload", payload instanceof Payload.Json j ? j.json()
                        : JsonNodeFactory.instance.textNode(payload.toString()));
                return HandleResult.error(unknown);
        }
    }

    @Override
    public HandleResult handleInfo(Object message, ChannelSocket socket) {
        if (message instanceof Tick tick && tick.generation == (long) socket.assigns().getOrDefault(TICKS, 0L)) {
            socket.push("tick", JsonNodeFactory.instance.objectNode().put("n", tick.n));
            if (tick.count < 0 || tick.n < tick.count) {
                socket.sendAfter(Duration.ofMillis(tick.everyMs),
                        new Tick(tick.generation, tick.n + 1, tick.everyMs, tick.count));
            }
        }
        return HandleResult.noReply();
    }

    private static long nextGeneration(ChannelSocket socket) {
        long g = (long) socket.assigns().getOrDefault(TICKS, 0L) + 1;
        socket.assigns().put(TICKS, g);
        return g;
    }

    private static long intField(Payload payload, String field, long fallback) {
        if (payload instanceof Payload.Json j && j.json().path(field).canConvertToLong()) {
            return Math.max(0, j.json().path(field).asLong());
        }
        return fallback;
    }
}
