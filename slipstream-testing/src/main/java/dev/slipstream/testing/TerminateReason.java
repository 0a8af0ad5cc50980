package dev.slipstream.testing;

/**
 * Why a channel ended, as passed to {@link ChannelHandler#terminate}. A crash (a handler that throws, or
 * {@link ServerConnection#crashChannel}) does not call terminate, as in Phoenix.
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
    /** The client joined the same topic again ({@code {:shutdown, :duplicate_join}}). */
    DUPLICATE_JOIN,
    /** The connection closed ({@code {:shutdown, :closed}}). */
    CLOSED,
    /** The test stopped the channel from outside ({@link ServerConnection#stopChannel}). */
    SHUTDOWN
}
