package dev.slipstream.examples.tokens;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.SlipstreamClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Token refresh: when the server refuses the connect with HTTP 403 (an expired token), fetch a new token and connect
 * again with it. The client asks its params supplier afresh at every connect attempt, so all this takes is to drop
 * the cached token on a 403: the next attempt (the client retries with backoff) fetches a fresh one. Other failures
 * keep the token. (The Elixir original rebuilds the URI in {@code handle_disconnect} and calls {@code connect/2}.)
 *
 * <pre>{@code
 * SlipstreamClient client = TokenRefresh.client(SlipstreamClient.builder("wss://example.com/socket"),
 *     () -> authServer.issueToken());
 * }</pre>
 */
// tag::token-refresh[]
public final class TokenRefresh implements ClientModule {
    private final Supplier<String> issuer;
    private final AtomicReference<String> token = new AtomicReference<>(); // read by connects, cleared on a 403

    private TokenRefresh(Supplier<String> issuer) {
        this.issuer = issuer;
    }

    /** A connecting client whose {@code token} param comes from {@code issuer}, fetched again after every 403. */
    public static SlipstreamClient client(SlipstreamClient.Builder builder, Supplier<String> issuer) {
        TokenRefresh refresh = new TokenRefresh(Objects.requireNonNull(issuer, "issuer"));
        return builder.params(() -> Map.of("token", refresh.currentToken())).module(refresh).build();
    }

    private String currentToken() {
        return token.updateAndGet(t -> t != null ? t : issuer.get());
    }

    @Override
    public void started(SlipstreamClient client) {
        client.connect();
    }

    @Override
    public void connectFailed(SlipstreamClient client, ConnectFailedException error) {
        if (error.httpStatus().orElse(0) == 403) {
            token.set(null); // the next attempt asks the issuer for a new token
        }
    }
}
// end::token-refresh[]
