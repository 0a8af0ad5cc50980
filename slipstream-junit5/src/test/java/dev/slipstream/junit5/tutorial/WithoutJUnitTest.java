package dev.slipstream.junit5.tutorial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.support.WireClient;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.Push;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tutorial: scripted mode in plain code, as any test framework would use it. The README quotes the method body. */
class WithoutJUnitTest {

    @Test
    void scriptedModeByHand() {
        // tag::without-junit[]
        try (ScriptedServer server = ScriptedServer.start();
                WireClient client = WireClient.connect(server.uri()).joinOnOpen("room:lobby", Map.of())) {
            ScriptedChannel room = server.connectAndJoin("room:lobby");
            String ref = client.push("room:lobby", "new_msg", Map.of("body", "hi"));
            Push push = room.assertPush("new_msg", Map.of("body", "hi"));
            room.reply(push, Reply.ok(Map.of("id", 1)));
            assertThat(client.awaitReply(ref).payload().asReply().isOk()).isTrue();
            assertThat(server.takeFailures()).isEmpty();
        }
        // end::without-junit[]
    }
}
