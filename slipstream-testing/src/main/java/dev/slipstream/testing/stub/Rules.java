package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The rules of one stub file as read by {@link #read}: the model the engine answers from. */
final class Rules {
    static final String FORMAT = "stubs/1";
    static final List<String> FILE_FIELDS = List.of("slipstream", "unmatched", "connect", "channels");
    static final List<String> CONNECT_FIELDS = List.of("id", "params", "headers", "accept", "refuse", "example");
    static final List<String> ACCEPT_FIELDS = List.of("assigns", "socket_id");
    static final List<String> REFUSE_FIELDS = List.of("status");
    static final List<String> CHANNEL_FIELDS = List.of("id", "topic", "join", "events", "volatile");
    static final List<String> JOIN_FIELDS = List.of("params", "reply", "then", "track", "crash", "example");
    static final List<String> EVENT_FIELDS = List.of("id", "event", "payload", "reply", "noreply", "then", "crash", "stop",
            "example");
    static final List<String> REPLY_FIELDS = List.of("status", "response", "delay_ms");
    static final List<String> ACTION_FIELDS = List.of("push", "broadcast", "broadcast_from", "payload", "delay_ms",
            "before_reply");
    /** The event of a rule that answers every event its payload matchers let through. */
    static final String ANY_EVENT = "*";
    static final List<String> TRACK_FIELDS = List.of("key", "meta");

    /** A field path and its condition. */
    record Condition(String path, Matcher matcher) {
        boolean test(JsonNode root) {
            return matcher.test(root == null ? null : Paths.at(root, path));
        }
    }

    /** A reply; {@code delay} keeps the channel busy that long first, as a Phoenix handler that sleeps. */
    record Reply(String status, Template response, Duration delay) {}

    /** Who gets an action's message: this client, every client on the topic, or every other one. */
    enum Audience { PUSH, BROADCAST, BROADCAST_FROM }

    /** A push or broadcast after a rule's reply, or before it ({@code before_reply}: event rules only, no delay). */
    record Action(Audience audience, String event, Template payload, Duration delay, boolean beforeReply) {}

    record Track(Template key, Template meta) {}

    /** {@code example} (here and below): a request the rule matches, for the drift check; null when none given. */
    record ConnectRule(String id, List<Condition> params, List<Condition> headers, boolean accept,
            Template assigns, Template socketId, int status, JsonNode example) {}

    /** {@code crash}: the join raises, so the client gets Phoenix's error {@code {"reason":"join crashed"}}. */
    record JoinRule(List<Condition> params, Reply reply, List<Action> then, Track track, boolean crash,
            AtomicLong counter, JsonNode example) {}

    /**
     * {@code crash}: the handler raises (the client gets {@code phx_error}); {@code stop}: the channel stops after
     * its reply, if any ({@code phx_close}); {@code event} {@value #ANY_EVENT} matches any event.
     */
    record EventRule(String id, String event, List<Condition> payload, Reply reply, List<Action> then,
            boolean crash, boolean stop, AtomicLong counter, JsonNode example) {
        boolean answers(String e) {
            return event.equals(ANY_EVENT) || event.equals(e);
        }
    }

    record Channel(String id, String topic, List<JoinRule> join, List<EventRule> events, List<String> volatilePaths,
            JsonNode source) {
        boolean matches(String t) {
            return topic.endsWith("*") ? t.startsWith(topic.substring(0, topic.length() - 1)) : t.equals(topic);
        }
    }

    /** What one file holds. */
    record File(String unmatched, List<ConnectRule> connect, List<Channel> channels) {}

    private Rules() {}

    static File read(JsonNode root, String source) {
        Where where = new Where(source, "$");
        where.onlyFields(root, FILE_FIELDS);
        String format = where.field("slipstream").text(root.get("slipstream"), true);
        if (!FORMAT.equals(format)) {
            throw where.field("slipstream").error("unsupported format \"" + format + "\" (this version reads \""
                    + FORMAT + "\")");
        }
        String unmatched = where.field("unmatched").text(root.get("unmatched"), false);
        if (unmatched != null && !unmatched.equals("error") && !unmatched.equals("noreply")) {
            throw where.field("unmatched").error("expected \"error\" or \"noreply\", got \"" + unmatched + "\"");
        }
        List<ConnectRule> connect = new ArrayList<>();
        List<JsonNode> connects = where.field("connect").array(root.get("connect"));
        for (int i = 0; i < connects.size(); i++) {
            connect.add(connectRule(connects.get(i), where.field("connect").index(i)));
        }
        List<Channel> channels = new ArrayList<>();
        List<JsonNode> chans = where.field("channels").array(root.get("channels"));
        for (int i = 0; i < chans.size(); i++) {
            channels.add(channel(chans.get(i), where.field("channels").index(i)));
        }
        return new File(unmatched, connect, channels);
    }

    static Channel channel(JsonNode node, Where where) {
        where.onlyFields(node, CHANNEL_FIELDS);
        String id = where.field("id").text(node.get("id"), false);
        String topic = where.field("topic").text(node.get("topic"), true);
        int star = topic.indexOf('*');
        if (topic.isEmpty() || (star >= 0 && star != topic.length() - 1)) {
            throw where.field("topic").error("a topic pattern is a topic or a prefix ending in *, got \"" + topic + "\"");
        }
        List<JoinRule> join = new ArrayList<>();
        List<JsonNode> joins = where.field("join").array(node.get("join"));
        for (int i = 0; i < joins.size(); i++) {
            join.add(joinRule(joins.get(i), where.field("join").index(i)));
        }
        List<EventRule> events = new ArrayList<>();
        List<JsonNode> evs = where.field("events").array(node.get("events"));
        for (int i = 0; i < evs.size(); i++) {
            events.add(eventRule(evs.get(i), where.field("events").index(i)));
        }
        List<String> volatilePaths = new ArrayList<>();
        List<JsonNode> vols = where.field("volatile").array(node.get("volatile"));
        for (int i = 0; i < vols.size(); i++) {
            String p = where.field("volatile").index(i).text(vols.get(i), true);
            if (!p.startsWith("$")) {
                throw where.field("volatile").index(i).error("a volatile path starts with $, got \"" + p + "\"");
            }
            volatilePaths.add(p);
        }
        return new Channel(id, topic, join, events, volatilePaths, node.deepCopy());
    }

    private static ConnectRule connectRule(JsonNode node, Where where) {
        where.onlyFields(node, CONNECT_FIELDS);
        boolean hasAccept = node.has("accept");
        boolean hasRefuse = node.has("refuse");
        if (hasAccept == hasRefuse) {
            throw where.error("a connect rule has exactly one of \"accept\" and \"refuse\"");
        }
        Template assigns = null;
        Template socketId = null;
        int status = 403;
        if (hasAccept) {
            JsonNode a = node.get("accept");
            where.field("accept").onlyFields(a, ACCEPT_FIELDS);
            if (a.has("assigns") && !a.get("assigns").isObject()) {
                throw where.field("accept").field("assigns").error("expected an object");
            }
            assigns = Template.parse(a.get("assigns"), where.field("accept").field("assigns"));
            if (a.has("socket_id")) {
                where.field("accept").field("socket_id").text(a.get("socket_id"), true);
                socketId = Template.parse(a.get("socket_id"), where.field("accept").field("socket_id"));
            }
        } else {
            JsonNode r = node.get("refuse");
            where.field("refuse").onlyFields(r, REFUSE_FIELDS);
            if (r.has("status")) {
                if (!r.get("status").canConvertToInt() || r.get("status").asInt() < 400 || r.get("status").asInt() > 599) {
                    throw where.field("refuse").field("status").error("an HTTP error status 400..599");
                }
                status = r.get("status").asInt();
            }
        }
        List<Condition> params = conditions(node.get("params"), where.field("params"));
        return new ConnectRule(where.field("id").text(node.get("id"), false), params,
                conditions(node.get("headers"), where.field("headers")), hasAccept, assigns, socketId, status,
                example(node.get("example"), params, true, where.field("example")));
    }

    private static JoinRule joinRule(JsonNode node, Where where) {
        where.onlyFields(node, JOIN_FIELDS);
        Track track = null;
        if (node.has("track")) {
            JsonNode t = node.get("track");
            where.field("track").onlyFields(t, TRACK_FIELDS);
            where.field("track").field("key").text(t.get("key"), true);
            if (t.has("meta") && !t.get("meta").isObject()) {
                throw where.field("track").field("meta").error("expected an object");
            }
            track = new Track(Template.parse(t.get("key"), where.field("track").field("key")),
                    Template.parse(t.get("meta"), where.field("track").field("meta")));
        }
        List<Condition> params = conditions(node.get("params"), where.field("params"));
        boolean crash = flag(node, "crash", where);
        if (crash && (node.has("reply") || node.has("then") || node.has("track"))) {
            throw where.error("a crashing join has no \"reply\", \"then\" or \"track\"");
        }
        Reply reply = reply(node.get("reply"), where.field("reply"));
        if (reply.delay() != null && !reply.delay().isZero()) {
            throw where.field("reply").field("delay_ms").error("a join reply cannot be delayed (event replies can)");
        }
        return new JoinRule(params, reply, actions(node.get("then"), where.field("then"), false), track, crash,
                new AtomicLong(), example(node.get("example"), params, true, where.field("example")));
    }

    private static EventRule eventRule(JsonNode node, Where where) {
        where.onlyFields(node, EVENT_FIELDS);
        String event = where.field("event").text(node.get("event"), true);
        boolean noreply = false;
        if (node.has("noreply")) {
            if (!node.get("noreply").isBoolean()) {
                throw where.field("noreply").error("expected true or false");
            }
            noreply = node.get("noreply").asBoolean();
        }
        if (noreply && node.has("reply")) {
            throw where.error("a rule has \"reply\" or \"noreply\": true, not both");
        }
        Reply reply = noreply ? null : reply(node.get("reply"), where.field("reply"));
        List<Condition> payload = conditions(node.get("payload"), where.field("payload"));
        boolean crash = flag(node, "crash", where);
        boolean stop = flag(node, "stop", where);
        if (crash && (stop || node.has("reply") || node.has("noreply") || node.has("then"))) {
            throw where.error("a crashing rule has no \"reply\", \"noreply\", \"then\" or \"stop\" (the channel"
                    + " crashes instead of answering)");
        }
        if (stop && node.has("then")) {
            throw where.error("a stopping rule has no \"then\" (the channel is gone after its reply)");
        }
        return new EventRule(where.field("id").text(node.get("id"), false), event, payload, crash ? null : reply,
                actions(node.get("then"), where.field("then"), !noreply), crash, stop, new AtomicLong(),
                example(node.get("example"), payload, false, where.field("example")));
    }

    private static boolean flag(JsonNode node, String name, Where where) {
        if (!node.has(name)) {
            return false;
        }
        if (!node.get(name).isBoolean()) {
            throw where.field(name).error("expected true or false");
        }
        return node.get(name).asBoolean();
    }

    /** A rule's example request: it must pass the rule's own conditions, so the drift check exercises that rule. */
    private static JsonNode example(JsonNode node, List<Condition> conditions, boolean object, Where where) {
        if (node == null) {
            return null;
        }
        if (object && !node.isObject()) {
            throw where.error("expected an object, got " + Where.kind(node));
        }
        for (Condition c : conditions) {
            if (!c.test(node)) {
                throw where.error("the example does not match this rule's condition on \"" + c.path() + "\"");
            }
        }
        return node.deepCopy();
    }

    /** A reply; absent means {@code {"status": "ok", "response": {}}}. */
    private static Reply reply(JsonNode node, Where where) {
        if (node == null) {
            return new Reply("ok", Template.parse(null, where), Duration.ZERO);
        }
        where.onlyFields(node, REPLY_FIELDS);
        String status = where.field("status").text(node.get("status"), false);
        if (status == null) {
            status = "ok";
        }
        if (!status.equals("ok") && !status.equals("error")) {
            throw where.field("status").error("expected \"ok\" or \"error\", got \"" + status + "\"");
        }
        return new Reply(status, Template.parse(node.get("response"), where.field("response")),
                Duration.ofMillis(millis(node, where)));
    }

    /** The {@code then} actions; {@code beforeReplyAllowed} for event rules that reply (Phoenix's join cannot push). */
    private static List<Action> actions(JsonNode node, Where where, boolean beforeReplyAllowed) {
        List<Action> out = new ArrayList<>();
        List<JsonNode> items = where.array(node);
        for (int i = 0; i < items.size(); i++) {
            JsonNode a = items.get(i);
            Where at = where.index(i);
            at.onlyFields(a, ACTION_FIELDS);
            int kinds = (a.has("push") ? 1 : 0) + (a.has("broadcast") ? 1 : 0) + (a.has("broadcast_from") ? 1 : 0);
            if (kinds != 1) {
                throw at.error("an action has exactly one of \"push\", \"broadcast\" and \"broadcast_from\"");
            }
            Audience audience = a.has("push") ? Audience.PUSH : a.has("broadcast") ? Audience.BROADCAST
                    : Audience.BROADCAST_FROM;
            String kind = audience.name().toLowerCase(java.util.Locale.ROOT);
            String event = at.field(kind).text(a.get(kind), true);
            long delay = millis(a, at);
            boolean beforeReply = false;
            if (a.has("before_reply")) {
                if (!a.get("before_reply").isBoolean()) {
                    throw at.field("before_reply").error("expected true or false");
                }
                beforeReply = a.get("before_reply").asBoolean();
                if (beforeReply && !beforeReplyAllowed) {
                    throw at.field("before_reply").error("only an event rule with a reply sends before its reply"
                            + " (a join's pushes follow its reply in Phoenix)");
                }
                if (beforeReply && delay > 0) {
                    throw at.field("before_reply").error("a push before the reply cannot have a delay_ms");
                }
            }
            out.add(new Action(audience, event, Template.parse(a.get("payload"), at.field("payload")),
                    Duration.ofMillis(delay), beforeReply));
        }
        return out;
    }

    /** An optional {@code delay_ms}: a whole number of milliseconds >= 0 (0 when absent). */
    private static long millis(JsonNode node, Where where) {
        if (!node.has("delay_ms")) {
            return 0;
        }
        if (!node.get("delay_ms").canConvertToLong() || node.get("delay_ms").asLong() < 0) {
            throw where.field("delay_ms").error("expected a whole number of milliseconds >= 0");
        }
        return node.get("delay_ms").asLong();
    }

    private static List<Condition> conditions(JsonNode node, Where where) {
        if (node == null) {
            return List.of();
        }
        if (!node.isObject()) {
            throw where.error("expected an object of field: matcher, got " + Where.kind(node));
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        List<Condition> out = new ArrayList<>();
        fields.forEach((path, spec) -> out.add(new Condition(path, Matcher.parse(spec, where.field(path)))));
        return out;
    }

    static boolean all(List<Condition> conditions, JsonNode root) {
        for (Condition c : conditions) {
            if (!c.test(root)) {
                return false;
            }
        }
        return true;
    }
}
