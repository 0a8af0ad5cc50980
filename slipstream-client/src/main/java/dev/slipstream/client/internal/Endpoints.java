package dev.slipstream.client.internal;

import dev.slipstream.client.transport.TransportRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The socket URI a client connects to: the endpoint as given, normalized once by the builder, and the query of each
 * connect attempt (the connect params, then {@code vsn}).
 *
 * <pre>{@code
 * URI endpoint = Endpoints.normalizeEndpoint(URI.create("ws://localhost:4000/socket")); // .../socket/websocket
 * URI attempt = Endpoints.buildUri(endpoint, Map.of("token", "t1"), "2.0.0");           // ...?token=t1&vsn=2.0.0
 * }</pre>
 */
public final class Endpoints {
    private Endpoints() {
    }

    /**
     * The endpoint normalized last, with what it gave: clients built for the same endpoint share one URI instead of
     * holding a copy each (a URI and its parsed parts are about 350 bytes; thousands of clients of one server are
     * common in load tests and fan-out services).
     */
    private static volatile Normalized last;

    private record Normalized(URI given, URI socket) {}

    /** {@code ws(s)://host/socket} or {@code .../socket/websocket}, {@code http(s)} taken as {@code ws(s)}. */
    public static URI normalizeEndpoint(URI endpoint) {
        Normalized l = last;
        if (l != null && l.given().equals(endpoint)) {
            return l.socket();
        }
        URI socket = normalize(endpoint);
        last = new Normalized(endpoint, socket);
        return socket;
    }

    private static URI normalize(URI endpoint) {
        String scheme = endpoint.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("endpoint has no scheme (want ws:// or wss://): "
                    + TransportRequest.redact(endpoint));
        }
        String s = scheme.toLowerCase(java.util.Locale.ROOT);
        if (s.equals("http")) {
            s = "ws";
        } else if (s.equals("https")) {
            s = "wss";
        } else if (!s.equals("ws") && !s.equals("wss")) {
            throw new IllegalArgumentException("endpoint scheme must be ws or wss, was " + scheme + " in "
                    + TransportRequest.redact(endpoint));
        }
        if (endpoint.getHost() == null || endpoint.getHost().isEmpty()) {
            throw new IllegalArgumentException("endpoint has no host: " + TransportRequest.redact(endpoint));
        }
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!path.endsWith("/websocket")) {
            path = path + "/websocket";
        }
        String query = endpoint.getRawQuery();
        return URI.create(s + "://" + endpoint.getRawAuthority() + path + (query == null ? "" : "?" + query));
    }

    /** Appends the params (nested maps as {@code key[sub]=v}) and then {@code vsn}, last, as phoenix.js does. */
    public static URI buildUri(URI endpoint, Map<String, ?> params, String vsn) {
        StringBuilder q = new StringBuilder();
        if (endpoint.getRawQuery() != null && !endpoint.getRawQuery().isEmpty()) {
            q.append(endpoint.getRawQuery());
        }
        if (params != null) {
            appendParams(q, null, params);
        }
        if (q.length() > 0) {
            q.append('&');
        }
        q.append("vsn=").append(vsn);
        String base = endpoint.toString();
        int at = base.indexOf('?');
        if (at >= 0) {
            base = base.substring(0, at);
        }
        return URI.create(base + "?" + q);
    }

    private static void appendParams(StringBuilder q, String prefix, Map<?, ?> params) {
        for (Map.Entry<?, ?> e : params.entrySet()) {
            String key = prefix == null ? String.valueOf(e.getKey()) : prefix + "[" + e.getKey() + "]";
            Object v = e.getValue();
            if (v instanceof Map<?, ?> nested) {
                appendParams(q, key, nested);
                continue;
            }
            if (q.length() > 0) {
                q.append('&');
            }
            q.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v == null ? "" : String.valueOf(v), StandardCharsets.UTF_8));
        }
    }
}
