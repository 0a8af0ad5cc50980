package dev.slipstream.testing;

/**
 * Why a channel ended, as passed to {@link ChannelHandler#terminate}. As in Phoenix (whose channel processes do not
 * trap exits), terminate does not run after a crash (a handler that throws, or {@link ServerConnection#crashChannel})
 * nor when a duplicate join of the topic replaces the channel.
 *
 * <pre>{@code
 * public void terminate(TerminateReason reason, ChannelSocket socket) {
 *     if (reason == TerminateReason.LEFT) {
 *         socket.push("you_left", Map.of());
 *     }
 * }
 * }</pre>
 */
public enum TerminateReason {
    /** The channel returned {@link HandleResult#stop()} ({@code :normal}). */
    NORMAL,
    /** The client sent {@code phx_leave} ({@code {:shutdown, :left}}). */
    LEFT,
    /** The connection closed ({@code {:shutdown, :closed}}). */
    CLOSED,
    /** The test stopped the channel from outside ({@link ServerConnection#stopChannel}). */
    SHUTDOWN
}
