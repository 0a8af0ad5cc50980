package dev.slipstream.client;

/**
 * The client was closed with {@link SlipstreamClient#close()}; it accepts no further operations, and anything still
 * pending fails with this.
 *
 * <pre>{@code
 * client.close();
 * client.connect(); // fails with ClientClosedException
 * }</pre>
 */
public final class ClientClosedException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    /** With a message naming the operation. */
    public ClientClosedException(String message) {
        super(message);
    }
}
