package dev.slipstream.examples.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class TokenRefreshTest {

    @Test
    @SuppressWarnings("try") // the client under test runs by itself; the block only closes it
    void a403FetchesANewTokenForTheNextAttempt(ScriptedServer server) {
        AtomicInteger issued = new AtomicInteger();
        try (SlipstreamClient client = TokenRefresh.client(SlipstreamClient.builder(server.uri()),
                () -> "token-" + issued.incrementAndGet())) {
            assertThat(server.rejectConnect().param("token")).isEqualTo("token-1"); // expired: 403
            assertThat(server.assertConnect(Duration.ofSeconds(5)).accept().request().param("token"))
                    .isEqualTo("token-2");
            assertThat(issued).hasValue(2);
        }
    }

    @Test
    @SuppressWarnings("try") // the client under test runs by itself; the block only closes it
    void otherFailuresKeepTheToken(ScriptedServer server) {
        AtomicInteger issued = new AtomicInteger();
        try (SlipstreamClient client = TokenRefresh.client(SlipstreamClient.builder(server.uri()),
                () -> "token-" + issued.incrementAndGet())) {
            var first = server.assertConnect();
            assertThat(first.request().param("token")).isEqualTo("token-1");
            first.reject(500, "busy");
            assertThat(server.assertConnect(Duration.ofSeconds(5)).accept().request().param("token"))
                    .isEqualTo("token-1");
            // A 403 after a drop: the reconnect gets a new token.
            server.connection().disconnect();
            server.assertConnect(Duration.ofSeconds(5)).reject(403, "expired");
            assertThat(server.assertConnect(Duration.ofSeconds(5)).accept().request().param("token"))
                    .isEqualTo("token-2");
        }
    }
}
