package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.testing.internal.recording.Exchange;
import dev.slipstream.testing.internal.recording.StubExpectations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns stub rules into what the drift check performs: for each rule a request it matches (its {@code example}, or
 * one built from its {@code equalTo} and {@code absent} conditions) and the answer the stubs give to it (templates filled as the engine
 * fills them). One connection joins every channel stub with its first ok join rule and pushes each event rule's
 * request; every other join rule and every refusing connect rule gets a connection of its own. A rule no request can
 * be built for (a {@code matches} or {@code contains} condition, a topic pattern, a rule an earlier one shadows) is
 * listed as not checked, with the reason.
 */
final class ExpectedExchanges {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final List<Exchange> exchanges = new ArrayList<>();
    private final Map<Exchange, List<String>> volatiles = new IdentityHashMap<>();
    private final List<String> notChecked = new ArrayList<>();
    private final Map<Object, Long> counters = new HashMap<>();
    private int connections;

    private ExpectedExchanges() {
    }

    static StubExpectations.Expected of(Stubs stubs) {
        ExpectedExchanges x = new ExpectedExchanges();
        Map<String, String> connect = x.connects(stubs.connectRules());
        if (connect != null) {
            String main = x.connection(connect, 101);
            for (Rules.Channel channel : stubs.channelRules()) {
                x.channel(channel, main, connect);
            }
        }
        return new StubExpectations.Expected(List.copyOf(x.exchanges), x.volatiles, List.copyOf(x.notChecked));
    }

    /** The refusing rules' connections; the params of the first accepting rule (null when none can be built). */
    private Map<String, String> connects(List<Rules.ConnectRule> rules) {
        if (rules.isEmpty()) {
            return Map.of();
        }
        Map<String, String> accept = null;
        for (int i = 0; i < rules.size(); i++) {
            Rules.ConnectRule rule = rules.get(i);
            String what = "connect rule " + (rule.id() != null ? rule.id() : "#" + (i + 1));
            JsonNode params = rule.example() != null ? rule.example() : request(rule.params(), what, F.objectNode());
            if (params == null) {
                continue;
            }
            if (firstMatch(rules, params) != rule) {
                notChecked.add(what + ": an earlier rule answers every request it matches");
                continue;
            }
            Map<String, String> asText = new LinkedHashMap<>();
            params.fields().forEachRemaining(f -> asText.put(f.getKey(), f.getValue().isTextual()
                    ? f.getValue().asText() : f.getValue().toString()));
            if (!rule.headers().isEmpty()) {
                notChecked.add(what + ": its headers are not sent (give them with --header)");
            }
            if (rule.accept()) {
                if (accept == null) {
                    accept = asText;
                }
            } else {
                connection(asText, rule.status());
            }
        }
        if (accept == null) {
            notChecked.add("channels: no connect rule accepting a request that can be built, so no channel is"
                    + " joined");
        }
        return accept;
    }

    private static Rules.ConnectRule firstMatch(List<Rules.ConnectRule> rules, JsonNode params) {
        for (Rules.ConnectRule r : rules) {
            if (Rules.all(r.params(), params)) {
                return r;
            }
        }
        return null;
    }

    private String connection(Map<String, String> params, int status) {
        String conn = "c" + (++connections);
        exchanges.add(new Exchange.Connect(conn, 0, params, status));
        return conn;
    }

