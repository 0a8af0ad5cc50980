package dev.slipstream.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.ScriptedConnection;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class ChatClientTest {

    @Test
    void joinsTheRoomSaysAndHears(ScriptedServer server) {
        List<ChatClient.Line> heard = new CopyOnWriteArrayList<>();
        try (ChatClient ada = ChatClient.start(server.uri(), "lobby", "ada", heard::add)) {
            ScriptedConnection connection = server.acceptConnect();
            assertThat(connection.request().param("user_id")).isEqualTo("ada");
            connection.assertJoin("echo:lobby").accept();
            connection.assertJoin("presence:lobby").accept();
            assertThat(ada.joined()).succeedsWithin(Duration.ofSeconds(5));

            CompletableFuture<Void> said = ada.say("hello");
            connection.reply(connection.assertPush("echo:lobby", "broadcast", Map.of("user", "ada", "body", "hello")),
                    Reply.ok());
            assertThat(said).succeedsWithin(Duration.ofSeconds(5));

            connection.push("echo:lobby", "broadcast", Map.of("user", "bob", "body", "hi ada"));
            connection.push("echo:lobby", "something_else", Map.of("user", "bob", "body", "ignored"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
            assertThat(heard).containsExactly(new ChatClient.Line("bob", "hi ada"));

            CompletableFuture<Void> refused = ada.say("spam");
            connection.reply(connection.assertPush("echo:lobby", "broadcast"), Reply.error(Map.of("reason", "spam")));
            assertThat(refused).failsWithin(Duration.ofSeconds(5));
        }
        server.assertDisconnect();
    }
}
