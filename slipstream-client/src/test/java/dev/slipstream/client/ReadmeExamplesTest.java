package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.protocol.Payload;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.client.transport.NioWebSocketTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The examples of the module's README, compiled and run against the loopback server. */
class ReadmeExamplesTest {
    private final TestPhoenixServer server = new TestPhoenixServer().script((s, m) -> {
        TestPhoenixServer.standard(s, m);
        if (m.event().equals("phx_join")) {
            s.push(m.topic(), "new_msg", Payload.json("{\"body\":\"welcome\"}"));
        }
    });

    @AfterEach
    void stop() {
        server.close();
    }

    // README: 1. A client module
    static final class Lobby implements ClientModule {
        final List<String> bodies = new CopyOnWriteArrayList<>(); // plain state would do: callbacks never overlap

        @Override
        public void started(SlipstreamClient client) {
            client.connect();
        }

        @Override
        public void connected(SlipstreamClient client) {
            client.join("room:lobby", Payload.json("{\"user\":\"u1\"}"));
        }

        @Override
        public void joined(SlipstreamClient client, String topic, Payload response) {
            client.push(topic, "new_msg", Payload.json("{\"body\":\"hi\"}"));
        }

        @Override
        public void message(SlipstreamClient client, String topic, String event, Payload payload) {
            bodies.add(payload.asJson().json().get("body").asText());
        }

        @Override
        public void disconnected(SlipstreamClient client, DisconnectReason reason) {
            // Nothing to do: the client reconnects with backoff and rejoins room:lobby by itself.
        }
    }

    @Test
    void aClientModule() {
        URI uri = server.uri(); // e.g. URI.create("ws://localhost:4000/socket")
        Lobby lobby = new Lobby();
        SlipstreamClient client = SlipstreamClient.builder(uri)
                .params(() -> Map.of("token", "fresh-token"))
                .module(lobby)
                .build();
        await().until(() -> lobby.bodies.contains("welcome"));
        client.close();
    }

    @Test
    void futures() {
        URI uri = server.uri();
        List<ClientEvent> seen = new CopyOnWriteArrayList<>();
        SlipstreamClient client = SlipstreamClient.builder(uri)
                .eventListener(seen::add)
                .build();
        Payload.Reply reply = client.connect()
                .thenCompose(connected -> client.join("room:lobby"))
                .thenCompose(joined -> client.push("room:lobby", "new_msg", Payload.json("{\"body\":\"hi\"}")))
                .join();
        if (reply.isOk()) {
            System.out.println("server said " + reply.response());
        }
        client.push("room:lobby", "slow", Payload.empty(), Duration.ofSeconds(2))
                .exceptionally(e -> null); // PushTimeoutException, ConnectionLostException, ... all typed
        client.close();
        assertThat(reply.response()).isEqualTo(Payload.json("{\"body\":\"hi\"}"));
        assertThat(seen).anyMatch(e -> e instanceof ClientEvent.ReplyReceived);
    }

    @Test
    void synchronous() {
        URI uri = server.uri();
        try (SyncClient sync = SlipstreamClient.builder(uri).buildSync()) {
            sync.connect();
            sync.join("room:lobby", Payload.json("{\"fizz\":\"buzz\"}"));
            Payload.Reply reply = sync.push("room:lobby", "ping", Payload.json("{\"pong\":\"pong\"}"));
            ReceivedMessage welcome = sync.awaitMessage("room:lobby", "new_msg",
                    p -> p.asJson().json().get("body").asText().equals("welcome"), Duration.ofSeconds(5));
            sync.leave("room:lobby");
            sync.disconnect();
            assertThat(reply.isOk()).isTrue();
            assertThat(welcome.topic()).isEqualTo("room:lobby");
        }
    }

    // README: Phoenix 1.8 auth token (AuthTokenTest in slipstream-testing checks what the server receives)
    @Test
    void authToken() {
        URI uri = server.uri();
        Supplier<String> tokens = () -> "fresh-token";
        SlipstreamClient client = SlipstreamClient.builder(uri)
                .authToken(() -> tokens.get())
                .transport(NioWebSocketTransport.shared())
                .build();
        client.connect().join();
        assertThat(client.isConnected()).isTrue();
        client.close();
    }
}
