package dev.slipstream.client.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The websocket subprotocols that carry a Phoenix 1.8 auth token, exactly as phoenix.js 1.8 builds them in
 * {@code Socket.transportConnect}: {@code ["phoenix", "base64url.bearer.phx." + btoa(token).replace(/=/g, "")]}. The
 * token is encoded with the standard Base64 alphabet despite the prefix's name, without padding, which is what the
 * server's {@code Base.decode64!(encoded, padding: false)} expects. phoenix.js's {@code btoa} takes only Latin-1; we
 * encode the token's UTF-8 bytes, which are the same bytes for the ASCII tokens servers issue.
 *
 * <pre>{@code
 * AuthTokenProtocol.subprotocols("1234"); // [phoenix, base64url.bearer.phx.MTIzNA]
 * }</pre>
 */
public final class AuthTokenProtocol {
    /** phoenix.js's {@code AUTH_TOKEN_PREFIX}. */
    public static final String PREFIX = "base64url.bearer.phx.";

    private AuthTokenProtocol() {}

    /** The two subprotocols to offer for {@code token}. */
    public static List<String> subprotocols(String token) {
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        return List.of("phoenix", PREFIX + encoded);
    }
}
