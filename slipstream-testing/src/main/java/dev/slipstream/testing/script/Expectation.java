package dev.slipstream.testing.script;

import dev.slipstream.protocol.Payload;

/**
 * What one assertion waits for: a kind of event, optionally a topic (exact, or a prefix ending in {@code *} as in
 * Phoenix routes), an event name and a payload matcher. Knows how to describe itself, how close a recorded event
 * comes, and why it does not match.
 */
final class Expectation {
    final Inbound.Kind kind;
    final String topic;
    final String event;
    final PayloadMatcher payload;

    /** A close of the connection by the client (a close by the server does not match). */
    static Expectation clientDisconnect() {
        return new Expectation(Inbound.Kind.DISCONNECT, null, null, null);
    }

    Expectation(Inbound.Kind kind, String topic, String event, PayloadMatcher payload) {
        this.kind = kind;
        this.topic = topic;
        this.event = event;
        this.payload = payload == null ? PayloadMatcher.any() : payload;
    }

    boolean topicMatches(String actual) {
        if (topic == null) {
            return true;
        }
        if (actual == null) {
            return false;
        }
        if (topic.endsWith("*")) {
            return actual.startsWith(topic.substring(0, topic.length() - 1));
        }
        return topic.equals(actual);
    }

    boolean matches(Inbound e) {
        if (e.kind != kind || !topicMatches(e.topic())) {
            return false;
        }
        if (kind == Inbound.Kind.DISCONNECT) {
            return !e.byServer;
        }
        if (event != null && !event.equals(e.event())) {
            return false;
        }
        return payload.matches(e.message.payload());
    }

    /** How close {@code e} comes: same kind first, then topic, then event; -1 for another kind. */
    int closeness(Inbound e) {
        if (e.kind != kind) {
            return -1;
        }
        int score = 0;
        if (topicMatches(e.topic())) {
            score += 2;
        }
        if (event == null || event.equals(e.event())) {
            score += 1;
        }
        return score;
    }

    /** Why {@code e} (of the same kind) does not match. */
    String mismatch(Inbound e) {
        if (e.kind == Inbound.Kind.DISCONNECT) {
            return e.byServer ? "the server closed the connection (code " + e.closeCode + "), not the client" : "it matches";
        }
        if (!topicMatches(e.topic())) {
            return "topic is " + JsonSupport.quote(e.topic()) + ", not " + JsonSupport.quote(topic);
        }
        if (event != null && !event.equals(e.event())) {
            return "event is " + JsonSupport.quote(e.event()) + ", not " + JsonSupport.quote(event);
        }
        if (e.message == null) {
            return "it matches";
        }
        Payload p = e.message.payload();
        return payload.matches(p) ? "it matches" : payload.mismatch(p);
    }

    /** A sentence: {@code a push "new_msg" on "room:lobby" with a payload equal to {...}}. */
    String describe() {
        StringBuilder sb = new StringBuilder("a ").append(kind.label);
        if (kind == Inbound.Kind.PUSH) {
            sb.append(event == null ? " of any event" : " " + JsonSupport.quote(event));
        }
        if (kind == Inbound.Kind.DISCONNECT) {
            return "the client to close the connection";
        }
        if (topic != null) {
            sb.append(topic.endsWith("*") ? " on a topic starting with " + JsonSupport.quote(
                    topic.substring(0, topic.length() - 1)) : " on " + JsonSupport.quote(topic));
        }
        if (payload != Matchers.ANY) {
            sb.append(kind == Inbound.Kind.JOIN ? " with params " : " with a payload ").append(payload.description());
        }
        return sb.toString();
    }

    /** The negation for refutes: {@code no push "new_msg" on "room:lobby"}. */
    String describeNegated() {
        if (kind == Inbound.Kind.DISCONNECT) {
            return "the client not to close the connection";
        }
        return "no " + describe().substring(2);
    }

    /** The expected side of an IDE diff: a header line and the expected payload. */
    String expectedText() {
        if (kind == Inbound.Kind.DISCONNECT) {
            return "disconnect by the client";
        }
        StringBuilder sb = new StringBuilder(kind.label);
        if (event != null) {
            sb.append(' ').append(JsonSupport.quote(event));
        }
        if (topic != null) {
            sb.append(" on ").append(JsonSupport.quote(topic));
        }
        if (kind != Inbound.Kind.DISCONNECT && payload != Matchers.ANY) {
            sb.append('\n').append(payload.expectedText());
        }
        return sb.toString();
    }

    /** The actual side of an IDE diff, in the same shape as {@link #expectedText()}. */
    String actualText(Inbound e) {
        if (e.message == null) {
            return "disconnect (code " + e.closeCode + ", " + e.closeDetail + ")";
        }
        StringBuilder sb = new StringBuilder(e.kind.label);
        if (event != null || e.kind == Inbound.Kind.PUSH) {
            sb.append(' ').append(JsonSupport.quote(e.event()));
        }
        sb.append(" on ").append(JsonSupport.quote(e.topic()));
        if (kind != Inbound.Kind.DISCONNECT && payload != Matchers.ANY) {
            sb.append('\n').append(JsonSupport.pretty(e.message.payload()));
        }
        return sb.toString();
    }
}
