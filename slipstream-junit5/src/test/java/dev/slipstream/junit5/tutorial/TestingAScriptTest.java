package dev.slipstream.junit5.tutorial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.SyncClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.ScriptedServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Tutorial part 2: testing a synchronous script, which blocks while the test plays the server. */
class TestingAScriptTest {

    // tag::script[]
    /** The script under test: connect, join, ask for the history, return it. Each step waits for the server. */
    static List<String> fetchHistory(URI server) {
        try (SyncClient sync = SlipstreamClient.builder(server).buildSync()) {
            sync.connect();
            sync.join("room:lobby");
            Payload.Reply reply = sync.push("room:lobby", "new_msg", Map.of("body", "/history"));
            if (!reply.isOk()) {
                throw new SlipstreamException("no history: " + reply.response());
            }
            return reply.response().asJson().json().findValuesAsText("body");
        }
    }

    @SlipstreamTest
    static class HistoryScript {
        @Test
        void returnsTheBodiesTheServerSends(ScriptedServer server) {
            // The script blocks until the server answers, so run it beside the test, which plays the server.
            CompletableFuture<List<String>> history = CompletableFuture.supplyAsync(() -> fetchHistory(server.uri()));

            server.connectAndJoin("room:lobby")
                    .reply(server.assertPush("room:lobby", "new_msg", Map.of("body", "/history")),
                            Reply.ok(Map.of("messages", List.of(Map.of("body", "first"), Map.of("body", "second")))));

            assertThat(history).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(List.of("first", "second"));
            server.assertDisconnect();
        }
    }
    // end::script[]
}
