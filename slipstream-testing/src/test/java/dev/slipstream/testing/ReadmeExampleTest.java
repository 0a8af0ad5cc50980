package dev.slipstream.testing;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's five-line example, compiled and run. */
@Timeout(30)
class ReadmeExampleTest {
    @Test
    void fiveLines() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", (topic, params, socket) -> JoinResult.ok(Map.of("welcome", topic)))
                .start()) {
            try (WsClient client = connectYourClient(server.uri() + "?vsn=2.0.0")) {
                server.broadcast("room:lobby", "new_msg", Map.of("body", "hi"));
                client.expect("[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hi\"}]");
            }
        }
    }

    private static WsClient connectYourClient(String uri) throws Exception {
        WsClient c = WsClient.connect(java.net.URI.create(uri));
        c.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{}]",
                "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"welcome\":\"room:lobby\"},\"status\":\"ok\"}]");
        return c;
    }
}
