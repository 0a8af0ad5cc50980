package dev.slipstream.client;

import dev.slipstream.client.transport.UpgradeRejectedException;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A connect attempt failed: the server rejected the upgrade with an HTTP status (403 from a refused
 * {@code connect/3}, 404 with no socket mounted there), the network failed (refused TCP connection, DNS, TLS), or the
 * connect timeout expired. The message names the URI with its params redacted.
 *
 * <pre>{@code
 * try {
 *     client.connect().join();
 * } catch (CompletionException e) {
 *     if (e.getCause() instanceof ConnectFailedException c
 *             && c.kind() == ConnectFailedException.Kind.REJECTED && c.httpStatus().getAsInt() == 403) {
 *         System.err.println("credentials refused");
 *     }
 * }
 * }</pre>
 */
public final class ConnectFailedException extends SlipstreamException {
    private static final long serialVersionUID = 1L;

    /**
     * The categories of {@link ConnectFailedException}.
     *
     * <pre>{@code
     * boolean retryable = e.kind() != ConnectFailedException.Kind.REJECTED;
     * }</pre>
     */
    public enum Kind {
        /** The server answered the upgrade with an HTTP status other than 101. */
        REJECTED,
        /** The connection could not be made (refused, unreachable, TLS failure, closed during the handshake). */
        NETWORK,
        /** TCP, TLS and the upgrade together took longer than the connect timeout. */
        TIMEOUT
    }

    private final Kind kind;
    private final int status;
    private final transient Map<String, List<String>> headers;

    /** A failure of this kind for a URI already redacted; {@code cause} is the transport's exception. */
    public ConnectFailedException(Kind kind, String redactedUri, Throwable cause) {
        super(message(kind, redactedUri, cause), cause);
        this.kind = kind;
        if (cause instanceof UpgradeRejectedException r) {
            this.status = r.status();
            this.headers = r.headers();
        } else {
            this.status = -1;
            this.headers = Map.of();
        }
    }

    private static String message(Kind kind, String uri, Throwable cause) {
        switch (kind) {
            case REJECTED:
                return "connect to " + uri + " rejected with HTTP status " + ((UpgradeRejectedException) cause).status();
            case TIMEOUT:
                return "connect to " + uri + " timed out";
            default:
                return "connect to " + uri + " failed: " + (cause == null ? "unknown" : cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }

    /** The category. */
    public Kind kind() {
        return kind;
    }

    /** The upgrade's HTTP status when the kind is {@link Kind#REJECTED}. */
    public OptionalInt httpStatus() {
        return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** The upgrade response's headers when the kind is {@link Kind#REJECTED}, else empty. */
    public Map<String, List<String>> responseHeaders() {
        return headers;
    }
}
