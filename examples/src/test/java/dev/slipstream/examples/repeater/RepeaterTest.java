package dev.slipstream.examples.repeater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.ReceivedMessage;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SyncClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class RepeaterTest {

    record Relayed(String topic, String event, String payload) {
    }

    @Test
    void relaysEveryMessageOfItsTopicAndNothingElse(ScriptedServer source) {
        List<Relayed> relayed = new CopyOnWriteArrayList<>();
        Repeater repeater = new Repeater("rooms:lobby",
                (topic, event, payload) -> relayed.add(new Relayed(topic, event, payload.toString())));
        try (SlipstreamClient client = SlipstreamClient.builder(source.uri()).module(repeater).build()) {
            ScriptedChannel lobby = source.connectAndJoin("rooms:lobby");
            CompletableFuture<Payload> other = client.join("rooms:other");
            source.connection().assertJoin("rooms:other").accept();
            assertThat(other).succeedsWithin(Duration.ofSeconds(5));

            lobby.push("new_msg", Map.of("body", "hi"));
            source.push("rooms:other", "new_msg", Map.of("body", "not relayed"));
            lobby.push("edit_msg", Map.of("id", 1));

            await().atMost(Duration.ofSeconds(5)).until(() -> relayed.size() == 2);
            assertThat(relayed).extracting(Relayed::event).containsExactly("new_msg", "edit_msg");
            assertThat(relayed.get(0).payload()).contains("\"body\":\"hi\"");
        }
    }

    @Test
    @SuppressWarnings("try") // the client under test runs by itself; the block only closes it
    void relaysOntoATopicOfAnotherServer(ScriptedServer source) {
        try (FakePhoenixServer mirrorServer = DemoChannels.install(FakePhoenixServer.builder()).start();
                SlipstreamClient mirror = SlipstreamClient.builder(mirrorServer.socketUri()).build();
                SyncClient watcher = SlipstreamClient.builder(mirrorServer.socketUri()).buildSync()) {
            watcher.connect();
            watcher.join("echo:mirror");
            mirror.connect();
            mirror.join("echo:mirror"); // a push relayed before this join completes waits for it

            try (SlipstreamClient client = SlipstreamClient.builder(source.uri())
                    .module(new Repeater("rooms:lobby", Repeater.Sink.pushTo(mirror, "echo:mirror")))
                    .build()) {
                // On the demo server's echo:* channel, "broadcast" goes to every subscriber: the watcher sees it.
                source.connectAndJoin("rooms:lobby").push("broadcast", Map.of("body", "relayed across"));

                ReceivedMessage seen = watcher.awaitMessage("echo:mirror", "broadcast", Duration.ofSeconds(5));
                assertThat(seen.payload()).isEqualTo(Payload.json("{\"body\":\"relayed across\"}"));
            }
        }
    }
}
