package dev.slipstream.client;

/**
 * A push to a topic that is not joined (never joined, left, closed, or still joining with push buffering off).
 *
 * <pre>{@code
 * client.push("room:nope", "ping", Payload.empty()).whenComplete((reply, e) -> {
 *     if (e != null && e.getCause() instanceof TopicNotJoinedException t) {
 *         System.err.println("join " + t.topic() + " first");
 *     }
 * });
 * }</pre>
 */
public final class TopicNotJoinedException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    private final String topic;

    /** For a topic and the state it is in. */
    public TopicNotJoinedException(String topic, String state) {
        super("topic \"" + topic + "\" is not joined (" + state + ")");
        this.topic = topic;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }
}
