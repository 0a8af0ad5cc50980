package dev.slipstream.testing.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.slipstream.client.Backoff;
import dev.slipstream.client.Presence;
import dev.slipstream.client.PresenceMappingException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SyncClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's {@link Presence} against the fake server's demo presence channel ({@code presence:*}: tracks the
 * {@code user_id} with {@code {"online_at": seconds}}, {@code update_meta} merges into the meta), over real loopback
 * websockets: joins, leaves, meta updates, two clients, rejoin after a reconnect, typed metas, and the callbacks'
 * thread. Every wait is bounded.
 */
@Timeout(60)
class ClientPresenceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ROOM = "presence:room";

    /** The demo channel's meta, typed; {@code phx_ref} is the server's. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Meta(@JsonProperty("phx_ref") String ref, @JsonProperty("online_at") long onlineAt, String status) {
    }

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<ClientEvent> events = new CopyOnWriteArrayList<>();
    private FakePhoenixServer server;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    private SlipstreamClient.Builder builder(String userId) {
        return SlipstreamClient.builder(server.socketUri())
                .params(Map.of("user_id", userId))
                .pushTimeout(WAIT)
                .connectTimeout(WAIT)
                .reconnectBackoff(Backoff.of(attempt -> Duration.ofMillis(50)))
                .eventListener(events::add);
    }

    private SlipstreamClient client(String userId) {
        SlipstreamClient c = builder(userId).build();
        toClose.add(c);
        return c;
    }

    /** Records callbacks as "+key" (came online), "~key" (metas changed) and "-key" (went offline). */
    private static List<String> record(SlipstreamClient client, Presence presence, List<Boolean> onCallbackThread) {
        List<String> seen = new CopyOnWriteArrayList<>();
        presence.onJoin((key, current, joined) -> {
            onCallbackThread.add(client.isCallbackThread());
            seen.add((current == null ? "+" : "~") + key);
        });
        presence.onLeave((key, current, left) -> {
            onCallbackThread.add(client.isCallbackThread());
            seen.add((current.metas().isEmpty() ? "-" : "~") + key);
        });
        return seen;
    }

    @Test
    void twoClientsSeeEachOtherJoinUpdateTheirMetaAndLeave() {
        server = DemoChannels.install(FakePhoenixServer.builder()).start();
        SlipstreamClient ada = client("ada");
        List<Boolean> onCallbackThread = new CopyOnWriteArrayList<>();
        Presence room = ada.presence(ROOM);
        List<String> seen = record(ada, room, onCallbackThread);
        List<List<String>> syncs = new CopyOnWriteArrayList<>();
        room.onSync(() -> syncs.add(room.list(Presence.Entry::key)));

        ada.connect();
        ada.join(ROOM).join();
        await().atMost(WAIT).until(() -> room.list(Presence.Entry::key).equals(List.of("ada")));

        try (SyncClient bob = builder("bob").buildSync()) {
            bob.connect();
            bob.join(ROOM);
            assertThat(bob.awaitPresence(ROOM, list -> list.size() == 2, WAIT))
                    .extracting(Presence.Entry::key).containsExactly("ada", "bob");
            await().atMost(WAIT).until(() -> seen.contains("+bob"));

            bob.push(ROOM, "update_meta", Payload.json("{\"status\":\"away\"}"));
            await().atMost(WAIT).until(() -> room.get("bob").map(e -> e.metas(Meta.class).get(0).status())
                    .filter("away"::equals).isPresent());
            Meta away = room.get("bob").orElseThrow().metas(Meta.class).get(0);
            assertThat(away.onlineAt()).isPositive();
            assertThat(room.get("bob").orElseThrow().metas()).as("an update replaces the meta").hasSize(1);

            bob.leave(ROOM);
            await().atMost(WAIT).until(() -> seen.contains("-bob"));
        }
        assertThat(room.list(Presence.Entry::key)).containsExactly("ada");
        // "~ada": the diff of ada's own join, held until the state, is applied after it and reported as phoenix.js
        // does (a join of a ref already there). The update is one diff that joins bob's new meta and leaves the old
        // one: bob never went offline then.
        assertThat(seen).containsExactly("+ada", "~ada", "+bob", "~bob", "~bob", "-bob");
        assertThat(onCallbackThread).isNotEmpty().containsOnly(true);
        assertThat(syncs).contains(List.of("ada"), List.of("ada", "bob"));
        assertThat(syncs.get(syncs.size() - 1)).as("inside onSync the list is already the synced one")
                .containsExactly("ada");
    }

    @Test
    void afterAReconnectTheRejoinReportsOnlyWhatReallyChanged() {
        server = DemoChannels.install(FakePhoenixServer.builder()).start();
        SlipstreamClient bob = client("bob");
        bob.connect().join();
        bob.join(ROOM).join();
        SlipstreamClient ada = client("ada");
        List<Boolean> onCallbackThread = new CopyOnWriteArrayList<>();
        Presence room = ada.presence(ROOM);
        List<String> seen = record(ada, room, onCallbackThread);
        ada.connect().join();
        ada.join(ROOM).join();
        await().atMost(WAIT).until(() -> room.list().size() == 2);
        String adaRefBefore = room.get("ada").orElseThrow().metas(Meta.class).get(0).ref();
        seen.clear();

        assertThat(server.disconnect("user_socket:ada")).isEqualTo(1);

        // Rejoined: the server tracks ada afresh (a new phx_ref); bob did not change while ada was away.
        await().atMost(WAIT).until(() -> room.get("ada").map(e -> e.metas(Meta.class).get(0).ref())
                .filter(ref -> !ref.equals(adaRefBefore)).isPresent());
        await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(room.list(Presence.Entry::key)).containsExactlyInAnyOrder("ada", "bob");
        assertThat(room.get("ada").orElseThrow().metas()).as("the old meta left, the held own-join diff did not "
                + "double the new one").hasSize(1);
        assertThat(seen).as("ada's meta changed; ada never went offline; nothing about bob")
                .allMatch(s -> s.equals("~ada"));
        assertThat(events).filteredOn(e -> e instanceof ClientEvent.CallbackFailed).isEmpty();
    }

    @Test
    void leavingTheTopicEmptiesTheListAndARejoinStartsAfresh() {
        server = DemoChannels.install(FakePhoenixServer.builder()).start();
        SlipstreamClient ada = client("ada");
        Presence room = ada.presence(ROOM);
        ada.connect().join();
        ada.join(ROOM).join();
        await().atMost(WAIT).until(() -> room.list().size() == 1);

        ada.leave(ROOM).join();
        assertThat(room.list()).isEmpty();
        assertThat(ada.presence(ROOM)).as("one view per topic, for the client's life").isSameAs(room);

        List<String> seen = record(ada, room, new CopyOnWriteArrayList<>());
        ada.join(ROOM).join();
        await().atMost(WAIT).until(() -> seen.contains("+ada"));
        assertThat(room.list(Presence.Entry::key)).containsExactly("ada");
    }

    @Test
    void aMetaThatDoesNotMapIsATypedErrorNamingTopicKeyAndType() {
        server = DemoChannels.install(FakePhoenixServer.builder()).start();
        SlipstreamClient ada = client("ada");
        ada.connect().join();
        ada.join(ROOM).join();
        await().atMost(WAIT).until(() -> ada.presence(ROOM).list().size() == 1);
        // The client's mapper ignores properties a type lacks, so the mismatch is a type: online_at is a number.
        record Strict(java.util.Map<String, Object> online_at) {
        }

        Presence.Entry entry = ada.presence(ROOM).get("ada").orElseThrow();
        assertThatThrownBy(() -> entry.metas(Strict.class))
                .isInstanceOfSatisfying(PresenceMappingException.class, e -> {
                    assertThat(e.topic()).isEqualTo(ROOM);
                    assertThat(e.key()).isEqualTo("ada");
                    assertThat(e.type()).isEqualTo(Strict.class);
                })
                .hasMessageContaining("\"ada\"").hasMessageContaining(ROOM).hasMessageContaining("Strict");
    }

    @Test
    void aMalformedPresencePayloadIsReportedAndAThrowingCallbackDoesNotStopTheOthers() throws Exception {
        try (ScriptedServer scripted = ScriptedServer.start()) {
            SlipstreamClient c = SlipstreamClient.builder(scripted.uri()).eventListener(events::add).build();
            toClose.add(c);
            Presence lobby = c.presence("room:lobby");
            List<String> seen = new CopyOnWriteArrayList<>();
            lobby.onJoin((key, current, joined) -> {
                throw new IllegalStateException("a bug in the user's callback");
            });
            lobby.onJoin((key, current, joined) -> seen.add("+" + key));
            c.connect();
            c.join("room:lobby");
            ScriptedChannel channel = scripted.connectAndJoin("room:lobby");

            channel.push("presence_state", Map.of("u1", Map.of("metas", List.of(Map.of("phx_ref", "1")))));
            channel.push("presence_diff", Map.of("joins", List.of(1), "leaves", Map.of()));
            await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e instanceof ClientEvent.MessageDropped));

            assertThat(seen).containsExactly("+u1");
            assertThat(lobby.list(Presence.Entry::key)).containsExactly("u1");
            assertThat(events).filteredOn(e -> e instanceof ClientEvent.MessageDropped).singleElement()
                    .asString().contains("presence_diff").contains("joins");
            assertThat(events).filteredOn(e -> e instanceof ClientEvent.CallbackFailed).singleElement()
                    .asString().contains("presence.onJoin");
        }
    }
}
