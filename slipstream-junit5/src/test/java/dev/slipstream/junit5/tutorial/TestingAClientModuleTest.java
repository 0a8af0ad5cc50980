package dev.slipstream.junit5.tutorial;

import static dev.slipstream.testing.script.PayloadMatcher.partial;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.Push;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Tutorial part 1: the test plays the server for a client module. The README quotes this file. */
// tag::client-module[]
@SlipstreamTest
class TestingAClientModuleTest {

    @Test
    void sendsAMessageAndGetsItsId(ScriptedServer server) {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        try (ChatClient chat = ChatClient.connect(server.uri(), "lobby", "ada", received::add, server::reportFailure)) {
            // The client connects and joins by itself; accept both, checking the join params.
            ScriptedChannel room = server.connectAndJoin("room:lobby", Map.of("user", "ada"));

            // Exercise the client, then assert what it sent and answer it.
            CompletableFuture<JsonNode> id = chat.send("hello");
            Push push = room.assertPush("new_msg", partial(Map.of("body", "hello")));
            room.reply(push, Reply.ok(Map.of("id", 42)));
            assertThat(id).succeedsWithin(Duration.ofSeconds(5))
                    .satisfies(reply -> assertThat(reply.get("id").asInt()).isEqualTo(42));

            // The server speaks first: a push the client hands to its callback.
            room.push("new_msg", Map.of("body", "welcome, ada"));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
            assertThat(received.get(0).get("body").asText()).isEqualTo("welcome, ada");
        }
        server.assertDisconnect();
    }

    @Test
    void anErrorReplyFailsTheFuture(ScriptedServer server) {
        try (ChatClient chat = ChatClient.connect(server.uri(), "lobby", "ada", m -> {}, server::reportFailure)) {
            ScriptedChannel room = server.connectAndJoin("room:lobby");
            CompletableFuture<JsonNode> id = chat.send("spam");
            room.reply(room.assertPush("new_msg"), Reply.error(Map.of("reason", "spam")));
            assertThat(id).failsWithin(Duration.ofSeconds(5));
        }
    }
}
// end::client-module[]
