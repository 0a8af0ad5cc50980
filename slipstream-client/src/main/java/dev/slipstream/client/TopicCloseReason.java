package dev.slipstream.client;

import dev.slipstream.protocol.Payload;

/**
 * Why a topic stopped being joined, as given to {@link ClientModule#topicClosed} and in the {@code TopicClosed}
 * event.
 *
 * <pre>{@code
 * public void topicClosed(SlipstreamClient client, String topic, TopicCloseReason reason) {
 *     if (reason.kind() == TopicCloseReason.Kind.JOIN_REFUSED) {
 *         log.warn("join of {} refused: {}", topic, reason.payload());
 *     }
 * }
 * }</pre>
 *
 * @param kind the category
 * @param payload the server's payload: the {@code phx_error} payload, the refused join's response, or {} otherwise
 */
public record TopicCloseReason(Kind kind, Payload payload) {

    /**
     * The categories of {@link TopicCloseReason}.
     *
     * <pre>{@code
     * boolean final = reason.kind() != TopicCloseReason.Kind.CRASHED;
     * }</pre>
     */
    public enum Kind {
        /** {@code phx_error}: the server channel crashed. The topic is rejoined with backoff (unless disabled). */
        CRASHED,
        /** {@code phx_close} the client did not ask for: the server channel stopped. Final. */
        SERVER_CLOSED,
        /** The join was answered with status error. Final. */
        JOIN_REFUSED
    }
}
