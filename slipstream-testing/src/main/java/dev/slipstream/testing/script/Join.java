package dev.slipstream.testing.script;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.JoinResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.AssertionFailedError;

/**
 * A {@code phx_join} the client sent, as {@link ScriptedConnection#assertJoin} returns it: the topic, the params and
 * the refs, and the answer the test gives. Until the test answers, the client waits for its join reply (and, as in
 * Phoenix, the connection handles nothing else meanwhile).
 *
 * <pre>{@code
 * Join join = server.assertJoin("room:lobby", partial(Map.of("token", "t1")));
 * RoomParams params = join.params(RoomParams.class);   // the client's record, read back
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
    /** Completes when the server has sent the join reply, so actions after an answer follow it on the wire. */
    private final CompletableFuture<Void> replied = new CompletableFuture<>();
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

    /**
     * The join params mapped by Jackson to the test's own type, as {@link Push#payload(Class)} maps a push.
     *
     * <pre>{@code
     * record RoomParams(String token, long lastSeen) {}
     * assertThat(server.assertJoin("room:lobby").params(RoomParams.class).lastSeen()).isEqualTo(41);
     * }</pre>
     *
     * @throws dev.slipstream.protocol.PayloadMappingException naming the topic, {@code phx_join}, the type
     *     and the JSON path when the params do not map
     */
    public <T> T params(Class<T> type) {
        return JsonSupport.typed(message).as(type);
    }

    /**
     * {@link #params(Class)} for generic types.
     *
     * <pre>{@code
     * Map<String, List<String>> params = join.params(new TypeReference<Map<String, List<String>>>() {});
     * }</pre>
     */
    public <T> T params(TypeReference<T> type) {
        return JsonSupport.typed(message).as(type);
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

    /**
     * Accepts with the reply {@code {"response":{},"status":"ok"}}. Returns once the server has sent the reply, so
     * what the test does next (a push, a crash) reaches the client after it.
     */
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
        awaitReply();
    }

    private void answer(JoinResult result, String how) {
        if (stubPattern != null) {
            throw stubAnswers();
        }
        if (!answer.complete(result)) {
            throw alreadyAnswered();
        }
        answeredAs = how;
        awaitReply();
    }

    /**
     * Waits (up to the assert timeout) until the server has sent the join reply. The server may still be between
     * showing the join to the test and taking the answer; without this wait, an action right after the answer could
     * overtake the reply.
     */
    private void awaitReply() {
        Duration timeout = connection.owner().assertTimeout();
        try {
            replied.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionFailedError("the join of \"" + topic() + "\" was " + answeredAs + ", but the server "
                    + "did not send the reply within " + Mailbox.millis(timeout.toNanos()) + "\n"
                    + connection.mailbox().history());
        } catch (ExecutionException e) {
            // The connection closed first: nothing more can follow the answer on the wire anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("interrupted while the join of " + topic() + " was being answered");
        }
    }

    /** The server sent the reply to this join. */
    void onReplied() {
        replied.complete(null);
    }

    /** The connection closed before the reply. */
    void onClosed() {
        replied.completeExceptionally(new IllegalStateException("connection closed"));
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
