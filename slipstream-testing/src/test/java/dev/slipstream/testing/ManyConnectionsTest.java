package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.demo.DemoChannels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many connections share a handful of threads, and a broadcast reaches every one of them once. */
@Timeout(60)
class ManyConnectionsTest {
    @Test
    void fortyConnectionsNoThreadPerConnection() throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).build().start()) {
            try {
                for (int i = 0; i < 40; i++) {
                    WsClient c = WsClient.connect(server, i % 2 == 0 ? "vsn=2.0.0" : "vsn=1.0.0");
                    clients.add(c);
                    c.send(i % 2 == 0 ? "[\"1\",\"1\",\"echo:all\",\"phx_join\",{}]"
                            : "{\"topic\":\"echo:all\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"1\",\"join_ref\":\"1\"}");
                    assertThat(c.next()).contains("\"status\":\"ok\"");
                }
                long threads = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("slipstream-fake-")).count();
                // 2 workers, 1 timer, 1 XNIO I/O thread and at most 2 XNIO task threads, whatever the load.
                assertThat(threads).isLessThanOrEqualTo(6);
                server.broadcast("echo:all", "hello", Map.of("n", 1));
                for (int i = 0; i < clients.size(); i++) {
                    assertThat(clients.get(i).next()).isEqualTo(i % 2 == 0
                            ? "[null,null,\"echo:all\",\"hello\",{\"n\":1}]"
                            : "{\"event\":\"hello\",\"payload\":{\"n\":1},\"ref\":null,\"topic\":\"echo:all\"}");
                }
                assertThat(server.connections()).hasSize(40);
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }
}
