package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Payload;
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

    // README: Presence
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Meta(@JsonProperty("phx_ref") String ref, String device) {}

    @Test
    void presence() {
        try (TestPhoenixServer phoenix = new TestPhoenixServer().script((s, m) -> {
            TestPhoenixServer.standard(s, m);
            if (m.event().equals("phx_join")) { // as Phoenix: the diff of our own join, then the state
                s.push(m.topic(), "presence_diff", Payload.json("{\"joins\":{\"me\":{\"metas\":"
                        + "[{\"phx_ref\":\"2\",\"device\":\"cli\"}]}},\"leaves\":{}}"));
                s.push(m.topic(), "presence_state", Payload.json("{\"ada\":{\"metas\":[{\"phx_ref\":\"1\","
                        + "\"device\":\"phone\"}]},\"me\":{\"metas\":[{\"phx_ref\":\"2\",\"device\":\"cli\"}]}}"));
            }
        }); SlipstreamClient client = SlipstreamClient.builder(phoenix.uri()).build()) {
            List<String> printed = new CopyOnWriteArrayList<>();
            client.connect().join();

            Presence lobby = client.presence("room:lobby");
            lobby.onJoin((key, current, joined) -> {
                if (current == null) {
                    printed.add(key + " came online");
                }
            });
            lobby.onLeave((key, current, left) -> {
                if (current.metas().isEmpty()) {
                    printed.add(key + " went offline");
                }
            });
            lobby.onSync(() -> printed.add("online: " + lobby.list(Presence.Entry::key)));
            client.join("room:lobby");

            await().atMost(Duration.ofSeconds(5)).until(() -> lobby.list().size() == 2);
            List<Meta> devices = lobby.get("ada").map(e -> e.metas(Meta.class)).orElse(List.of());
            assertThat(devices).containsExactly(new Meta("1", "phone"));
            assertThat(printed).containsExactly("ada came online", "me came online", "online: [ada, me]");
        }
    }

    // README: Phoenix 1.8 auth token (AuthTokenTest in slipstream-transport-nio checks what the server receives)
    @Test
    void authToken() {
        URI uri = server.uri();
        Supplier<String> tokens = () -> "fresh-token";
        SlipstreamClient client = SlipstreamClient.builder(uri)
                .authToken(() -> tokens.get())
                .build();
        client.connect().join();
        assertThat(client.isConnected()).isTrue();
        client.close();
    }
}
