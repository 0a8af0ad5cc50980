package dev.slipstream.examples.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.Presence;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedConnection;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class PresenceClientTest {

    /** A map that keeps its keys in the given order (Map.of does not), since the order of presences matters here. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> presence(String... refs) {
        return Map.of("metas", java.util.Arrays.stream(refs).map(r -> Map.of("phx_ref", r)).toList());
    }

    @Test
    void keepsWhoIsOnlineFromStateAndDiffsHoldingDiffsThatComeBeforeTheState(ScriptedServer server) {
        List<String> changes = new CopyOnWriteArrayList<>();
        PresenceClient.Listener listener = new PresenceClient.Listener() {
            @Override
            public void online(String key, Presence presence) {
                changes.add("+" + key);
            }

            @Override
            public void offline(String key, Presence presence) {
                changes.add("-" + key);
            }
        };
        try (PresenceClient client = PresenceClient.start(SlipstreamClient.builder(server.uri()).params(
                Map.of("user_id", "me")), "presence:lobby", listener)) {
            ScriptedChannel lobby = server.connectAndJoin("presence:lobby");
            // As Phoenix does: the diff of our own join is broadcast before the state is pushed.
            lobby.push("presence_diff", Map.of("joins", Map.of("me", presence("r1")), "leaves", Map.of()));
            lobby.push("presence_state", ordered("me", presence("r1"), "ann", presence("r0")));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.presence().list(Presence.Entry::key).size() == 2);
            // Keys in the server's order (Phoenix, like the fake server, writes small maps with sorted keys).
            assertThat(client.presence().list(Presence.Entry::key)).containsExactly("ann", "me");
            assertThat(client.presence().get("me").orElseThrow().metas()).hasSize(1); // the held diff did not duplicate r1

            lobby.push("presence_diff", Map.of("joins", Map.of("bob", presence("r2")), "leaves", Map.of()));
            lobby.push("presence_diff", Map.of("joins", Map.of(), "leaves", Map.of("ann", presence("r0"))));
            // An update: one diff with a join (new ref) and a leave (old ref) of the same key.
            lobby.push("presence_diff", Map.of("joins", Map.of("bob", presence("r3")),
                    "leaves", Map.of("bob", presence("r2"))));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 4);

            assertThat(changes).containsExactly("+ann", "+me", "+bob", "-ann");
            assertThat(client.presence().list(Presence.Entry::key)).containsExactly("me", "bob");
            assertThat(client.presence().get("bob").orElseThrow().metas().get(0).get("phx_ref").asText()).isEqualTo("r3");
        }
    }

    @Test
    void afterAReconnectTheFreshStateReplacesTheOldOne(ScriptedServer server) {
        List<String> changes = new CopyOnWriteArrayList<>();
        PresenceClient.Listener listener = new PresenceClient.Listener() {
            @Override
            public void online(String key, Presence presence) {
                changes.add("+" + key);
            }

            @Override
            public void offline(String key, Presence presence) {
                changes.add("-" + key);
            }
        };
        try (PresenceClient client = PresenceClient.start(server.uri(), "presence:lobby", "me", listener)) {
            ScriptedChannel lobby = server.connectAndJoin("presence:lobby");
            lobby.push("presence_state", ordered("me", presence("r1"), "ann", presence("r0")));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);

            lobby.connection().disconnect();
            ScriptedConnection again = server.acceptConnect(Duration.ofSeconds(5));
            again.assertJoin("presence:lobby").accept();
            // While we were away: ann left, cy came; our own meta is new (a new join, a new ref).
            again.push("presence:lobby", "presence_state", ordered("me", presence("r5"), "cy", presence("r6")));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 4);

            assertThat(changes).containsExactly("+ann", "+me", "+cy", "-ann");
            assertThat(client.presence().list(Presence.Entry::key)).containsExactlyInAnyOrder("me", "cy");
            assertThat(client.presence().get("me").orElseThrow().metas()).hasSize(1);
        }
    }
}
