package dev.slipstream.client.transport;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Transport} needs to open one connection: the full websocket URI (with params and {@code vsn}), the
 * upgrade headers, the websocket subprotocols to offer ({@code Sec-WebSocket-Protocol}; the client offers
 * {@code phoenix} and the encoded {@code authToken} when one is set, as phoenix.js 1.8 does), the connect timeout and
 * the largest inbound message accepted. The URI's query, the header values and the subprotocols are secrets:
 * {@link #toString()} redacts them.
 *
 * <pre>{@code
 * TransportRequest request = new TransportRequest(
 *     URI.create("ws://localhost:4000/socket/websocket?token=s3cret&vsn=2.0.0"),
 *     Map.of("Authorization", List.of("Bearer s3cret")), Duration.ofSeconds(10), 10 * 1024 * 1024);
 * request.toString(); // ...?token=***&vsn=2.0.0, Authorization=***
 * }</pre>
 *
 * @param uri the websocket URI, with the query string
 * @param headers the upgrade request headers
 * @param subprotocols the subprotocols to offer, in order; empty to send no {@code Sec-WebSocket-Protocol} header
 * @param connectTimeout the budget for TCP, TLS and the upgrade together (the client also enforces it itself)
 * @param maxMessageBytes the largest whole inbound message; larger ones close the connection with 1009
 */
public record TransportRequest(URI uri, Map<String, List<String>> headers, List<String> subprotocols,
        Duration connectTimeout, int maxMessageBytes) {

    public TransportRequest {
        Objects.requireNonNull(uri, "uri");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        subprotocols = List.copyOf(Objects.requireNonNull(subprotocols, "subprotocols"));
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive, was " + maxMessageBytes);
        }
    }

    /** A request that offers no subprotocol. */
    public TransportRequest(URI uri, Map<String, List<String>> headers, Duration connectTimeout, int maxMessageBytes) {
        this(uri, headers, List.of(), connectTimeout, maxMessageBytes);
    }

    /** The URI with every query parameter value except {@code vsn} replaced by {@code ***}. */
    public String redactedUri() {
        return redact(uri);
    }

    /** The URI with its user info and every query parameter value except {@code vsn} replaced by {@code ***}. */
    public static String redact(URI uri) {
        String raw = uri.getRawQuery();
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = "***@" + authority.substring(at + 1); // user info is a credential too
        }
        String base = uri.getScheme() + "://" + authority + (uri.getRawPath() == null ? "" : uri.getRawPath());
        if (raw == null || raw.isEmpty()) {
            return base;
        }
        StringBuilder sb = new StringBuilder(base).append('?');
        String[] parts = raw.split("&");
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append('&');
            }
            int eq = parts[i].indexOf('=');
            String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            sb.append(key);
            if (eq >= 0) {
                sb.append('=').append("vsn".equals(key) ? parts[i].substring(eq + 1) : "***");
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder h = new StringBuilder();
        for (String name : headers.keySet()) {
            if (h.length() > 0) {
                h.append(", ");
            }
            h.append(name).append("=***");
        }
        // A subprotocol may carry the auth token; only how many are offered is shown.
        String offered = subprotocols.isEmpty() ? "" : ", subprotocols=" + subprotocols.size() + " (redacted)";
        return "TransportRequest[" + redactedUri() + ", headers={" + h + "}" + offered + ", connectTimeout=" + connectTimeout
                + ", maxMessageBytes=" + maxMessageBytes + "]";
    }
}
