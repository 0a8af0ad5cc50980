package dev.slipstream.testing.script;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.client.protocol.Message;
import dev.slipstream.client.protocol.Payload;
import dev.slipstream.testing.JoinResult;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code phx_join} the client sent, as {@link ScriptedConnection#assertJoin} returns it: the topic, the params and
 * the refs, and the answer the test gives. Until the test answers, the client waits for its join reply (and, as in
 * Phoenix, the connection handles nothing else meanwhile).
 *
 * <pre>{@code
 * Join join = server.assertJoin("room:lobby", partial(Map.of("token", "t1")));
 * ScriptedChannel room = join.accept(Map.of("history", List.of()));   // or: join.reject(Map.of("reason", "unauthorized"))
 * }</pre>
 *
 * <p>A join of a topic routed to a stub {@link dev.slipstream.testing.ChannelHandler} is answered by that channel;
 * answering it from the test throws {@link IllegalStateException}.
 */
public final class Join {
    private final ScriptedConnection connection;
    private final Message message;
    private final String stubPattern;
    private final CompletableFuture<JoinResult> answer = new CompletableFuture<>();
    private volatile String answeredAs;

    Join(ScriptedConnection connection, Message message, String stubPattern) {
        this.connection = connection;
        this.message = message;
        this.stubPattern = stubPattern;
    }

    /** The topic joined. */
    public String topic() {
        return message.topic();
    }

    /** The join params as JSON (phoenix.js sends {@code {}} when given none). */
    public JsonNode params() {
        Payload p = message.payload();
        if (p instanceof Payload.Json json) {
            return json.json();
        }
        throw new IllegalStateException("the join params of " + topic() + " are binary: " + p);
    }

    /** The join_ref the client chose for this join (phoenix.js: the join's own ref). */
    public String joinRef() {
        return message.joinRef();
    }

    /** The ref of the join message, which the join reply carries. */
    public String ref() {
        return message.ref();
    }

    /** The {@code phx_join} message as received. */
    public Message message() {
        return message;
    }

    /** The connection the join came on. */
    public ScriptedConnection connection() {
        return connection;
    }

    /** Whether the test (or a stub channel) has answered. */
    public boolean isAnswered() {
        return stubPattern != null || answer.isDone();
    }

    /** Accepts with the reply {@code {"response":{},"status":"ok"}}. */
    public ScriptedChannel accept() {
        answer(JoinResult.ok(), "accepted");
        return new ScriptedChannel(connection, this);
    }

    /**
     * Accepts with a reply, which must be a JSON object: a map, a record, a {@code JsonNode}, or JSON text in a
     * {@code String}.
     */
    public ScriptedChannel accept(Object reply) {
        answer(JoinResult.ok(JsonSupport.toObjectPayload(reply, "join reply")), "accepted");
        return new ScriptedChannel(connection, this);
    }

    /**
     * Refuses with a response, typically {@code Map.of("reason", "unauthorized")} (a map, record, {@code JsonNode}
     * or JSON text): the client gets {@code {"response": reason, "status": "error"}} and no channel starts.
     */
    public void reject(Object reason) {
        answer(JoinResult.error(JsonSupport.toObjectPayload(reason, "join rejection")), "rejected");
    }

    /** Refuses as a join that raised does: the client gets {@code {"reason":"join crashed"}}. */
    public void crash() {
        if (stubPattern != null) {
            throw stubAnswers();
        }
        if (!answer.completeExceptionally(new ScriptedServer.ScriptedCrash("join of " + topic() + " crashed by the test"))) {
            throw alreadyAnswered();
        }
        answeredAs = "crashed";
    }

    private void answer(JoinResult result, String how) {
        if (stubPattern != null) {
            throw stubAnswers();
        }
        if (!answer.complete(result)) {
            throw alreadyAnswered();
        }
        answeredAs = how;
    }

    private IllegalStateException stubAnswers() {
        return new IllegalStateException("the join of \"" + topic() + "\" is answered by the channel registered for \""
                + stubPattern + "\", not by the test; assert it without answering it");
    }

    private IllegalStateException alreadyAnswered() {
        return new IllegalStateException("the join of \"" + topic() + "\" (join_ref " + joinRef()
                + ") was already " + answeredAs);
    }

    /** What the scripted channel handler hands to the server. */
    JoinResult result() {
        return JoinResult.later(answer);
    }

    /** For the README and failure messages. */
    @Override
    public String toString() {
        return "Join" + JsonSupport.inline(message) + (answeredAs == null ? "" : " " + answeredAs);
    }
}
