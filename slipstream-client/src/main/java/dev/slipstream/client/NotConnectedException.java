package dev.slipstream.client;

/**
 * The operation needs a connection and the client is not connected (and push buffering is off or not applicable).
 *
 * <pre>{@code
 * client.push("room:lobby", "ping", Payload.empty())
 *     .exceptionally(e -> e.getCause() instanceof NotConnectedException ? null : rethrow(e));
 * }</pre>
 */
public final class NotConnectedException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    /** With a message naming the operation. */
    public NotConnectedException(String message) {
        super(message);
    }
}
