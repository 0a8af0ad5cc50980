package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.client.internal.Endpoints;
import dev.slipstream.client.transport.TransportRequest;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void theTransportPathIsAppendedOnceAndVsnComesLast() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("token", "abc");
        params.put("nested", Map.of("a", 1));
        URI endpoint = Endpoints.normalizeEndpoint(URI.create("ws://localhost:4000/socket"));
        // The example of phoenix.js 1.8.16 (phoenix-protocol.md section 1.1).
        assertThat(Endpoints.buildUri(endpoint, params, "2.0.0")).hasToString(
                "ws://localhost:4000/socket/websocket?token=abc&nested%5Ba%5D=1&vsn=2.0.0");
        assertThat(Endpoints.normalizeEndpoint(URI.create("wss://h/socket/websocket")))
                .hasToString("wss://h/socket/websocket");
        assertThat(Endpoints.normalizeEndpoint(URI.create("https://h/socket/")))
                .hasToString("wss://h/socket/websocket");
        assertThat(Endpoints.buildUri(URI.create("ws://h/socket/websocket?a=1"), Map.of(), "1.0.0"))
                .hasToString("ws://h/socket/websocket?a=1&vsn=1.0.0");
    }

    @Test
    void buildersOfOneEndpointShareItsSocketUriAndAnotherEndpointIsNormalizedAfresh() {
        // Shared, so that thousands of clients of one server hold one URI (see Endpoints.last).
        URI a = Endpoints.normalizeEndpoint(URI.create("ws://a:4000/socket"));
        assertThat(Endpoints.normalizeEndpoint(URI.create("ws://a:4000/socket"))).isSameAs(a);
        assertThat(Endpoints.normalizeEndpoint(URI.create("ws://b:4000/socket")))
                .hasToString("ws://b:4000/socket/websocket");
        assertThat(Endpoints.normalizeEndpoint(URI.create("ws://a:4000/socket?x=1")))
                .hasToString("ws://a:4000/socket/websocket?x=1");
        assertThat(Endpoints.normalizeEndpoint(URI.create("ws://a:4000/socket")))
                .hasToString("ws://a:4000/socket/websocket").isEqualTo(a);
    }

    @Test
    void badEndpointsNameTheCulpritWithoutTheirSecrets() {
        assertThatThrownBy(() -> SlipstreamClient.builder("ftp://h/socket?token=s3cret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp").hasMessageContaining("token=***").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> SlipstreamClient.builder("/socket")).hasMessageContaining("no scheme");
    }

    @Test
    void transportRequestsRedactParamsAndHeaderValues() {
        TransportRequest r = new TransportRequest(URI.create("ws://h/socket/websocket?token=s3cret&vsn=2.0.0"),
                Map.of("Authorization", List.of("Bearer s3cret")), Duration.ofSeconds(1), 10);
        assertThat(r.toString()).doesNotContain("s3cret").contains("token=***", "vsn=2.0.0", "Authorization=***");
        assertThat(TransportRequest.redact(URI.create("wss://user:s3cret@h:4000/socket/websocket?vsn=2.0.0")))
                .isEqualTo("wss://***@h:4000/socket/websocket?vsn=2.0.0");
    }
}
