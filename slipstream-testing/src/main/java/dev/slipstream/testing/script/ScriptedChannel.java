package dev.slipstream.testing.script;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.testing.Reply;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One joined topic on one connection, for the rest of the exchange after {@link ScriptedServer#connectAndJoin} or
 * {@link Join#accept()}: the same assertions and actions as {@link ScriptedConnection}, without repeating the topic.
 *
 * <pre>{@code
 * ScriptedChannel room = server.connectAndJoin("room:lobby");
 * Push push = room.assertPush("new_msg", Map.of("body", "hi"));
 * room.reply(push, Reply.ok(Map.of("id", 1)));
 * room.push("new_msg", Map.of("body", "welcome"));
 * room.crash();                               // the client gets phx_error and rejoins
 * room.connection().assertJoin("room:lobby").accept();
 * }</pre>
 */
public final class ScriptedChannel {
    private final ScriptedConnection connection;
    private final Join join;

    ScriptedChannel(ScriptedConnection connection, Join join) {
        this.connection = connection;
        this.join = join;
    }

    /** The topic. */
    public String topic() {
        return join.topic();
    }

    /** The join that started this channel. */
    public Join join() {
        return join;
    }

    /** The connection. */
    public ScriptedConnection connection() {
        return connection;
    }

    /** See {@link ScriptedConnection#assertPush(String, String)}. */
    public Push assertPush(String event) {
        return connection.assertPush(topic(), event);
    }

    /** See {@link ScriptedConnection#assertPush(String, String, Object)}. */
    public Push assertPush(String event, Object payload) {
        return connection.assertPush(topic(), event, payload);
    }

    /** See {@link ScriptedConnection#assertPush(String, String, Consumer)}. */
    public Push assertPush(String event, Consumer<? super JsonNode> assertions) {
        return connection.assertPush(topic(), event, assertions);
    }

    /** See {@link ScriptedConnection#assertPush(String, String, Object, Duration)}. */
    public Push assertPush(String event, Object payload, Duration timeout) {
        return connection.assertPush(topic(), event, payload, timeout);
    }

    /** See {@link ScriptedConnection#refutePush(String, String)}. */
    public void refutePush(String event) {
        connection.refutePush(topic(), event);
    }

    /** See {@link ScriptedConnection#refutePush(String, String, Object)}. */
    public void refutePush(String event, Object payload) {
        connection.refutePush(topic(), event, payload);
    }

    /** See {@link ScriptedConnection#refutePush(String, String, Object, Duration)}. */
    public void refutePush(String event, Object payload, Duration window) {
        connection.refutePush(topic(), event, payload, window);
    }

    /** Replies to a push: the same as {@code push.reply(reply)}. */
    public void reply(Push push, Reply reply) {
        push.reply(reply);
    }

    /** See {@link ScriptedConnection#assertLeave(String)}. */
    public void assertLeave() {
        connection.assertLeave(topic());
    }

    /** See {@link ScriptedConnection#refuteLeave(String)}. */
    public void refuteLeave() {
        connection.refuteLeave(topic());
    }

    /** Pushes {@code [join_ref, null, topic, event, payload]} to the client (see {@link ScriptedConnection#push}). */
    public void push(String event, Object payload) {
        connection.push(topic(), event, payload);
    }

    /** Crashes the channel: the client gets {@code phx_error} and will rejoin (see {@link ScriptedConnection#crash}). */
    public void crash() {
        connection.crash(topic());
    }

    /** Stops the channel: the client gets {@code phx_close} and will not rejoin (see {@link ScriptedConnection#close}). */
    public void close() {
        connection.close(topic());
    }

    @Override
    public String toString() {
        return "ScriptedChannel[" + topic() + " on " + connection.name() + "]";
    }
}
