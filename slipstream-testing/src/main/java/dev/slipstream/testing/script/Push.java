package dev.slipstream.testing.script;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.ReplyRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A message the client pushed on a topic, as {@link ScriptedConnection#assertPush} returns it: event, payload and
 * ref, and a way to {@linkplain #reply reply}. Like a Phoenix {@code handle_in} that returned {@code :noreply} and
 * kept a {@code socket_ref}, the test may reply at any time, several times, or never (the client's push then times
 * out).
 *
 * <pre>{@code
 * Push push = server.assertPush("room:lobby", "new_msg", partial(Map.of("body", "hi")));
 * NewMsg msg = push.payload(NewMsg.class);             // the client's record, read back
 * server.reply(push, Reply.ok(Map.of("id", 17)));      // or push.reply(Reply.error(Map.of("reason", "spam")))
 * }</pre>
 *
 * <p>Pushes on topics routed to a stub {@link dev.slipstream.testing.ChannelHandler} are answered by that channel,
 * and pushes on topics the client has not joined get Phoenix's {@code unmatched topic} error from the server;
 * replying to either from the test throws {@link IllegalStateException}.
 */
public final class Push {
    private final ScriptedConnection connection;
    private final Message message;
    private final String stubPattern;
    // Guarded by this: replies the test gave before the server handed the push to the scripted channel.
    private ReplyRef ref;
    private final List<Reply> pending = new ArrayList<>();
    private boolean unmatched;

    Push(ScriptedConnection connection, Message message, String stubPattern) {
        this.connection = connection;
        this.message = message;
        this.stubPattern = stubPattern;
    }

    /** The topic pushed on. */
    public String topic() {
        return message.topic();
    }

    /** The event name. */
    public String event() {
        return message.event();
    }

    /** The payload, JSON or binary. */
    public Payload payload() {
        return message.payload();
    }

    /**
     * The payload mapped by Jackson to the test's own type, as the client's {@code Payload.as} maps it with its
     * default mapper (unknown keys ignored). For a client with a mapper of its own (a naming strategy, modules), map
     * with that: {@code push.payload().mappedBy(mapper, push.topic(), push.event()).as(type)}.
     *
     * <pre>{@code
     * record NewMsg(String body) {}
     * assertThat(server.assertPush("room:lobby", "new_msg").payload(NewMsg.class)).isEqualTo(new NewMsg("hi"));
     * }</pre>
     *
     * @throws dev.slipstream.protocol.PayloadMappingException naming topic, event, type and JSON path when
     *     the payload does not map (or is binary)
     */
    public <T> T payload(Class<T> type) {
        return JsonSupport.typed(message).as(type);
    }

    /**
     * {@link #payload(Class)} for generic types.
     *
     * <pre>{@code
     * List<Item> items = push.payload(new TypeReference<Map<String, List<Item>>>() {}).get("items");
     * }</pre>
     */
    public <T> T payload(TypeReference<T> type) {
        return JsonSupport.typed(message).as(type);
    }

    /**
     * The payload as JSON.
     *
     * @throws IllegalStateException if the payload is binary
     */
    public JsonNode json() {
        if (message.payload() instanceof Payload.Json json) {
            return json.json();
        }
        throw new IllegalStateException("the payload of \"" + event() + "\" on " + topic() + " is binary: "
                + JsonSupport.inline(message.payload()));
    }

    /**
     * A copy of the payload's bytes.
     *
     * @throws IllegalStateException if the payload is JSON
     */
    public byte[] bytes() {
        if (message.payload() instanceof Payload.Binary binary) {
            return binary.toByteArray();
        }
        throw new IllegalStateException("the payload of \"" + event() + "\" on " + topic() + " is JSON: "
                + JsonSupport.inline(message.payload()));
    }

    /** The ref the client gave the push; its reply carries it. */
    public String ref() {
        return message.ref();
    }

    /** The join_ref of the channel the push was sent on. */
    public String joinRef() {
        return message.joinRef();
    }

    /** The message as received. */
    public Message message() {
        return message;
    }

    /** The connection the push came on. */
    public ScriptedConnection connection() {
        return connection;
    }

    /**
     * Replies to this push: {@code [join_ref, ref, topic, "phx_reply", {"response": ..., "status": ...}]}, or a
     * binary reply for a binary response. Returns at once; the reply is sent in order with everything else the
     * server sends on this connection.
     *
     * <pre>{@code
     * push.reply(Reply.ok(Map.of("id", 17)));
     * push.reply(Reply.error(Map.of("reason", "too long")));
     * push.reply(Reply.ok(new byte[] {1, 2, 3}));
     * }</pre>
     *
     * @throws IllegalStateException if a stub channel handles this topic, or the topic was not joined
     */
    public void reply(Reply reply) {
        Objects.requireNonNull(reply, "reply");
        if (stubPattern != null) {
            throw new IllegalStateException("the push \"" + event() + "\" on \"" + topic() + "\" is answered by the "
                    + "channel registered for \"" + stubPattern + "\", not by the test");
        }
        ReplyRef target;
        synchronized (this) {
            if (unmatched) {
                throw new IllegalStateException("the push \"" + event() + "\" on \"" + topic() + "\" cannot be "
                        + "replied to: the client has not joined \"" + topic() + "\", so the server already replied "
                        + "{\"reason\":\"unmatched topic\"}");
            }
            target = ref;
            if (target == null) {
                pending.add(reply);
                return;
            }
        }
        target.reply(reply);
    }

    /** The scripted channel got the push: flush replies given before. Runs on the connection's executor. */
    void bind(ReplyRef replyRef) {
        List<Reply> toSend;
        synchronized (this) {
            ref = replyRef;
            toSend = new ArrayList<>(pending);
            pending.clear();
        }
        for (Reply r : toSend) {
            replyRef.reply(r);
        }
    }

    /**
     * The server answered {@code unmatched topic}: no channel will ever get this push. Returns how many replies the
     * test had already given, which can now never be sent.
     */
    synchronized int markUnmatched() {
        unmatched = true;
        int dropped = pending.size();
        pending.clear();
        return dropped;
    }

    synchronized boolean isBound() {
        return ref != null;
    }

    @Override
    public String toString() {
        return "Push" + JsonSupport.inline(message);
    }
}
