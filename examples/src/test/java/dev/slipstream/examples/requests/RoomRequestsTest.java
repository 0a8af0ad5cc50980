package dev.slipstream.examples.requests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.Join;
import dev.slipstream.testing.script.Push;
import dev.slipstream.testing.script.ScriptedConnection;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class RoomRequestsTest {

    @Test
    void aRequestToATopicNotJoinedYetIsPushedOnlyOnceTheJoinCompletes(ScriptedServer server) {
        try (RoomRequests rooms = RoomRequests.start(SlipstreamClient.builder(server.uri()))) {
            ScriptedConnection connection = server.acceptConnect();

            // Two callers on other threads ask the same room at once.
            CompletableFuture<Payload> history = CompletableFuture.supplyAsync(
                    () -> rooms.ask("room:7", "history", Map.of("last", 2))).join();
            CompletableFuture<Payload> topic = CompletableFuture.supplyAsync(
                    () -> rooms.ask("room:7", "topic", Payload.empty())).join();

            Join join = connection.assertJoin("room:7");
            connection.refuteJoin("room:7"); // one join for both
            connection.refutePush("room:7", "history"); // deferred until the join completes
            assertThat(history).isNotDone();

            join.accept();
            Push h = connection.assertPush("room:7", "history", Map.of("last", 2));
            Push t = connection.assertPush("room:7", "topic");
            connection.reply(t, Reply.ok(Map.of("topic", "cats")));
            connection.reply(h, Reply.ok(Map.of("messages", java.util.List.of("a", "b"))));

            assertThat(history).succeedsWithin(Duration.ofSeconds(5))
                    .isEqualTo(Payload.json("{\"messages\":[\"a\",\"b\"]}"));
            assertThat(topic).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(Payload.json("{\"topic\":\"cats\"}"));

            // Joined now: the next request goes straight out.
            CompletableFuture<Payload> again = rooms.ask("room:7", "topic", Payload.empty());
            connection.reply(connection.assertPush("room:7", "topic"), Reply.ok(Map.of("topic", "dogs")));
            assertThat(again).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(Payload.json("{\"topic\":\"dogs\"}"));
            connection.refuteJoin("room:7");
        }
    }

    @Test
    void anErrorReplyOrARefusedJoinFailsTheRequestAndALaterRequestJoinsAgain(ScriptedServer server) {
        try (RoomRequests rooms = RoomRequests.start(SlipstreamClient.builder(server.uri()))) {
            ScriptedConnection connection = server.acceptConnect();

            CompletableFuture<Payload> refused = rooms.ask("room:secret", "history", Payload.empty());
            connection.assertJoin("room:secret").reject(Map.of("reason", "unauthorized"));
            assertThat(refused).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(Exception.class)
                    .withCauseInstanceOf(JoinRefusedException.class);

            CompletableFuture<Payload> retried = rooms.ask("room:secret", "history", Payload.empty());
            connection.assertJoin("room:secret").accept();
            connection.reply(connection.assertPush("room:secret", "history"), Reply.error(Map.of("reason", "empty")));
            assertThat(retried).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(Exception.class)
                    .havingCause().isInstanceOf(RoomRequests.RequestRefusedException.class)
                    .withMessageContaining("empty");
        }
    }
}
