package dev.slipstream.junit5.tutorial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.junit5.SlipstreamExtension;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tutorial part 3: a stub backend answers by itself; the test only checks what the client did. */
class StubbingABackendTest {

    // tag::stub[]
    /** A stub of the real room channel: accepts joins, numbers messages, echoes them to the room. */
    static final class RoomStub implements ChannelHandler {
        private final AtomicInteger ids = new AtomicInteger();

        @Override
        public JoinResult join(String topic, Payload params, ChannelSocket socket) {
            return JoinResult.ok(Map.of("history", List.of()));
        }

        @Override
        public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
            socket.broadcast("new_msg", payload);
            return HandleResult.ok(Map.of("id", ids.incrementAndGet()));
        }
    }

    @RegisterExtension
    static SlipstreamExtension phoenix = SlipstreamExtension.builder()
            .channel("room:*", new RoomStub())
            .acceptConnects()
            .build();

    @Test
    void messagesComeBackNumbered(ScriptedServer server) throws InterruptedException {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        ChatRoom lobby = new ChatRoom("lobby", "ada", heard::add);
        try (SlipstreamClient client = SlipstreamClient.builder(server.uri())
                .module(lobby)
                .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
                .build()) {
            assertThat(lobby.joined()).succeedsWithin(Duration.ofSeconds(5));
            assertThat(lobby.say(client, "one")).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1);
            assertThat(lobby.say(client, "two")).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(2);
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("one");
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("two");

            // The stub answered; the assertions still see everything the client sent.
            server.assertJoin("room:lobby", Map.of("user", "ada"));
            server.assertPush("room:lobby", "new_msg", Map.of("body", "one"));
            server.assertPush("room:lobby", "new_msg", Map.of("body", "two"));
        }
    }
    // end::stub[]
}