    private void channel(Rules.Channel channel, String main, Map<String, String> connectParams) {
        String topic = channel.topic();
        if (topic.endsWith("*")) {
            notChecked.add("channel " + topic + ": a topic pattern; no topic to join (give a stub with an exact"
                    + " topic to check it)");
            return;
        }
        ObjectNode connect = F.objectNode();
        connectParams.forEach(connect::put);
        List<Rules.JoinRule> joins = channel.join();
        JsonNode mainParams = null;
        if (joins.isEmpty()) {
            mainParams = F.objectNode();
            add(channel, new Exchange.Join(main, 0, topic, mainParams, "ok", F.objectNode(), List.of()));
        }
        for (int i = 0; i < joins.size(); i++) {
            Rules.JoinRule rule = joins.get(i);
            String what = "channel " + topic + " join rule #" + (i + 1);
            JsonNode params = rule.example() != null ? rule.example() : request(rule.params(), what, F.objectNode());
            if (params == null || redacted(params, what)) {
                continue;
            }
            Rules.JoinRule first = null;
            for (Rules.JoinRule r : joins) {
                if (Rules.all(r.params(), params)) {
                    first = r;
                    break;
                }
            }
            if (first != rule) {
                notChecked.add(what + ": an earlier rule answers every request it matches");
                continue;
            }
            Map<String, JsonNode> context = context(topic, "phx_join", params, params, connect, rule);
            JsonNode response = rule.crash() ? F.objectNode().put("reason", "join crashed")
                    : rule.reply().response().render(context);
            String status = rule.crash() ? "error" : rule.reply().status();
            boolean ok = status.equals("ok");
            String conn = ok && mainParams == null ? main : connection(connectParams, 101);
            if (rule.track() != null) {
                notChecked.add(what + ": its presence track (presence_state and presence_diff depend on who else"
                        + " is there)");
            }
            add(channel, new Exchange.Join(conn, 0, topic, params, status, response, after(rule.then(), context)));
            if (ok && mainParams == null) {
                mainParams = params;
            }
        }
        if (mainParams == null) {
            if (!channel.events().isEmpty()) {
                notChecked.add("channel " + topic + ": its events (no ok join rule to join with)");
            }
            return;
        }
        for (int i = 0; i < channel.events().size(); i++) {
            Rules.EventRule rule = channel.events().get(i);
            String what = "channel " + topic + " event rule " + (rule.id() != null ? rule.id() : "#" + (i + 1))
                    + " (" + rule.event() + ")";
            if (rule.event().equals(Rules.ANY_EVENT)) {
                notChecked.add(what + ": it answers any event; no one event to send");
                continue;
            }
            if (rule.crash() || rule.stop()) {
                notChecked.add(what + ": it " + (rule.crash() ? "crashes" : "stops") + " the channel the other"
                        + " rules are checked on");
                continue;
            }
            JsonNode payload = rule.example() != null ? rule.example() : request(rule.payload(), what, F.objectNode());
            if (payload == null || redacted(payload, what)) {
                continue;
            }
            Rules.EventRule first = null;
            for (Rules.EventRule r : channel.events()) {
                if (r.answers(rule.event()) && Rules.all(r.payload(), payload)) {
                    first = r;
                    break;
                }
            }
            if (first != rule) {
                notChecked.add(what + ": an earlier rule answers every request it matches");
                continue;
            }
            Map<String, JsonNode> context = context(topic, rule.event(), payload, mainParams, connect, rule);
            String status = rule.reply() == null ? null : rule.reply().status();
            JsonNode response = rule.reply() == null ? null : rule.reply().response().render(context);
            add(channel, new Exchange.Push(main, 0, topic, rule.event(), payload, false, status, response,
                    after(rule.then(), context)));
        }
    }

    private void add(Rules.Channel channel, Exchange e) {
        exchanges.add(e);
        volatiles.put(e, channel.volatilePaths());
    }

    private static List<Exchange.After> after(List<Rules.Action> then, Map<String, JsonNode> context) {
        List<Exchange.After> out = new ArrayList<>();
        for (Rules.Action a : then) {
            if (a.audience() == Rules.Audience.BROADCAST_FROM) {
                continue; // reaches every client but the one that sent: not this one
            }
            out.add(new Exchange.After(a.event(), a.payload().render(context), a.delay().toMillis(), a.beforeReply()));
        }
        return out;
    }

    /** The context the engine would fill the rule's templates from, its counter at its next use. */
    private Map<String, JsonNode> context(String topic, String event, JsonNode payload, JsonNode params,
            ObjectNode connect, Object rule) {
        long counter = counters.merge(rule, 1L, Long::sum);
        Map<String, JsonNode> context = new HashMap<>();
        context.put("payload", payload);
        context.put("params", params);
        context.put("connect.params", connect);
        context.put("topic", F.textNode(topic));
        context.put("event", F.textNode(event));
        context.put("counter", F.numberNode(counter));
        return context;
    }

    /**
     * Whether the request holds a value a recording redacted (a password in join params, say): sending the placeholder
     * would only find drift that is not there, so the rule is listed as not checked instead.
     */
    private boolean redacted(JsonNode request, String what) {
        if (!request.toString().contains("\"[redacted]\"")) {
            return false;
        }
        notChecked.add(what + ": its request holds a value the recording redacted; give the rule an \"example\""
                + " that verify may send");
        return true;
    }

    /** A request every condition passes, or null (noted) when some condition names no one value. */
    private JsonNode request(List<Rules.Condition> conditions, String what, ObjectNode root) {
        for (Rules.Condition c : conditions) {
            JsonNode example = c.matcher().example();
            if (example == null) {
                notChecked.add(what + ": the condition on \"" + c.path() + "\" names no one value (only equalTo and"
                        + " absent do; give the rule an \"example\")");
                return null;
            }
            if (example.isMissingNode()) {
                continue;
            }
            String[] parts = c.path().split("\\.");
            ObjectNode at = root;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode next = at.get(parts[i]);
                if (!(next instanceof ObjectNode)) {
                    next = at.putObject(parts[i]);
                }
                at = (ObjectNode) next;
            }
            at.set(parts[parts.length - 1], example);
        }
        return root;
    }
}
