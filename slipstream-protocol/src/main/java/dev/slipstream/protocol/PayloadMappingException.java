package dev.slipstream.protocol;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.lang.reflect.Type;

/**
 * A payload that Jackson could not map to the type asked for ({@link Payload#as(Class)}), or a value it could not
 * write as a payload ({@link Payload#of(Object)}). The message names the topic and event the payload belongs to
 * (when known), the Java type, the JSON path Jackson reached and Jackson's reason; the cause is Jackson's exception.
 *
 * <pre>{@code
 * try {
 *     Greeting g = payload.as(Greeting.class);
 * } catch (PayloadMappingException e) {
 *     // cannot map the payload of "new_msg" on room:lobby to com.example.Greeting at $.sent: Cannot deserialize ...
 *     log.warn("{} {} {} {}", e.topic(), e.event(), e.type(), e.path());
 * }
 * }</pre>
 */
public final class PayloadMappingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean reading;
    private final String topic;
    private final String event;
    private final transient Type type;
    private final String typeName;
    private final String path;
    private final String reason;

    private PayloadMappingException(boolean reading, String topic, String event, Type type, String typeName,
            String path, String reason, Throwable cause) {
        super(message(reading, topic, event, typeName, path, reason), cause);
        this.reading = reading;
        this.topic = topic;
        this.event = event;
        this.type = type;
        this.typeName = typeName;
        this.path = path;
        this.reason = reason;
    }

    /** A payload that could not be mapped to {@code type}. */
    static PayloadMappingException reading(String topic, String event, Type asked, JavaType type, Throwable cause) {
        return new PayloadMappingException(true, topic, event, asked, type.toCanonical(), path(cause), reason(cause),
                cause);
    }

    /** A payload that is not JSON, so cannot be mapped at all. */
    static PayloadMappingException notJson(String topic, String event, Type asked, JavaType type, String why) {
        return new PayloadMappingException(true, topic, event, asked, type.toCanonical(), "", why, null);
    }

    /** A value that could not be written as a JSON payload. */
    static PayloadMappingException writing(Class<?> type, String reason, Throwable cause) {
        return new PayloadMappingException(false, null, null, type, type.getName(), path(cause),
                reason != null ? reason : reason(cause), cause);
    }

    /**
     * The same failure, naming the topic and event of the message the payload was meant for. The client uses it when
     * a value given to {@code push} or {@code join} cannot be written.
     *
     * <pre>{@code
     * throw e.forMessage("room:lobby", "new_msg");
     * }</pre>
     */
    public PayloadMappingException forMessage(String topic, String event) {
        PayloadMappingException copy = new PayloadMappingException(reading, topic, event, type, typeName, path, reason,
                getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /** The topic of the message, or {@code null} when the payload was not bound to one. */
    public String topic() {
        return topic;
    }

    /** The event of the message (for a reply, the event of the push it answers), or {@code null}. */
    public String event() {
        return event;
    }

    /** The Java type mapped to (reading: the class, or the type of the {@code TypeReference}) or from (writing). */
    public Type type() {
        return type;
    }

    /** The JSON path Jackson reached, such as {@code $.items[2].id}; empty when the failure is not at a path. */
    public String path() {
        return path;
    }

    /** Whether a payload was being read into {@link #type()} (true) or a value of that type written (false). */
    public boolean isReading() {
        return reading;
    }

    private static String message(boolean reading, String topic, String event, String typeName, String path,
            String reason) {
        StringBuilder sb = new StringBuilder(reading ? "cannot map the payload" : "cannot write a " + typeName
                + " as the payload");
        if (event != null) {
            sb.append(" of \"").append(event).append('"');
        }
        if (topic != null) {
            sb.append(" on ").append(topic);
        }
        if (reading) {
            sb.append(" to ").append(typeName);
        }
        if (!path.isEmpty()) {
            sb.append(" at ").append(path);
        }
        return sb.append(": ").append(reason).toString();
    }

    private static String path(Throwable cause) {
        if (!(cause instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("$");
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                sb.append('.').append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String reason(Throwable cause) {
        String why = cause instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage()
                : String.valueOf(cause);
        // Jackson may quote the offending input; keep a hostile payload from blowing up a log line.
        return why != null && why.length() > 300 ? why.substring(0, 300) + "..." : why;
    }
}
