package dev.slipstream.client.transport;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The server answered the websocket upgrade with an HTTP status instead of switching protocols: Phoenix answers 403
 * when the socket's {@code connect/3} refuses (or {@code check_origin} fails), 404 when no socket is mounted there.
 *
 * <pre>{@code
 * client.connect().exceptionally(e -> {
 *     if (e.getCause() instanceof ConnectFailedException c && c.httpStatus().orElse(0) == 403) {
 *         refreshToken();
 *     }
 *     return null;
 * });
 * }</pre>
 */
public final class UpgradeRejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, List<String>> headers;

    /** The server refused the upgrade with {@code status} and these response headers. */
    public UpgradeRejectedException(int status, Map<String, List<String>> headers) {
        super("websocket upgrade rejected with HTTP status " + status);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    /** The HTTP status of the upgrade response, e.g. 403. */
    public int status() {
        return status;
    }

    /** The upgrade response headers. */
    public Map<String, List<String>> headers() {
        return headers;
    }
}
