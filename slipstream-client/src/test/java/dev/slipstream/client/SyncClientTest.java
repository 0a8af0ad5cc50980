package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SyncClientTest {
    private TestPhoenixServer server;

    @BeforeEach
    void start() {
        server = new TestPhoenixServer().script((s, m) -> {
            TestPhoenixServer.standard(s, m);
            if (m.event().equals("push to me")) {
                s.push(m.topic(), "foo", Payload.json("{\"n\":1}"));
                s.push(m.topic(), "foo", Payload.json("{\"n\":2}"));
                s.push(m.topic(), "bar", Payload.json("{\"n\":3}"));
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aScriptConnectsJoinsPushesAndAwaitsMessages() {
        try (SyncClient sync = SlipstreamClient.builder(server.uri()).buildSync()) {
            sync.connect();
            sync.join("room:lobby", Payload.json("{\"fizz\":\"buzz\"}"));
            Payload.Reply reply = sync.push("room:lobby", "ping", Payload.json("{\"pong\":\"pong\"}"));
            assertThat(reply.response()).isEqualTo(Payload.json("{\"pong\":\"pong\"}"));

            sync.push("room:lobby", "push to me", Payload.empty());
            // Awaited out of arrival order: the others are kept for later.
            ReceivedMessage bar = sync.awaitMessage("room:lobby", "bar", Duration.ofSeconds(5));
            ReceivedMessage second = sync.awaitMessage("room:lobby", "foo",
                    p -> p.asJson().json().get("n").asInt() == 2, Duration.ofSeconds(5));
            ReceivedMessage first = sync.awaitMessage("room:lobby", "foo", Duration.ofSeconds(5));
            assertThat(bar.payload()).isEqualTo(Payload.json("{\"n\":3}"));
            assertThat(second.payload()).isEqualTo(Payload.json("{\"n\":2}"));
            assertThat(first.payload()).isEqualTo(Payload.json("{\"n\":1}"));

            assertThatThrownBy(() -> sync.awaitMessage("room:lobby", "foo", Duration.ofMillis(50)))
                    .isInstanceOf(AwaitTimeoutException.class);
            sync.leave("room:lobby");
            sync.disconnect();
            assertThat(sync.async().isConnected()).isFalse();
        }
    }

    @Test
    void unawaitedMessagesAreBoundedAndTheOldestDroppedAndCounted() {
        try (SyncClient sync = SyncClient.create(SlipstreamClient.builder(server.uri()), 2)) {
            sync.connect();
            sync.join("room:lobby");
            sync.push("room:lobby", "push to me", Payload.empty());
            await().until(() -> sync.droppedMessages() == 1);
            assertThat(sync.awaitMessage("room:lobby", null, Duration.ofSeconds(1)).payload())
                    .isEqualTo(Payload.json("{\"n\":2}"));
        }
    }

    @Test
    void usingTheSyncClientInsideItsOwnCallbackFailsFastInsteadOfDeadlocking() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<SyncClient> self = new AtomicReference<>();
        SlipstreamClient.Builder builder = SlipstreamClient.builder(server.uri()).module(new ClientModule() {
            @Override
            public void joined(SlipstreamClient client, String topic, Payload response) {
                try {
                    self.get().push(topic, "ping", Payload.empty());
                } catch (IllegalStateException e) {
                    failure.set(e);
                }
            }
        });
        try (SyncClient sync = builder.buildSync()) {
            self.set(sync);
            sync.connect();
            sync.join("room:lobby");
            await().until(() -> failure.get() != null);
            assertThat(failure.get()).hasMessageContaining("deadlock");
        }
    }

    @Test
    void aRefusedConnectSurfacesAsATypedException() {
        server.rejectUpgradesWith(403);
        try (SyncClient sync = SlipstreamClient.builder(server.uri()).reconnect(false).buildSync()) {
            assertThatThrownBy(sync::connect).isInstanceOfSatisfying(ConnectFailedException.class,
                    e -> assertThat(e.httpStatus()).hasValue(403));
        }
    }
}
