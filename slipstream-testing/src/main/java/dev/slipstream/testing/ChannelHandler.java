package dev.slipstream.testing;

import dev.slipstream.protocol.Payload;

/**
 * A channel written in Java in the spirit of {@code Phoenix.Channel}. Register it for a topic pattern with
 * {@link FakePhoenixServer.Builder#channel(String, ChannelHandler)} ({@code "room:*"} is a prefix match, anything
 * else an exact one).
 *
 * <p>Threading: every callback of one connection runs on that connection's serial executor (a small shared worker
 * pool, never an I/O thread), one at a time, in the order the frames arrived. A handler may block briefly, but an
 * answer that takes a while should be returned as {@link JoinResult#later} or {@link HandleResult#later}.
 * Per-channel state belongs in {@link ChannelSocket#assigns()}, or in a handler made per join with
 * {@link FakePhoenixServer.Builder#channelFactory}.
 *
 * <pre>{@code
 * ChannelHandler room = new ChannelHandler() {
 *     public JoinResult join(String topic, Payload params, ChannelSocket socket) {
 *         socket.send("after_join");
 *         return JoinResult.ok();
 *     }
 *     public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
 *         socket.broadcast("new_msg", payload);
 *         return HandleResult.ok();
 *     }
 *     public HandleResult handleInfo(Object message, ChannelSocket socket) {
 *         socket.push("welcome", Map.of());
 *         return HandleResult.noReply();
 *     }
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ChannelHandler {

    /**
     * A client joins {@code topic} (Phoenix's {@code join/3}). Pushing from here is illegal, as in Phoenix (the join
     * crashes); send yourself a message with {@link ChannelSocket#send} and push from {@link #handleInfo}. A join that
     * throws gets {@code {"reason":"join crashed"}}.
     */
    JoinResult join(String topic, Payload params, ChannelSocket socket);

    /**
     * A client event on the joined topic (Phoenix's {@code handle_in/3}). The default crashes the channel, as a
     * Phoenix channel without a matching clause does.
     */
    default HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
        throw new UnsupportedOperationException("no handleIn for event \"" + event + "\" on " + socket.topic());
    }

    /** A message sent with {@link ChannelSocket#send} or {@link ServerConnection#sendInfo}. Default: ignore it. */
    default HandleResult handleInfo(Object message, ChannelSocket socket) {
        return HandleResult.noReply();
    }

    /**
     * The channel ends for {@code reason}; pushes made here still reach the client. Not called on crashes nor on
     * duplicate joins, as in Phoenix.
     */
    default void terminate(TerminateReason reason, ChannelSocket socket) {}
}
