package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    record Hello(String user) {}

    record NewMsg(String body) {}

    static final class Lobby implements ClientModule {
        final List<String> bodies = new CopyOnWriteArrayList<>(); // plain state would do: callbacks never overlap

        @Override
        public void started(SlipstreamClient client) {
            client.connect();
        }

        @Override
        public void connected(SlipstreamClient client) {
            client.join("room:lobby", new Hello("u1"));
        }

        @Override
        public void joined(SlipstreamClient client, String topic, Payload response) {
            client.push(topic, "new_msg", new NewMsg("hi"));
        }

        @Override
        public void message(SlipstreamClient client, String topic, String event, Payload payload) {
            bodies.add(payload.as(NewMsg.class).body());
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
                .thenCompose(joined -> client.push("room:lobby", "new_msg", new NewMsg("hi")))
                .join();
        if (reply.isOk()) {
            System.out.println("server said " + reply.as(NewMsg.class).body());
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
            sync.join("room:lobby", Map.of("fizz", "buzz"));
            Payload.Reply reply = sync.push("room:lobby", "ping", new NewMsg("pong"));
            ReceivedMessage welcome = sync.awaitMessage("room:lobby", "new_msg",
                    p -> p.as(NewMsg.class).body().equals("welcome"), Duration.ofSeconds(5));
            sync.leave("room:lobby");
            sync.disconnect();
            assertThat(reply.isOk()).isTrue();
            assertThat(reply.as(NewMsg.class)).isEqualTo(new NewMsg("pong"));
            assertThat(welcome.topic()).isEqualTo("room:lobby");
        }
    }
}
