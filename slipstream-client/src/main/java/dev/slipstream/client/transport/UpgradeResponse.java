package dev.slipstream.client.transport;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The server's answer to a successful websocket upgrade: status 101 and the response headers (a load balancer's
 * routing cookie, a server's request id, ...). Header names are kept as the server sent them; {@link #header} looks
 * one up ignoring case.
 *
 * <p>Not every transport can see the headers: the JDK's {@code java.net.http} WebSocket keeps them to itself on
 * success, so {@link JdkWebSocketTransport} reports {@link #headersVisible()} {@code false} and no headers;
 * {@code NioWebSocketTransport} (slipstream-transport-nio) reports them all. A client that needs them (a sticky-session cookie, a request id)
 * picks {@code .transport(NioWebSocketTransport.shared())} on its builder.
 *
 * <pre>{@code
 * if (event instanceof ClientEvent.Connected c && c.response().headersVisible()) {
 *     c.response().header("x-request-id").ifPresent(id -> log.info("connected, request {}", id));
 * }
 * }</pre>
 *
 * @param status the HTTP status of the upgrade response (101)
 * @param headers the response headers, empty when not {@code headersVisible}
 * @param headersVisible whether the transport could see the response headers at all
 */
public record UpgradeResponse(int status, Map<String, List<String>> headers, boolean headersVisible) {
    /** Values of these headers are credentials; {@link #toString()} never shows them. */
    private static final Set<String> SECRET = Set.of("set-cookie", "cookie", "authorization", "proxy-authorization",
            "www-authenticate", "proxy-authenticate");

    public UpgradeResponse {
        Objects.requireNonNull(headers, "headers");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.merge(name, List.copyOf(values), (a, b) -> {
            List<String> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }));
        headers = java.util.Collections.unmodifiableMap(copy);
    }

    /** A 101 whose headers the transport could not see. */
    public static UpgradeResponse headersNotVisible() {
        return new UpgradeResponse(101, Map.of(), false);
    }

    /** The first value of the header {@code name} (any case), if the server sent it. */
    public java.util.Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(values.get(0));
    }

    @Override
    public String toString() {
        if (!headersVisible) {
            return "UpgradeResponse[" + status + ", headers not visible to this transport]";
        }
        StringBuilder sb = new StringBuilder("UpgradeResponse[").append(status).append(", {");
        boolean first = true;
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            sb.append(first ? "" : ", ").append(e.getKey()).append('=');
            sb.append(SECRET.contains(e.getKey().toLowerCase(Locale.ROOT)) ? "***" : String.join(",", e.getValue()));
            first = false;
        }
        return sb.append("}]").toString();
    }
}
