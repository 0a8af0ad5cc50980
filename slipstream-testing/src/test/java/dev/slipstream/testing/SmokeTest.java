package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void joinsEchoesAndHeartbeats() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", new ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, dev.slipstream.protocol.Payload params, ChannelSocket socket) {
                        return JoinResult.ok(Map.of("joined", topic));
                    }

                    @Override
                    public HandleResult handleIn(String event, dev.slipstream.protocol.Payload payload, ChannelSocket socket) {
                        return HandleResult.ok(payload);
                    }
                })
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{\"joined\":\"room:1\"},\"status\":\"ok\"}]");
            c.exchange("[null,\"2\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"2\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"3\",\"room:1\",\"x\",{\"b\":1,\"a\":2}]",
                    "[\"1\",\"3\",\"room:1\",\"phx_reply\",{\"response\":{\"a\":2,\"b\":1},\"status\":\"ok\"}]");
            assertThat(server.connections()).hasSize(1);
            assertThat(server.errors()).isEmpty();
        }
    }
}
