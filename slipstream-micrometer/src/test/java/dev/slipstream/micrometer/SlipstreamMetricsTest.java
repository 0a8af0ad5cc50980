package dev.slipstream.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.Backoff;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.demo.DemoChannels;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SlipstreamMetrics} with a {@link SimpleMeterRegistry}, on a real client talking to the fake server's demo
 * channels over loopback websockets: every meter moves when, and only when, its event happens.
 */
@Timeout(60)
class SlipstreamMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start();
    private SlipstreamClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private SlipstreamClient.Builder builder(String uri) {
        return SlipstreamClient.builder(uri).name("orders")
                .reconnectBackoff(Backoff.of(attempt -> Duration.ofMillis(20)))
                .eventListener(SlipstreamMetrics.of(registry, "orders", Tags.of("region", "eu")));
    }

    /** The count (counters, timers) or value (gauges) of every meter of {@code name} with these tags, summed. */
    private double count(String name, String... tags) {
        double sum = 0;
        for (Meter meter : registry.find(name).tags("client", "orders").tags(tags).meters()) {
            for (Measurement m : meter.measure()) {
                if (m.getStatistic() == Statistic.COUNT || m.getStatistic() == Statistic.VALUE) {
                    sum += m.getValue();
                }
            }
        }
        return sum;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aSessionMovesTheConnectionJoinPushHeartbeatAndByteMeters() throws Exception {
        client = builder(server.socketUri().toString()).heartbeatInterval(Duration.ofMillis(200)).build();
        get(client.connect());
        assertThat(count("slipstream.connections")).isEqualTo(1);
        assertThat(count("slipstream.connect.duration")).isEqualTo(1);

        CompletableFuture<Payload> joined = client.join("echo:metrics");
        CompletableFuture<Payload.Reply> early = client.push("echo:metrics", "echo", Payload.json("{\"a\":1}"));
        get(joined);
        assertThat(get(early).isOk()).isTrue();
        assertThat(get(client.push("echo:metrics", "error", Payload.json("{\"b\":2}"))).isOk()).isFalse();
        get(client.push("echo:metrics", "broadcast", Payload.json("{\"c\":3}")));
        await().atMost(WAIT).until(() -> count("slipstream.messages.received") >= 1
                && count("slipstream.heartbeat.round.trip") >= 1);

        assertThat(count("slipstream.joins", "result", "ok")).isEqualTo(1);
        assertThat(count("slipstream.push.buffered")).isEqualTo(1);
        assertThat(count("slipstream.pushes", "status", "ok")).isEqualTo(2);
        assertThat(count("slipstream.pushes", "status", "error")).isEqualTo(1);
        assertThat(registry.get("slipstream.pushes").tags("status", "ok").timer().totalTime(TimeUnit.NANOSECONDS))
                .isPositive();
        assertThat(count("slipstream.bytes.sent")).isGreaterThan(100);
        assertThat(count("slipstream.bytes.received")).isGreaterThan(100);
        assertThat(registry.get("slipstream.bytes.sent").counter().getId().getBaseUnit()).isEqualTo("bytes");
        assertThat(registry.get("slipstream.connections").tags("region", "eu").gauge()).isNotNull();

        // The server ends the connection: a disconnect, a reconnect, and the gauge back at 1 once connected again.
        await().atMost(WAIT).until(() -> !server.connections().isEmpty());
        ServerConnection first = server.connections().get(0);
        first.close(1011);
        await().atMost(WAIT).until(() -> count("slipstream.connect.duration") == 2 && client.isJoined("echo:metrics"));
        assertThat(count("slipstream.disconnects", "reason", "server_closed")).isEqualTo(1);
        assertThat(count("slipstream.reconnects")).isEqualTo(1);
        assertThat(count("slipstream.connections")).isEqualTo(1);
        assertThat(count("slipstream.joins", "result", "ok")).isEqualTo(2);

        client.close();
        assertThat(count("slipstream.connections")).isZero();
        assertThat(count("slipstream.disconnects", "reason", "client_requested")).isEqualTo(1);
    }

    @Test
    void refusalsTimeoutsAndDroppedPushesAreCountedByKind() throws Exception {
        client = builder(server.socketUri().toString()).rejoinAfterRefusal(false).build();
        get(client.connect());
        assertThatThrownBy(() -> get(client.join("echo:private"))).hasMessageContaining("unauthorized");
        assertThat(count("slipstream.joins", "result", "refused")).isEqualTo(1);

        get(client.join("echo:quiet"));
        assertThatThrownBy(() -> get(client.push("echo:quiet", "noreply", Payload.empty(), Duration.ofMillis(200))))
                .hasMessageContaining("noreply");
        assertThat(count("slipstream.push.timeouts")).isEqualTo(1);

        assertThatThrownBy(() -> get(client.push("echo:never", "echo", Payload.empty())))
                .hasMessageContaining("echo:never");
        assertThat(count("slipstream.push.dropped", "reason", "not_joined")).isEqualTo(1);
        assertThat(count("slipstream.pushes")).isZero();
    }

    @Test
    void connectFailuresAreCountedByKind() throws Exception {
        server.refuseConnections(403);
        client = builder(server.socketUri().toString()).reconnect(false).build();
        assertThatThrownBy(() -> get(client.connect())).hasMessageContaining("403");
        assertThat(count("slipstream.connect.failures", "kind", "rejected")).isEqualTo(1);
        client.close();

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        client = builder("ws://127.0.0.1:" + closedPort + "/socket").reconnect(false).build();
        assertThatThrownBy(() -> get(client.connect())).hasMessageContaining("127.0.0.1");
        assertThat(count("slipstream.connect.failures", "kind", "network")).isEqualTo(1);
        assertThat(count("slipstream.connections")).isZero();
        assertThat(count("slipstream.connect.failures")).isEqualTo(2);
    }

    /** The example of the Metrics section of slipstream-client/README.md and of this module's README, run. */
    @Test
    void theReadmeExample() throws Exception {
        URI uri = server.socketUri();
        // README: Metrics
        MeterRegistry registry = new SimpleMeterRegistry(); // or your Prometheus, OTLP, ... registry
        SlipstreamClient client = SlipstreamClient.builder(uri)
                .name("orders")
                .eventListener(SlipstreamMetrics.of(registry, "orders"))
                .build();
        client.connect().join();
        client.join("echo:orders");
        client.push("echo:orders", "echo", Payload.json("{\"id\":1}")).join();
        Timer pushes = registry.get("slipstream.pushes").tags("client", "orders", "status", "ok").timer();
        System.out.printf("%d pushes, mean %.2f ms%n", pushes.count(), pushes.mean(TimeUnit.MILLISECONDS));
        // end README
        assertThat(pushes.count()).isEqualTo(1);
        client.close();
    }
}
