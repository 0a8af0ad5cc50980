package dev.slipstream.testing;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link ConnectHandler} sees of a websocket connect, like the {@code params} and {@code connect_info} of
 * Phoenix's {@code connect/3}. Immutable.
 *
 * <pre>{@code
 * ConnectHandler auth = request -> "secret".equals(request.param("token"))
 *         ? ConnectResult.accept(Map.of("user", "u1"))
 *         : ConnectResult.reject();
 * }</pre>
 *
 * @param params the query parameters ({@code vsn} included, as in Phoenix); a repeated key keeps its last value
 * @param headers the request headers, names in lower case
 * @param vsn the negotiated protocol version, {@code "1.0.0"} when the client sent none
 * @param authToken the token phoenix.js sends with its {@code authToken} option (a
 *        {@code base64url.bearer.phx.*} subprotocol), decoded; {@code null} when absent
 * @param remoteAddress the client's address
 */
public record ConnectRequest(
        Map<String, String> params,
        Map<String, List<String>> headers,
        String vsn,
        String authToken,
        InetSocketAddress remoteAddress) {

    public ConnectRequest {
        params = Map.copyOf(params);
        headers = Map.copyOf(headers);
    }

    /** One query parameter, or {@code null}. */
    public String param(String name) {
        return params.get(name);
    }

    /** The first value of a header (case-insensitive name), if present. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
