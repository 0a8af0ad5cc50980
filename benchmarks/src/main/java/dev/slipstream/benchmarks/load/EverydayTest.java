package dev.slipstream.benchmarks.load;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The everyday {@code @SlipstreamTest}, as a user writes it, for the {@code testing} benchmark ({@link TestingProbe}
 * runs it through the JUnit Platform Launcher): a real {@link SlipstreamClient} connects and joins, the test accepts
 * both, asserts the push the client sent, replies, and checks the client got the reply; closing the client ends it.
 * It lives in the main source set so the benchmarks jar carries it.
 *
 * <pre>{@code
 * LauncherFactory.create().execute(request().selectors(selectClass(EverydayTest.class)).build(), listener);
 * }</pre>
 */
@SlipstreamTest
public class EverydayTest {

    @Test
    void pushAndReply(ScriptedServer server) throws Exception {
        exchange(server);
    }

    static void exchange(ScriptedServer server) throws Exception {
        try (SlipstreamClient client = SlipstreamClient.builder(server.uri())
                .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
                .build()) {
            CompletableFuture<Payload> joined = client.connect().thenCompose(ok -> client.join("room:lobby"));
            ScriptedChannel room = server.connectAndJoin("room:lobby");
            joined.get(5, TimeUnit.SECONDS);

            CompletableFuture<Payload.Reply> reply =
                    client.push("room:lobby", "new_msg", Payload.json("{\"body\":\"hi\"}"));
            room.reply(room.assertPush("new_msg", Map.of("body", "hi")), Reply.ok(Map.of("id", 1)));
            if (!reply.get(5, TimeUnit.SECONDS).isOk()) {
                throw new AssertionError("the reply was not ok: " + reply.join());
            }
        }
    }

    /**
     * The same test with one server for the class ({@code perClass = true}): the time of the exchange and the reset
     * between tests, without starting and closing a server.
     *
     * <pre>{@code
     * selectClass(EverydayTest.SharedServer.class)
     * }</pre>
     */
    @SlipstreamTest(perClass = true)
    public static class SharedServer {
        @Test
        void pushAndReply(ScriptedServer server) throws Exception {
            exchange(server);
        }
    }
}
