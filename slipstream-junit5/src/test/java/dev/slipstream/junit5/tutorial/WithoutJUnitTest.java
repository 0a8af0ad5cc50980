package dev.slipstream.junit5.tutorial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Tutorial: scripted mode in plain code, as any test framework would use it. The README quotes the method body. */
class WithoutJUnitTest {

    @Test
    void scriptedModeByHand() {
        // tag::without-junit[]
        try (ScriptedServer server = ScriptedServer.start();
                SlipstreamClient client = SlipstreamClient.builder(server.uri())
                        .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
                        .build()) {
            CompletableFuture<Payload> joined = client.connect().thenCompose(ok -> client.join("room:lobby"));
            ScriptedChannel room = server.connectAndJoin("room:lobby");
            assertThat(joined).succeedsWithin(Duration.ofSeconds(5));

            CompletableFuture<Payload.Reply> reply =
                    client.push("room:lobby", "new_msg", Map.of("body", "hi"));
            room.reply(room.assertPush("new_msg", Map.of("body", "hi")), Reply.ok(Map.of("id", 1)));
            assertThat(reply).succeedsWithin(Duration.ofSeconds(5)).satisfies(r -> assertThat(r.isOk()).isTrue());
            assertThat(server.takeFailures()).isEmpty();
        }
        // end::without-junit[]
    }
}
