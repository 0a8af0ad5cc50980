package dev.slipstream.protocol;

/**
 * The one exception a {@link Serializer} throws for input that is not a valid Phoenix frame.
 *
 * <p>Decoding is total: whatever bytes or text arrive, a decoder either returns a {@link Message} or throws
 * this exception, never a {@code NullPointerException}, {@code ClassCastException} or
 * {@code IndexOutOfBoundsException}. The message says what was wrong and where: the {@linkplain #field() field}
 * (such as {@code "topic"} or {@code "join_ref"}) and the {@linkplain #offset() offset} (a byte offset for binary
 * frames, a character offset for text frames).
 *
 * <pre>{@code
 * try {
 *     Message m = Serializer.v2().decodeFromServer(Frame.text("[1,2]"));
 * } catch (DecodeException e) {
 *     // "join_ref must be a string or null, got a number (field join_ref, offset 1)"
 *     log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final long offset;

    /**
     * @param problem what was wrong, as a sentence fragment without the location
     * @param field the frame field at fault ({@code "frame"} when no single field is)
     * @param offset where in the frame, or {@code -1} when unknown
     * @param cause the underlying parser failure, or {@code null}
     */
    public DecodeException(String problem, String field, long offset, Throwable cause) {
        super(problem + " (field " + field + (offset >= 0 ? ", offset " + offset : "") + ")", cause);
        this.field = field;
        this.offset = offset;
    }

    public DecodeException(String problem, String field, long offset) {
        this(problem, field, offset, null);
    }

    /** The frame field at fault, for example {@code "topic"}, {@code "payload"} or {@code "frame"}. */
    public String field() {
        return field;
    }

    /** The byte (binary frames) or character (text frames) offset of the fault, or {@code -1} when unknown. */
    public long offset() {
        return offset;
    }
}
