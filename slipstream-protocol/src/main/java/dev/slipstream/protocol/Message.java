package dev.slipstream.protocol;

import java.util.Objects;

/**
 * One Phoenix Channels message: {@code join_ref}, {@code ref}, {@code topic}, {@code event} and {@code payload}, the
 * five fields of a V2 frame {@code [join_ref, ref, topic, event, payload]}.
 *
 * <p>Refs are strings; {@code joinRef} and {@code ref} may be {@code null} (broadcasts carry neither, server pushes
 * carry no ref, heartbeats no join_ref). A reply is a message whose event is {@code phx_reply} and whose payload is a
 * {@link Payload.Reply}. Immutable and thread-safe.
 *
 * <pre>{@code
 * Message join = Message.of("3", "3", "room:lobby", "phx_join", Payload.json("{\"user\":\"u1\"}"));
 * Message heartbeat = Message.heartbeat("4");
 * Message ok = Message.reply("3", "3", "room:lobby", "ok", Payload.empty());
 * }</pre>
 */
public final class Message {
    private final String joinRef;
    private final String ref;
    private final String topic;
    private final String event;
    private final Payload payload;

    private Message(String joinRef, String ref, String topic, String event, Payload payload) {
        this.joinRef = joinRef;
        this.ref = ref;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.event = Objects.requireNonNull(event, "event");
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** A message with every field given; {@code joinRef} and {@code ref} may be null. */
    public static Message of(String joinRef, String ref, String topic, String event, Payload payload) {
        return new Message(joinRef, ref, topic, event, payload);
    }

    /** A client heartbeat: {@code [null, ref, "phoenix", "heartbeat", {}]}. */
    public static Message heartbeat(String ref) {
        return new Message(null, ref, Protocol.PHOENIX_TOPIC, Protocol.HEARTBEAT, Payload.empty());
    }

    /** A reply: {@code [joinRef, ref, topic, "phx_reply", {"response": response, "status": status}]}. */
    public static Message reply(String joinRef, String ref, String topic, String status, Payload response) {
        return new Message(joinRef, ref, topic, Protocol.PHX_REPLY, Payload.reply(status, response));
    }

    /** A broadcast as it reaches subscribers: {@code [null, null, topic, event, payload]}. */
    public static Message broadcast(String topic, String event, Payload payload) {
        return new Message(null, null, topic, event, payload);
    }

    public String joinRef() {
        return joinRef;
    }

    public String ref() {
        return ref;
    }

    public String topic() {
        return topic;
    }

    public String event() {
        return event;
    }

    public Payload payload() {
        return payload;
    }

    /** Whether this is a {@code phx_reply} carrying a {@link Payload.Reply}. */
    public boolean isReply() {
        return Protocol.PHX_REPLY.equals(event) && payload instanceof Payload.Reply;
    }

    /** A copy with another payload. */
    public Message withPayload(Payload newPayload) {
        return new Message(joinRef, ref, topic, event, newPayload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m
                && Objects.equals(joinRef, m.joinRef)
                && Objects.equals(ref, m.ref)
                && topic.equals(m.topic)
                && event.equals(m.event)
                && payload.equals(m.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(joinRef, ref, topic, event, payload);
    }

    /** The message in V2 order, with long payloads shortened. */
    @Override
    public String toString() {
        String p = payload.toString();
        if (p.length() > 500) {
            p = p.substring(0, 500) + "...(" + p.length() + " chars)";
        }
        return "[" + quote(joinRef) + "," + quote(ref) + "," + quote(topic) + "," + quote(event) + "," + p + "]";
    }

    private static String quote(String s) {
        return s == null ? "null" : '"' + s + '"';
    }
}
