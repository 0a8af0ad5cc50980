package dev.slipstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One joined channel as its {@link ChannelHandler} sees it, like the {@code Phoenix.Socket} of a channel: the topic,
 * the join_ref, the assigns, and the ways to talk to clients. The methods may be called from any thread; work is
 * handed to the connection's serial executor, so frames keep the order of the calls.
 *
 * <pre>{@code
 * public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
 *     ReplyRef ref = socket.replyRef();              // answer later, from any thread
 *     worker.submit(() -> ref.reply(Reply.ok(Map.of("done", true))));
 *     socket.broadcastFrom("typing", Map.of("user", socket.assigns().get("user")));
 *     return HandleResult.noReply();
 * }
 * }</pre>
 */
public interface ChannelSocket {

    /** The joined topic. */
    String topic();

    /**
     * The join_ref frames of this channel carry: the client's join_ref, or the join's ref when the client sent none
     * (V1 clients).
     */
    String joinRef();

    /** The connection this channel belongs to. */
    ServerConnection connection();

    /** This channel's assigns: a copy of the connection's assigns taken at join; mutable, owned by the channel. */
    Map<String, Object> assigns();

    /**
     * Pushes {@code [join_ref, null, topic, event, payload]} to this client. The payload must be a JSON object or
     * binary (see {@link Payloads}).
     *
     * @throws IllegalStateException during {@link ChannelHandler#join} (as in Phoenix) or after the channel ended
     */
    void push(String event, Object payload);

    /** Broadcasts {@code [null, null, topic, event, payload]} to every client joined to the topic, this one included. */
    void broadcast(String event, Object payload);

    /** Broadcasts to every client joined to the topic except this channel's client. */
    void broadcastFrom(String event, Object payload);

    /**
     * A handle to reply later to the message being handled (Phoenix's {@code socket_ref/1}).
     *
     * @throws IllegalStateException outside {@link ChannelHandler#handleIn}
     */
    ReplyRef replyRef();

    /** Sends {@code message} to this channel's {@link ChannelHandler#handleInfo} (Phoenix's {@code send(self(), m)}). */
    void send(Object message);

    /** Sends {@code message} to {@link ChannelHandler#handleInfo} after {@code delay} ({@code Process.send_after}). */
    Future<?> sendAfter(Duration delay, Object message);

    /**
     * Tracks {@code key} with {@code meta} (a JSON object) on this topic, as {@code Presence.track/3}: every client on
     * the topic gets a {@code presence_diff} with the join. The entry leaves when the channel ends.
     */
    void track(String key, Object meta);

    /** Replaces the meta of {@code key} tracked by this channel ({@code Presence.update/3}): one diff, join and leave. */
    void updatePresence(String key, Object meta);

    /** Stops tracking {@code key} ({@code Presence.untrack/2}): a diff with the leave. */
    void untrack(String key);

    /** The presences of this topic in the {@code presence_state} shape ({@code Presence.list/1}). */
    JsonNode presenceList();
}
