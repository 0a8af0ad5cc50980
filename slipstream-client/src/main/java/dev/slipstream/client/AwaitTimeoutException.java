package dev.slipstream.client;

import java.time.Duration;

/**
 * A {@link SyncClient} wait ran out of time: no matching message arrived, or an operation did not finish.
 *
 * <pre>{@code
 * try {
 *     sync.awaitMessage("room:lobby", "new_msg", Duration.ofSeconds(2));
 * } catch (AwaitTimeoutException e) {
 *     System.err.println("nothing arrived: " + e.getMessage());
 * }
 * }</pre>
 */
public final class AwaitTimeoutException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    /** For what was awaited and how long. */
    public AwaitTimeoutException(String what, Duration timeout) {
        super("timed out after " + timeout + " awaiting " + what);
    }
}
