package dev.slipstream.testing.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One difference between what the stubs (or a recording) say and what the real backend answered.
 *
 * <pre>{@code
 * for (Drift d : report.drifts()) {
 *     System.out.println(d);   // join room:lobby: $.response.user: stubs say "ada", backend said "bob"
 * }
 * }</pre>
 *
 * @param kind     what differs
 * @param where    the check: {@code connect}, {@code join TOPIC} or {@code push TOPIC EVENT}, or
 *                 {@code push TOPIC EVENT -> EVENT2} for a server push that should follow
 * @param path     the JSON path of a payload difference ({@code $.response.user}), else null
 * @param expected what the stubs say, null when they have nothing there
 * @param actual   what the backend answered, null when it had nothing there
 */
public record Drift(Kind kind, String where, String path, JsonNode expected, JsonNode actual) {

    /** The kinds of drift. */
    public enum Kind {
        /** The connect was answered with another HTTP status (or accepted where refused, or the reverse). */
        CONNECT,
        /** The backend has no channel for the topic ({@code "unmatched topic"}). */
        MISSING_TOPIC,
        /** A reply with another status ({@code ok}/{@code error}). */
        STATUS,
        /** A reply or push whose payload differs at {@code path}. */
        PAYLOAD,
        /** No reply came within the timeout where the stubs have one, or one came where they have none. */
        REPLY,
        /** A server push the stubs have after this message did not come. */
        MISSING_PUSH
    }

    /** One JSON object: {@code {"type":"drift","kind":"payload","where":...,"path":...,"expected":...,"actual":...}}. */
    public ObjectNode toJson() {
        ObjectNode o = PhoenixProbe.JSON.createObjectNode();
        o.put("type", "drift");
        o.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        o.put("where", where);
        if (path != null) {
            o.put("path", path);
        }
        o.set("expected", expected);
        o.set("actual", actual);
        return o;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case CONNECT -> "connect status";
            case MISSING_TOPIC -> "the backend has no such topic";
            case STATUS -> "reply status";
            case PAYLOAD -> path;
            case REPLY -> "reply";
            case MISSING_PUSH -> "push";
        };
        return where + ": " + what + ": stubs say " + show(expected) + ", backend said " + show(actual);
    }

    private static String show(JsonNode n) {
        return n == null ? "nothing" : n.toString();
    }
}
