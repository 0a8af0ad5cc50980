package dev.slipstream.client;

/**
 * Push buffering is on, the push could not be sent yet, and the topic's buffer already holds its maximum.
 *
 * <pre>{@code
 * SlipstreamClient client = SlipstreamClient.builder(uri).pushBufferSize(20).build(); // default 100 per topic
 * client.push("room:lobby", "e", p).exceptionally(e -> {
 *     if (e.getCause() instanceof PushBufferFullException) { dropOldest(); }
 *     return null;
 * });
 * }</pre>
 */
public final class PushBufferFullException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    /** For a topic and the buffer bound that was hit. */
    public PushBufferFullException(String topic, int capacity) {
        super("push buffer of \"" + topic + "\" is full (" + capacity + " pushes waiting for the join)");
    }
}
