package dev.slipstream.client;

/**
 * The base of every exception the client's futures fail with.
 *
 * <pre>{@code
 * client.push("room:lobby", "new_msg", payload).exceptionally(e -> {
 *     if (e.getCause() instanceof SlipstreamException s) {
 *         log.warn("push failed: {}", s.getMessage());
 *     }
 *     return null;
 * });
 * }</pre>
 */
public class SlipstreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public SlipstreamException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public SlipstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
