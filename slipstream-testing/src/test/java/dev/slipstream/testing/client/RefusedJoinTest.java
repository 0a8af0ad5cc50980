package dev.slipstream.testing.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A join the server refuses: retried with the rejoin backoff and fresh params by default, as phoenix.js and the Elixir
 * original do; final with {@code rejoinAfterRefusal(false)} (the module decides). Against the demo's
 * {@code echo:private}, which refuses any join without {@code "password":"secret"}.
 */
@Timeout(60)
class RefusedJoinTest {
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private SlipstreamClient client(FakePhoenixServer server, Boolean rejoinAfterRefusal, List<ClientEvent> events) {
        SlipstreamClient.Builder builder = SlipstreamClient.builder(server.socketUri()).eventListener(events::add);
        if (rejoinAfterRefusal != null) {
            builder.rejoinAfterRefusal(rejoinAfterRefusal);
        }
        SlipstreamClient client = builder.build();
        open.add(client);
        client.connect().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        return client;
    }

    private FakePhoenixServer server() {
        FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start();
        open.add(0, server);
        return server;
    }

    @Test
    void aRefusedJoinIsFinalWithRejoinAfterRefusalOff() {
        FakePhoenixServer server = server();
        List<ClientEvent> events = new CopyOnWriteArrayList<>();
        SlipstreamClient client = client(server, false, events);
        AtomicInteger asked = new AtomicInteger();

        CompletableFuture<Payload> join = client.join("echo:private", () -> {
            asked.incrementAndGet();
            return Payload.json("{\"password\":\"wrong\"}");
        });

        assertThat(join).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(JoinRefusedException.class);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
                .until(() -> events.stream().noneMatch(e -> e instanceof ClientEvent.RejoinScheduled));
        assertThat(asked).hasValue(1);
        assertThat(client.isJoined("echo:private")).isFalse();
    }

    @Test
    void byDefaultTheJoinIsRetriedWithFreshParamsUntilItSucceeds() {
        FakePhoenixServer server = server();
        List<ClientEvent> events = new CopyOnWriteArrayList<>();
        SlipstreamClient client = client(server, null, events);
        AtomicInteger asked = new AtomicInteger();

        CompletableFuture<Payload> join = client.join("echo:private", () -> Payload.json(
                asked.incrementAndGet() < 3 ? "{\"password\":\"wrong\"}" : "{\"password\":\"secret\"}"));

        assertThat(join).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(JoinRefusedException.class); // the caller learns of the refusal
        await().atMost(Duration.ofSeconds(20)).until(() -> client.isJoined("echo:private"));
        assertThat(asked).hasValue(3);
        assertThat(events).filteredOn(e -> e instanceof ClientEvent.RejoinScheduled).hasSize(2);
        assertThat(client.push("echo:private", "echo", Payload.json("{\"a\":1}"))
                .orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join().isOk()).isTrue();
    }

    @Test
    void leavingARefusedTopicStopsTheRetries() {
        FakePhoenixServer server = server();
        List<ClientEvent> events = new CopyOnWriteArrayList<>();
        SlipstreamClient client = client(server, true, events);

        CompletableFuture<Payload> join = client.join("echo:private", Payload.json("{\"password\":\"wrong\"}"));
        await().atMost(Duration.ofSeconds(20)).until(join::isDone);
        client.leave("echo:private").orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        int scheduled = (int) events.stream().filter(e -> e instanceof ClientEvent.RejoinScheduled).count();

        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() ->
                events.stream().filter(e -> e instanceof ClientEvent.JoinStarted).count() <= 1 + scheduled);
        assertThat(client.isJoined("echo:private")).isFalse();
    }
}
