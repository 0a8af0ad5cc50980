package dev.slipstream.testing;

/**
 * A failure inside a channel or connect handler of the fake server (a handler that threw, or a join that failed),
 * as recorded in {@link FakePhoenixServer#errors()}, so a test can fail on it instead of the failure being lost.
 *
 * <pre>{@code
 * assertThat(server.errors()).isEmpty();
 * }</pre>
 */
public final class ChannelException extends RuntimeException {
    ChannelException(String message, Throwable cause) {
        super(message, cause);
    }
}
