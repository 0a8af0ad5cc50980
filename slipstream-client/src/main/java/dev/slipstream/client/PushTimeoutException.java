package dev.slipstream.client;

import java.time.Duration;

/**
 * No reply arrived within the push (or join, or leave) timeout. Default 10 s, as phoenix.js; per push with
 * {@code push(topic, event, payload, timeout)}.
 *
 * <pre>{@code
 * client.push("room:lobby", "slow", Payload.empty(), Duration.ofSeconds(1)).whenComplete((r, e) -> {
 *     if (e != null && e.getCause() instanceof PushTimeoutException t) {
 *         System.err.println(t.event() + " unanswered after " + t.timeout());
 *     }
 * });
 * }</pre>
 */
public final class PushTimeoutException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String event;
    private final Duration timeout;

    /** For a push of {@code event} to {@code topic}. */
    public PushTimeoutException(String topic, String event, Duration timeout) {
        super("no reply to \"" + event + "\" on \"" + topic + "\" within " + timeout);
        this.topic = topic;
        this.event = event;
        this.timeout = timeout;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The event pushed. */
    public String event() {
        return event;
    }

    /** The timeout that expired. */
    public Duration timeout() {
        return timeout;
    }
}
