package dev.slipstream.junit5.tutorial;

import static dev.slipstream.testing.script.PayloadMatcher.partial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.Push;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tutorial part 1: the test plays the server for a client module. The README quotes this file. */
// tag::client-module[]
@SlipstreamTest
class TestingAClientModuleTest {

    @Test
    void saysSomethingAndGetsItsId(ScriptedServer server) throws InterruptedException {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        ChatRoom lobby = new ChatRoom("lobby", "ada", heard::add);
        try (SlipstreamClient client = SlipstreamClient.builder(server.uri())
                .module(lobby)
                // a callback that throws fails the test:
                .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
                .build()) {
            // The module connects and joins by itself; accept both, checking the join params.
            ScriptedChannel room = server.connectAndJoin("room:lobby", Map.of("user", "ada"));

            // Exercise the module, then assert what it sent and answer it.
            CompletableFuture<Integer> id = lobby.say(client, "hello");
            Push push = room.assertPush("new_msg", partial(Map.of("body", "hello")));
            room.reply(push, Reply.ok(Map.of("id", 42)));
            assertThat(id).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(42);

            // The server speaks first: a push the module hands to its listener.
            room.push("new_msg", Map.of("body", "welcome, ada"));
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("welcome, ada"); // returns as it arrives
        }
        server.assertDisconnect();
    }

    @Test
    void anErrorReplyFailsTheFuture(ScriptedServer server) {
        ChatRoom lobby = new ChatRoom("lobby", "ada", body -> {});
        try (SlipstreamClient client = SlipstreamClient.builder(server.uri())
                .module(lobby)
                .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
                .build()) {
            ScriptedChannel room = server.connectAndJoin("room:lobby");
            CompletableFuture<Integer> id = lobby.say(client, "spam");
            room.reply(room.assertPush("new_msg"), Reply.error(Map.of("reason", "spam")));
            assertThat(id).failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat().withMessageContaining("{\"reason\":\"spam\"}");
        }
    }
}
// end::client-module[]
