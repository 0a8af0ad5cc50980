package dev.slipstream.client;

/**
 * A presence (or one of its metas) that does not map to the type asked for through the client's Jackson mapping.
 * The message names the topic, the presence key and the type; the cause is Jackson's own error.
 *
 * <pre>{@code
 * try {
 *     List<Meta> metas = entry.metas(Meta.class);
 * } catch (PresenceMappingException e) {
 *     log.warn("{} on {} does not fit {}: {}", e.key(), e.topic(), e.type().getSimpleName(), e.getMessage());
 * }
 * }</pre>
 */
public final class PresenceMappingException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String key;
    private final transient Class<?> type;

    /** For the presence of {@code key} on {@code topic}; {@code what} says which part ("a meta", "the presence"). */
    public PresenceMappingException(String topic, String key, Class<?> type, String what, Throwable cause) {
        super("presence \"" + key + "\" on topic \"" + topic + "\": " + what + " does not map to "
                + type.getName() + ": " + cause.getMessage(), cause);
        this.topic = topic;
        this.key = key;
        this.type = type;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The presence key. */
    public String key() {
        return key;
    }

    /** The type asked for. */
    public Class<?> type() {
        return type;
    }
}
