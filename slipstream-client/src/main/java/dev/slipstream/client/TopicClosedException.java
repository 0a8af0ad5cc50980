package dev.slipstream.client;

/**
 * The topic closed (channel crash, server-side stop, leave) while a push was waiting for its reply.
 *
 * <pre>{@code
 * client.push("room:lobby", "save", doc).whenComplete((reply, e) -> {
 *     if (e != null && e.getCause() instanceof TopicClosedException c) {
 *         System.err.println(c.topic() + " closed: " + c.getMessage());
 *     }
 * });
 * }</pre>
 */
public final class TopicClosedException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    private final String topic;

    /** For a topic and a description of why it closed. */
    public TopicClosedException(String topic, String why) {
        super("topic \"" + topic + "\" closed: " + why);
        this.topic = topic;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }
}
