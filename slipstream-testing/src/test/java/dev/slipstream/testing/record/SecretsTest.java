package dev.slipstream.testing.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What counts as a secret, how it is hidden, and that its echoes are hidden too. */
class SecretsTest {
    @Test
    void namesThatLookLikeCredentials() {
        for (String name : List.of("token", "authToken", "access_token", "password", "passwd", "auth", "x-api-key",
                "api_key", "apikey", "key", "session_id", "jwt", "signature", "client_secret", "credentials")) {
            assertThat(Secrets.isSecretName(name)).as(name).isTrue();
        }
        for (String name : List.of("author", "user_id", "vsn", "body", "keyboard", "room", "monkey")) {
            assertThat(Secrets.isSecretName(name)).as(name).isFalse();
        }
    }

    @Test
    void joinParamsAtAnyDepthAndTheirEchoesAreHidden() throws Exception {
        Secrets secrets = new Secrets();
        List<String> redacted = new ArrayList<>();
        String logged = ProxiedSocket.redactJoin(
                "[\"1\",\"1\",\"room:1\",\"phx_join\",{\"user\":{\"name\":\"ada\",\"auth\":{\"t\":\"abc123456\"}},"
                        + "\"list\":[{\"password\":\"hunter22\"}]}]", secrets, redacted);
        assertThat(logged).isEqualTo("[\"1\",\"1\",\"room:1\",\"phx_join\",{\"user\":{\"name\":\"ada\","
                + "\"auth\":\"[redacted]\"},\"list\":[{\"password\":\"[redacted]\"}]}]");
        assertThat(redacted).containsExactly("payload.user.auth", "payload.list[0].password");
        assertThat(secrets.scrub("{\"echo\":\"hunter22\"}")).isEqualTo("{\"echo\":\"[redacted]\"}");
        JsonNode notAJoin = new ObjectMapper().readTree("[\"1\",\"2\",\"room:1\",\"new_msg\",{\"token\":\"x\"}]");
        assertThat(ProxiedSocket.redactJoin(notAJoin.toString(), secrets, redacted)).isEqualTo(notAJoin.toString());
    }

    @Test
    void headersParamsAndTheAuthTokenSubprotocol() {
        Secrets secrets = new Secrets();
        List<String> redacted = new ArrayList<>();
        assertThat(secrets.params(Map.of("token", "t0k3n-value"), "params", redacted))
                .containsEntry("token", "[redacted]");
        assertThat(secrets.headers(Map.of("Cookie", List.of("_app_key=SFMyNTY.abcdef; other=1")), redacted))
                .containsEntry("cookie", List.of("[redacted]"));
        assertThat(secrets.subprotocols("phoenix, base64url.bearer.phx.dG9rZW4tMTIz", redacted))
                .isEqualTo("phoenix, base64url.bearer.phx.[redacted]");
        assertThat(redacted).containsExactly("params.token", "headers.cookie", "subprotocol.authToken");
        assertThat(secrets.scrub("t0k3n-value and SFMyNTY.abcdef and short 1"))
                .isEqualTo("[redacted] and [redacted] and short 1");
    }
}
