package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.TerminateReason;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine: answers joins and events of every topic some stub covers, from the rules of the first channel stub
 * whose topic matches (at the time of the join). Rules are tried in order and the first match answers. What a rule
 * does after its reply (pushes, broadcasts, the presence track) is scheduled, so it reaches the client after the
 * reply, as a channel's {@code send(self(), ...)} does in Phoenix.
 */
final class StubChannel implements ChannelHandler {
    private final Stubs stubs;
    /** Per joined channel: its stub and the join's params. Removed at terminate. */
    private final Map<ChannelSocket, Joined> joined = new ConcurrentHashMap<>();

    private record Joined(Rules.Channel channel, JsonNode params) {}

    /** A scheduled action and what its templates read. */
    private record Pending(Rules.Action action, Map<String, JsonNode> context) {}

    /** The presence track after a join: the join's own diff first, then presence_state, as Phoenix sends them. */
    private record TrackAfterJoin(Rules.Track track, Map<String, JsonNode> context) {}

    StubChannel(Stubs stubs) {
        this.stubs = stubs;
    }

    @Override
    public JoinResult join(String topic, Payload params, ChannelSocket socket) {
        Rules.Channel channel = stubs.channelFor(topic);
        if (channel == null) { // removed at runtime between routing and now
            return JoinResult.error(Map.of("reason", "no stub matches the join"));
        }
        JsonNode json = json(params);
        if (channel.join().isEmpty()) {
            joined.put(socket, new Joined(channel, json));
            return JoinResult.ok();
        }
        for (Rules.JoinRule rule : channel.join()) {
            if (Rules.all(rule.params(), json)) {
                if (rule.crash()) {
                    throw new IllegalStateException("the stub's join rule for " + topic + " crashes (\"crash\": true)");
                }
                Map<String, JsonNode> context = context(socket, topic, "phx_join", json, json, rule.counter().incrementAndGet());
                JsonNode response = rule.reply().response().render(context);
                if (rule.reply().status().equals("error")) {
                    return JoinResult.error(response);
                }
                joined.put(socket, new Joined(channel, json));
                if (rule.track() != null) {
                    socket.send(new TrackAfterJoin(rule.track(), context));
                }
                schedule(rule.then(), context, socket);
                return JoinResult.ok(response);
            }
        }
        return JoinResult.error(Map.of("reason", "no stub matches the join"));
    }

    @Override
    public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
        Joined j = joined.get(socket);
        JsonNode json = json(payload);
        if (j != null) {
            for (Rules.EventRule rule : j.channel().events()) {
                if (rule.answers(event) && Rules.all(rule.payload(), json)) {
                    if (rule.crash()) {
                        throw new IllegalStateException("the stub's rule for " + event + " on " + socket.topic()
                                + " crashes (\"crash\": true)");
                    }
                    Map<String, JsonNode> context = context(socket, socket.topic(), event, json, j.params(),
                            rule.counter().incrementAndGet());
                    schedule(rule.then(), context, socket);
                    return answer(rule, context);
                }
            }
        }
        if (stubs.unmatchedIsNoReply()) {
            return HandleResult.noReply();
        }
        ObjectNode reason = JsonNodeFactory.instance.objectNode();
        reason.put("reason", "no stub matches");
        reason.put("event", event);
        return HandleResult.error(reason);
    }

    /** The rule's reply (or none), then the stop it asks for, after its delay if it has one. */
    private static HandleResult answer(Rules.EventRule rule, Map<String, JsonNode> context) {
        Reply reply = rule.reply() == null ? null
                : Reply.of(rule.reply().status(), rule.reply().response().render(context));
        HandleResult result = rule.stop() ? (reply == null ? HandleResult.stop() : HandleResult.stop(reply))
                : reply == null ? HandleResult.noReply() : HandleResult.reply(reply);
        if (rule.reply() == null || rule.reply().delay().isZero()) {
            return result;
        }
        // The channel stays busy meanwhile, as a Phoenix handler that sleeps before it replies.
        return HandleResult.later(CompletableFuture.supplyAsync(() -> result, CompletableFuture.delayedExecutor(
                rule.reply().delay().toMillis(), TimeUnit.MILLISECONDS)));
    }

    @Override
    public HandleResult handleInfo(Object message, ChannelSocket socket) {
        if (message instanceof Pending p) {
            send(p.action(), p.context(), socket);
        } else if (message instanceof TrackAfterJoin t) {
            JsonNode key = t.track().key().render(t.context());
            socket.track(key.isTextual() ? key.asText() : key.toString(), t.track().meta().render(t.context()));
            socket.push("presence_state", socket.presenceList());
        }
        return HandleResult.noReply();
    }

    @Override
    public void terminate(TerminateReason reason, ChannelSocket socket) {
        joined.remove(socket);
    }

    private static void schedule(List<Rules.Action> actions, Map<String, JsonNode> context, ChannelSocket socket) {
        for (Rules.Action a : actions) {
            if (a.beforeReply()) {
                // Sent now, inside the handler, so it precedes the reply: a push in Phoenix's handle_in.
                send(a, context, socket);
                continue;
            }
            // Without a delay, straight into the channel's mailbox (Phoenix's send(self(), m)): a timer would let two
            // rules' actions race each other and reach clients out of order under load.
            if (a.delay().isZero()) {
                socket.send(new Pending(a, context));
            } else {
                socket.sendAfter(a.delay(), new Pending(a, context));
            }
        }
    }

    private static void send(Rules.Action action, Map<String, JsonNode> context, ChannelSocket socket) {
        JsonNode payload = action.payload().render(context);
        switch (action.audience()) {
            case PUSH -> socket.push(action.event(), payload);
            case BROADCAST -> socket.broadcast(action.event(), payload);
            case BROADCAST_FROM -> socket.broadcastFrom(action.event(), payload);
        }
    }

    private static Map<String, JsonNode> context(ChannelSocket socket, String topic, String event, JsonNode payload,
            JsonNode params, long counter) {
        Map<String, JsonNode> context = new HashMap<>();
        context.put("payload", payload);
        context.put("params", params);
        ObjectNode connect = JsonNodeFactory.instance.objectNode();
        socket.connection().request().params().forEach(connect::put);
        context.put("connect.params", connect);
        context.put("topic", JsonNodeFactory.instance.textNode(topic));
        context.put("event", JsonNodeFactory.instance.textNode(event));
        context.put("counter", JsonNodeFactory.instance.numberNode(counter));
        return context;
    }

    private static JsonNode json(Payload payload) {
        return payload instanceof Payload.Json j ? j.json() : JsonNodeFactory.instance.nullNode();
    }
}
