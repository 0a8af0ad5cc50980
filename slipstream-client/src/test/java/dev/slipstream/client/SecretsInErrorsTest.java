package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Mistakes in endpoints and headers fail at once, naming the culprit, and never repeat a secret. */
class SecretsInErrorsTest {

    @Test
    void aMalformedEndpointStringIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> SlipstreamClient.builder("ws://host/socket?token=S3CRET x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid URI")
                .hasMessageContaining("index")
                .hasMessageContaining("ws://host/socket?***")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
        assertThatThrownBy(() -> SlipstreamClient.builder("ws://user:S3CRET@bad host/socket"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ws://***@bad host/socket")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    }

    @Test
    void theBuildersToStringRedactsUserInfoAndQuery() {
        SlipstreamClient.Builder builder = SlipstreamClient.builder("ws://user:S3CRET@example.com/socket?token=S3CRET");
        assertThat(builder.toString()).doesNotContain("S3CRET").contains("example.com");
    }

    @Test
    void anEndpointWithoutAHostIsRefusedAtBuildTimeWithoutItsPassword() {
        for (String endpoint : new String[] {"ws://user:S3CRET@/socket", "ws://:4000/socket"}) {
            assertThatThrownBy(() -> SlipstreamClient.builder(endpoint).build())
                    .as(endpoint)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no host")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
        }
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedAtOnceWithoutTheValue() {
        assertThatThrownBy(() -> SlipstreamClient.builder("ws://example.com/socket")
                        .header("Authorization", "Bearer S3CRET\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Authorization")
                .hasMessageContaining("U+000A")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    }

    @Test
    void headersTheHandshakeSetsItselfAndInvalidNamesAreRefused() {
        for (String name : new String[] {"Host", "Sec-WebSocket-Key", "upgrade", "Bad Name", ""}) {
            assertThatThrownBy(() -> SlipstreamClient.builder("ws://example.com/socket").header(name, "v"))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        SlipstreamClient.builder("ws://example.com/socket").header("X-Api-Key", "fine value\twith tab");
    }
}
