package dev.slipstream.client;

import dev.slipstream.protocol.Payload;

/**
 * The server answered a join with status error, e.g. {@code {"reason":"unauthorized"}} from the channel's
 * {@code join/3} or {@code {"reason":"unmatched topic"}}.
 *
 * <pre>{@code
 * client.join("room:secret").exceptionally(e -> {
 *     if (e.getCause() instanceof JoinRefusedException r) {
 *         System.err.println(r.topic() + " refused: " + r.response());
 *     }
 *     return null;
 * });
 * }</pre>
 */
public final class JoinRefusedException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final transient Payload response;

    /** For a topic and the error response. */
    public JoinRefusedException(String topic, Payload response) {
        super("join of \"" + topic + "\" refused: " + response);
        this.topic = topic;
        this.response = response;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The server's error response. */
    public Payload response() {
        return response;
    }
}
