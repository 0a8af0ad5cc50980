package dev.slipstream.client;

import java.util.Optional;

/**
 * Why a connection ended, as given to {@link ClientModule#disconnected} and in the {@code Disconnected} event.
 *
 * <pre>{@code
 * public void disconnected(SlipstreamClient client, DisconnectReason reason) {
 *     if (reason.kind() == DisconnectReason.Kind.HEARTBEAT_TIMEOUT) {
 *         metrics.increment("dead_links");
 *     }
 * }
 * }</pre>
 *
 * @param kind the category
 * @param closeCode the websocket close code seen or sent (1006 when the link died without a close frame)
 * @param closeReason the close frame's reason text (may be empty)
 * @param error the transport error, if the connection failed rather than closed
 */
public record DisconnectReason(Kind kind, int closeCode, String closeReason, Optional<Throwable> error) {

    /**
     * The categories of {@link DisconnectReason}.
     *
     * <pre>{@code
     * boolean willReconnect = reason.kind() != DisconnectReason.Kind.CLIENT_REQUESTED;
     * }</pre>
     */
    public enum Kind {
        /** {@code disconnect()} or {@code close()} was called: no reconnect follows. */
        CLIENT_REQUESTED,
        /** The server closed the connection (e.g. 1000 idle timeout, 1001 socket id disconnect, 1012 drain). */
        SERVER_CLOSED,
        /** A heartbeat was still unanswered at the next tick: the link is treated as dead. */
        HEARTBEAT_TIMEOUT,
        /** An inbound message exceeded the configured maximum; the client closed with 1009. */
        MESSAGE_TOO_LARGE,
        /** The transport failed (I/O error, reset connection). */
        TRANSPORT_ERROR
    }

    @Override
    public String toString() {
        return "DisconnectReason[" + kind + ", code=" + closeCode
                + (closeReason == null || closeReason.isEmpty() ? "" : ", reason=" + closeReason)
                + error.map(e -> ", error=" + e.getClass().getSimpleName() + ": " + e.getMessage()).orElse("") + "]";
    }
}
