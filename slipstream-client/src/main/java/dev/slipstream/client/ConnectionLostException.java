package dev.slipstream.client;

/**
 * The connection ended while a push, join or leave was waiting for its reply: the reply can no longer come.
 *
 * <pre>{@code
 * client.push("room:lobby", "save", doc).whenComplete((reply, e) -> {
 *     if (e != null && e.getCause() instanceof ConnectionLostException lost) {
 *         retryLater(doc, lost.reason());
 *     }
 * });
 * }</pre>
 */
public final class ConnectionLostException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    private final DisconnectReason reason;

    /** For the disconnect that lost the reply. */
    public ConnectionLostException(String what, DisconnectReason reason) {
        super(what + " lost: connection ended (" + reason + ")");
        this.reason = reason;
    }

    /** Why the connection ended. */
    public DisconnectReason reason() {
        return reason;
    }
}
