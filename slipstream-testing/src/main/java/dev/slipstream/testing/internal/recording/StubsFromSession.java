package dev.slipstream.testing.internal.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Derives stub files (format {@code stubs/1}) from a recorded session's {@link Exchange}s, so that the stubs answer
 * the recorded client the way the backend did. It generalises only as the testing README documents ("Stubs from a
 * recording"):
 *
 * <ul>
 *   <li>one channel stub per topic joined, with its exact topic, in the order first joined;
 *   <li>a response value equal, in every exchange a rule covers, to a value of the request (the event's payload,
 *       the join's params, the connect params, the topic or the event) becomes that placeholder, e.g.
 *       {@code {{payload.body}}}; a number counting 1, 2, 3 over a rule's exchanges becomes {@code {{counter}}};
 *   <li>the exchanges of one event (or of a topic's joins) that got the same answer once those placeholders are put
 *       in become one rule for any payload; otherwise one rule per payload seen, matching each of its fields
 *       exactly; values that still differ between answers to the same request are kept from the first answer and
 *       listed in the channel's {@code volatile} paths;
 *   <li>a server message on the topic after a client's message becomes a {@code then} action of its rule, with the
 *       recorded delay when it is at least {@link #DELAY_THRESHOLD_MS} ms; the same message reaching several
 *       connections within {@link #BROADCAST_WINDOW_MS} ms is a {@code broadcast} of the latest client message on
 *       the topic; {@code presence_state}/{@code presence_diff} after a join become its {@code track};
 *   <li>connects: refused ones become {@code refuse} rules matching their params (redacted values excepted), then one
 *       rule accepting the rest; a rule without conditions carries the recorded request as its {@code example}, the
 *       request {@code slipstream verify} sends.
 * </ul>
 *
 * What the format cannot say (binary frames, a presence update caused by an event, different answers to identical
 * requests) is left out and listed in {@link Derived#notes()}. Not API.
 *
 * <pre>{@code
 * StubsFromSession.Derived d = StubsFromSession.derive(SessionAnalysis.analyse(lines));
 * d.files().forEach((name, json) -> write(folder.resolve(name), json));
 * }</pre>
 */
public final class StubsFromSession {
    /** Below this a recorded delay is the time the backend took, not a delay it chose. */
    public static final long DELAY_THRESHOLD_MS = 10;
    /** Copies of one server message reaching several connections within this window are one broadcast. */
    public static final long BROADCAST_WINDOW_MS = 100;
    private static final String REDACTED = "[redacted]";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The stub files by file name (in the order they are to be read) and what could not be described. */
    public record Derived(Map<String, ObjectNode> files, List<String> notes) {
    }

    /** One client message with what it got: the request context, the reply, the server messages after it. */
    private static final class Case {
        final Exchange exchange;
        final Map<String, JsonNode> context = new LinkedHashMap<>();
        final List<Exchange.After> after = new ArrayList<>();
        final Set<Integer> broadcasts = new LinkedHashSet<>();
        final JsonNode request;
        String status;
        JsonNode response;

        Case(Exchange exchange, JsonNode request) {
            this.exchange = exchange;
            this.request = request;
        }
    }

    private final List<String> notes = new ArrayList<>();

    private StubsFromSession() {
    }

    /** The stub files that describe {@code exchanges}. */
    public static Derived derive(List<Exchange> exchanges) {
        StubsFromSession d = new StubsFromSession();
        Map<String, ObjectNode> files = new LinkedHashMap<>();
        ObjectNode connect = d.connectFile(exchanges);
        if (connect != null) {
            files.put("00-connect.json", connect);
        }
        Map<String, List<Case>> byTopic = d.cases(exchanges);
        int n = 1;
        for (Map.Entry<String, List<Case>> topic : byTopic.entrySet()) {
            ObjectNode file = F.objectNode().put("slipstream", "stubs/1");
            file.putArray("channels").add(d.channel(topic.getKey(), topic.getValue()));
            files.put(String.format(Locale.ROOT, "%02d-%s.json", n++, fileName(topic.getKey())), file);
        }
        if (files.isEmpty()) {
            files.put("00-connect.json", F.objectNode().put("slipstream", "stubs/1"));
        }
        return new Derived(files, List.copyOf(d.notes));
    }

    // ============================================================================================ connects

    /**
     * The connect rules: a refusing rule per refused connect (matching its params, redacted values excepted), then
     * one accepting every other connect, with the first accepted connect's params as its {@code example} (so that
     * {@code verify} connects as the client did; redacted values it asks for).
     */
    private ObjectNode connectFile(List<Exchange> exchanges) {
        List<Exchange.Connect> refused = new ArrayList<>();
        Exchange.Connect accepted = null;
        for (Exchange e : exchanges) {
            if (e instanceof Exchange.Connect c) {
                if (c.status() != 101) {
                    refused.add(c);
                } else if (accepted == null) {
                    accepted = c;
                }
            }
        }
        if (refused.isEmpty() && accepted == null) {
            return null;
        }
        ArrayNode rules = F.arrayNode();
        Set<JsonNode> seen = new LinkedHashSet<>();
        for (Exchange.Connect c : refused) {
            ObjectNode params = F.objectNode();
            c.params().forEach((k, v) -> {
                if (!k.equals("vsn") && !REDACTED.equals(v)) {
                    params.put(k, v);
                }
            });
            if (params.isEmpty() && accepted != null) {
                notes.add("connect " + c.conn() + " was refused (" + c.status() + ") with params that differ from an"
                        + " accepted connect's only in redacted values: the stubs accept it");
                continue;
            }
            if (seen.add(params)) {
                ObjectNode rule = rules.addObject();
                if (!params.isEmpty()) {
                    rule.set("params", params);
                }
                rule.putObject("refuse").put("status", c.status());
                rule.set("example", withoutVsn(c.params()));
            }
        }
        if (accepted != null) {
            ObjectNode rule = rules.addObject();
            rule.putObject("accept");
            if (accepted.params().size() > (accepted.params().containsKey("vsn") ? 1 : 0)) {
                rule.set("example", withoutVsn(accepted.params()));
            }
        }
        return F.objectNode().put("slipstream", "stubs/1").set("connect", rules);
    }

    private static ObjectNode withoutVsn(Map<String, String> params) {
        ObjectNode out = F.objectNode();
        params.forEach((k, v) -> {
            if (!k.equals("vsn")) {
                out.put(k, v);
            }
        });
        return out;
    }

    // ============================================================================================ cases

    /** The joins and pushes by topic, with their context; server messages attributed as the class says. */
    private Map<String, List<Case>> cases(List<Exchange> exchanges) {
        Map<String, Map<String, String>> connectParams = new LinkedHashMap<>();
        Map<String, JsonNode> joinParams = new LinkedHashMap<>(); // conn + topic -> latest join's params
        Map<String, List<Case>> byTopic = new LinkedHashMap<>();
        for (Exchange e : exchanges) {
            if (e instanceof Exchange.Connect c) {
                connectParams.put(c.conn(), c.params());
                continue;
            }
            Case c;
            String topic;
            if (e instanceof Exchange.Join j) {
                topic = j.topic();
                if (j.status() == null) {
                    notes.add("join " + topic + " on " + j.conn() + " got no reply: a join rule always replies, left"
                            + " out");
                    continue;
                }
                joinParams.put(j.conn() + "\n" + topic, j.params());
                c = new Case(e, j.params());
                c.status = j.status();
                c.response = j.response();
                c.context.put("params", j.params());
                c.context.put("payload", j.params());
                c.context.put("event", F.textNode("phx_join"));
                c.after.addAll(j.after());
            } else {
                Exchange.Push p = (Exchange.Push) e;
                topic = p.topic();
                if (p.binary() || binary(p.response())) {
                    notes.add("push " + topic + " " + p.event() + " carries a binary payload or reply: stubs/1 has"
                            + " no binary rules, left out");
                    continue;
                }
                if (!joinParams.containsKey(p.conn() + "\n" + topic)) {
                    continue; // a push on a topic this connection never joined: not something a stub answers
                }
                c = new Case(e, p.payload());
                c.status = p.status();
                c.response = p.response();
                c.context.put("payload", p.payload());
                c.context.put("params", joinParams.get(p.conn() + "\n" + topic));
                c.context.put("event", F.textNode(p.event()));
                c.after.addAll(p.after());
            }
            ObjectNode connect = F.objectNode();
            connectParams.getOrDefault(e.conn(), Map.of()).forEach((k, v) -> {
                if (!REDACTED.equals(v)) {
                    connect.put(k, v);
                }
            });
            c.context.put("connect.params", connect);
            c.context.put("topic", F.textNode(topic));
            byTopic.computeIfAbsent(topic, k -> new ArrayList<>()).add(c);
        }
        for (List<Case> cases : byTopic.values()) {
            findBroadcasts(cases);
        }
        return byTopic;
    }

    /**
     * Copies of one message (same event and payload) that reached several connections at about the same time are
     * one broadcast: the latest client message on the topic before it caused it and keeps it, as a broadcast; the
     * other copies are dropped (replaying the broadcast delivers them).
     */
    private static void findBroadcasts(List<Case> cases) {
        record Copy(Case owner, int index, long at) {}
        List<Copy> copies = new ArrayList<>();
        for (Case c : cases) {
            for (int i = 0; i < c.after.size(); i++) {
                copies.add(new Copy(c, i, c.exchange.t() + c.after.get(i).delayMs()));
            }
        }
        Map<Case, Set<Integer>> dropped = new IdentityHashMap<>();
        for (int i = 0; i < copies.size(); i++) {
            Copy a = copies.get(i);
            if (dropped.getOrDefault(a.owner, Set.of()).contains(a.index)
                    || a.owner.after.get(a.index).event().startsWith("presence_")) {
                continue;
            }
            List<Copy> same = new ArrayList<>(List.of(a));
            for (int k = i + 1; k < copies.size(); k++) {
                Copy b = copies.get(k);
                Exchange.After x = a.owner.after.get(a.index);
                Exchange.After y = b.owner.after.get(b.index);
                if (!b.owner.exchange.conn().equals(a.owner.exchange.conn()) && x.event().equals(y.event())
                        && x.payload().equals(y.payload()) && Math.abs(a.at - b.at) <= BROADCAST_WINDOW_MS
                        && !dropped.getOrDefault(b.owner, Set.of()).contains(b.index)
                        && same.stream().noneMatch(s -> s.owner.exchange.conn().equals(b.owner.exchange.conn()))) {
                    same.add(b);
                }
            }
            if (same.size() < 2) {
                continue;
            }
            Copy cause = same.get(0);
            for (Copy s : same) {
                if (s.owner.exchange.t() > cause.owner.exchange.t()) {
                    cause = s;
                }
            }
            for (Copy s : same) {
                if (s != cause) {
                    dropped.computeIfAbsent(s.owner, k -> new LinkedHashSet<>()).add(s.index);
                }
            }
            cause.owner.broadcasts.add(cause.index);
        }
        dropped.forEach((c, indexes) -> {
            List<Exchange.After> kept = new ArrayList<>();
            Set<Integer> broadcasts = new LinkedHashSet<>();
            for (int i = 0; i < c.after.size(); i++) {
                if (!indexes.contains(i)) {
                    if (c.broadcasts.contains(i)) {
                        broadcasts.add(kept.size());
                    }
                    kept.add(c.after.get(i));
                }
            }
            c.after.clear();
            c.after.addAll(kept);
            c.broadcasts.clear();
            c.broadcasts.addAll(broadcasts);
        });
    }

    // ============================================================================================ channels

    private ObjectNode channel(String topic, List<Case> cases) {
        ObjectNode channel = F.objectNode().put("topic", topic);
        Set<String> volatilePaths = new LinkedHashSet<>();
        List<Case> joins = new ArrayList<>();
        Map<String, List<Case>> events = new LinkedHashMap<>();
        for (Case c : cases) {
            if (c.exchange instanceof Exchange.Join) {
                joins.add(c);
            } else {
                events.computeIfAbsent(((Exchange.Push) c.exchange).event(), k -> new ArrayList<>()).add(c);
            }
        }
        ArrayNode joinRules = F.arrayNode();
        for (ObjectNode rule : rules("join " + topic, joins, volatilePaths)) {
            joinRules.add(rule);
        }
        if (!joinRules.isEmpty()) {
            channel.set("join", joinRules);
        }
        ArrayNode eventRules = F.arrayNode();
        events.forEach((event, list) -> {
            for (ObjectNode rule : rules("push " + topic + " " + event, list, volatilePaths)) {
                ObjectNode withEvent = F.objectNode().put("event", event);
                withEvent.setAll(rule);
                eventRules.add(withEvent);
            }
        });
        if (!eventRules.isEmpty()) {
            channel.set("events", eventRules);
        }
        if (!volatilePaths.isEmpty()) {
            ArrayNode v = channel.putArray("volatile");
            volatilePaths.forEach(v::add);
        }
        return channel;
    }

    /** The rules for the cases of one event (or of a topic's joins): one for all if their answers agree. */
    private List<ObjectNode> rules(String what, List<Case> cases, Set<String> volatilePaths) {
        if (cases.isEmpty()) {
            return List.of();
        }
        boolean join = cases.get(0).exchange instanceof Exchange.Join;
        ObjectNode merged = rule(what, cases, null);
        if (merged != null) {
            JsonNode example = cases.get(0).request;
            if (example != null && !(example.isObject() && example.isEmpty())) {
                merged.set("example", example); // what verify sends: the rule has no conditions to build one from
            }
            return List.of(merged);
        }
        Map<JsonNode, List<Case>> byRequest = new LinkedHashMap<>();
        for (Case c : cases) {
            byRequest.computeIfAbsent(c.request, k -> new ArrayList<>()).add(c);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (Map.Entry<JsonNode, List<Case>> group : byRequest.entrySet()) {
            Set<String> differing = new LinkedHashSet<>();
            ObjectNode rule = rule(what, group.getValue(), differing);
            volatilePaths.addAll(differing);
            ObjectNode conditions = F.objectNode();
            if (group.getKey() != null && group.getKey().isObject()) {
                group.getKey().fields().forEachRemaining(f -> conditions.set(f.getKey(), f.getValue().isObject()
                        ? F.objectNode().set("equalTo", f.getValue()) : f.getValue()));
            } else if (byRequest.size() > 1) {
                notes.add(what + ": a " + (join ? "params" : "payload") + " that is not an object cannot be matched;"
                        + " the first rule answers it");
            }
            ObjectNode withConditions = F.objectNode();
            if (!conditions.isEmpty()) {
                withConditions.set(join ? "params" : "payload", conditions);
            }
            withConditions.setAll(rule);
            out.add(withConditions);
        }
        return out;
    }

    /**
     * One rule answering every case, or null when their answers differ beyond placeholders and {@code differing} is
     * null; with {@code differing}, the first answer's values are kept and the differing paths added to it.
     */
    private ObjectNode rule(String what, List<Case> cases, Set<String> differing) {
        Case first = cases.get(0);
        for (Case c : cases) {
            if (!same(c.status, first.status) || c.after.size() != first.after.size()) {
                if (differing == null) {
                    return null;
                }
                notes.add(what + ": the same request got different answers (" + first.status + " with "
                        + first.after.size() + " pushes, then " + c.status + " with " + c.after.size()
                        + "): the stubs give the first");
                cases = List.of(first);
                break;
            }
            for (int i = 0; i < c.after.size(); i++) {
                if (!c.after.get(i).event().equals(first.after.get(i).event())
                        || c.after.get(i).beforeReply() != first.after.get(i).beforeReply()
                        || c.broadcasts.contains(i) != first.broadcasts.contains(i)) {
                    if (differing == null) {
                        return null;
                    }
                    notes.add(what + ": the same request was followed by different pushes: the stubs give the"
                            + " first's");
                    cases = List.of(first);
                    break;
                }
            }
        }
        ObjectNode rule = F.objectNode();
        if (first.status == null) {
            rule.put("noreply", true);
        } else {
            List<JsonNode> responses = new ArrayList<>();
            cases.forEach(c -> responses.add(c.response));
            JsonNode response = template(responses, cases, differing, "$");
            if (response == null) {
                return null;
            }
            ObjectNode reply = rule.putObject("reply").put("status", first.status);
            if (!(response.isObject() && response.isEmpty())) {
                reply.set("response", response);
            }
        }
        ArrayNode then = F.arrayNode();
        for (int i = 0; i < first.after.size(); i++) {
            Exchange.After a = first.after.get(i);
            if (a.event().startsWith("presence_")) {
                continue;
            }
            List<JsonNode> payloads = new ArrayList<>();
            int index = i;
            cases.forEach(c -> payloads.add(c.after.get(index).payload()));
            JsonNode payload = template(payloads, cases, differing, "$");
            if (payload == null) {
                return null;
            }
            ObjectNode action = then.addObject().put(first.broadcasts.contains(i) ? "broadcast" : "push", a.event());
            action.set("payload", payload);
            if (a.beforeReply() && first.status != null && first.exchange instanceof Exchange.Push) {
                action.put("before_reply", true);
            } else if (a.delayMs() >= DELAY_THRESHOLD_MS) {
                action.put("delay_ms", a.delayMs());
            }
        }
        if (!then.isEmpty()) {
            rule.set("then", then);
        }
        if (first.exchange instanceof Exchange.Join) {
            ObjectNode track = track(what, cases);
            if (track != null) {
                rule.set("track", track);
            }
        }
        return rule;
    }

    /**
     * The presence a join tracked: the one key of its own {@code presence_diff} (or of {@code presence_state} when
     * that holds one key), with its newest meta less Phoenix's {@code phx_ref}s.
     */
    private ObjectNode track(String what, List<Case> cases) {
        List<JsonNode> keys = new ArrayList<>();
        List<JsonNode> metas = new ArrayList<>();
        for (Case c : cases) {
            String key = null;
            JsonNode state = null;
            for (Exchange.After a : c.after) {
                if (a.event().equals("presence_diff") && key == null && a.payload().path("joins").size() == 1) {
                    key = a.payload().path("joins").fieldNames().next();
                    state = a.payload().path("joins");
                } else if (a.event().equals("presence_state") && key == null && a.payload().size() == 1) {
                    key = a.payload().fieldNames().next();
                    state = a.payload();
                }
            }
            if (key == null) {
                if (c.after.stream().anyMatch(a -> a.event().startsWith("presence_"))) {
                    notes.add(what + ": presence messages followed the join, but which key it tracked is not clear:"
                            + " no track");
                }
                return null;
            }
            JsonNode all = state.path(key).path("metas");
            ObjectNode meta = all.isEmpty() ? F.objectNode() : ((ObjectNode) all.get(all.size() - 1)).deepCopy();
            meta.remove("phx_ref");
            meta.remove("phx_ref_prev");
            keys.add(F.textNode(key));
            metas.add(meta);
        }
        JsonNode key = template(keys, cases, new LinkedHashSet<>(), "$");
        JsonNode meta = template(metas, cases, new LinkedHashSet<>(), "$");
        ObjectNode track = F.objectNode();
        track.set("key", key);
        if (meta.isObject() && !meta.isEmpty()) {
            track.set("meta", meta);
        }
        return track;
    }

    // ============================================================================================ templates

    /**
     * The value of every case generalised: where all agree, the value; where each equals the same request value,
     * its placeholder; a number counting 1, 2, 3: {@code {{counter}}}; otherwise null, or (with {@code differing})
     * the first value, its path added there.
     */
    private static JsonNode template(List<JsonNode> values, List<Case> cases, Set<String> differing, String path) {
        JsonNode first = values.get(0);
        String placeholder = placeholder(values, cases);
        if (placeholder != null && (first.isValueNode() ? !first.isBoolean() && !first.isNull() : !first.isEmpty())) {
            return F.textNode("{{" + placeholder + "}}");
        }
        if (first.isObject() && values.stream().allMatch(v -> v.isObject() && names(v).equals(names(first)))) {
            ObjectNode out = F.objectNode();
            for (String name : names(first)) {
                List<JsonNode> children = new ArrayList<>();
                values.forEach(v -> children.add(v.get(name)));
                JsonNode t = template(children, cases, differing, path + "." + name);
                if (t == null) {
                    return null;
                }
                out.set(name, t);
            }
            return out;
        }
        if (first.isArray() && values.stream().allMatch(v -> v.isArray() && v.size() == first.size())) {
            ArrayNode out = F.arrayNode();
            for (int i = 0; i < first.size(); i++) {
                int index = i;
                List<JsonNode> children = new ArrayList<>();
                values.forEach(v -> children.add(v.get(index)));
                JsonNode t = template(children, cases, differing, path + "[" + i + "]");
                if (t == null) {
                    return null;
                }
                out.add(t);
            }
            return out;
        }
        if (values.stream().allMatch(first::equals)) {
            return first.deepCopy();
        }
        if (values.size() > 1 && counts(values)) {
            return F.textNode("{{counter}}");
        }
        if (differing == null) {
            return null;
        }
        differing.add(path);
        return first.deepCopy();
    }

    /** A request value that every case's value equals (a field of the same name first), or null. */
    private static String placeholder(List<JsonNode> values, List<Case> cases) {
        List<String> candidates = new ArrayList<>();
        cases.get(0).context.forEach((root, node) -> find(root, node, values.get(0), candidates));
        for (String candidate : candidates) {
            boolean all = true;
            for (int i = 1; i < cases.size() && all; i++) {
                all = values.get(i).equals(lookup(candidate, cases.get(i).context));
            }
            if (all) {
                return candidate; // the context's order says which root comes first
            }
        }
        return null;
    }

    private static void find(String path, JsonNode node, JsonNode value, List<String> out) {
        if (node == null || (node.isTextual() && node.asText().equals(REDACTED))) {
            return;
        }
        if (node.equals(value) && !(node.isTextual() && node.asText().isEmpty())) {
            out.add(path);
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().matches("[A-Za-z0-9_-]+")) {
                    find(path + "." + f.getKey(), f.getValue(), value, out);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                find(path + "." + i, node.get(i), value, out);
            }
        }
    }

    private static JsonNode lookup(String path, Map<String, JsonNode> context) {
        String root = path.startsWith("connect.params") ? "connect.params" : path.split("\\.")[0];
        JsonNode node = context.get(root);
        String rest = path.length() > root.length() ? path.substring(root.length() + 1) : "";
        for (String part : rest.isEmpty() ? new String[0] : rest.split("\\.")) {
            if (node == null) {
                return null;
            }
            node = node.isArray() && part.chars().allMatch(Character::isDigit) ? node.get(Integer.parseInt(part))
                    : node.get(part);
        }
        return node;
    }

    private static boolean counts(List<JsonNode> values) {
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).canConvertToLong() || !values.get(i).isIntegralNumber()
                    || values.get(i).asLong() != i + 1) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static boolean binary(JsonNode response) {
        return response != null && response.isObject() && response.size() == 1 && response.has("binary")
                && response.get("binary").isTextual();
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    /** A topic as a file name: {@code room:lobby} as {@code room_lobby}. */
    static String fileName(String topic) {
        String name = topic.replaceAll("[^A-Za-z0-9._-]+", "_");
        return name.length() > 60 ? name.substring(0, 60) : name;
    }
}
