package dev.slipstream.protocol;

/**
 * Thrown when a {@link Message} cannot be written as a frame of the chosen {@link Serializer}: a binary frame header
 * field longer than 255 UTF-8 bytes, a binary payload on the V1 serializer, a message shape the direction does not
 * allow (a binary server push with a ref), or a header string with an unpaired surrogate, which UTF-8 cannot carry.
 *
 * <pre>{@code
 * // throws EncodeException: "topic is 300 bytes of UTF-8; binary frame header fields hold at most 255"
 * Serializer.v2().encodeToServer(Message.of("1", "2", "x".repeat(300), "e", Payload.binary(new byte[] {1})));
 * }</pre>
 */
public final class EncodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public EncodeException(String problem, String field) {
        super(problem);
        this.field = field;
    }

    /** The message field at fault, for example {@code "topic"} or {@code "payload"}. */
    public String field() {
        return field;
    }
}
