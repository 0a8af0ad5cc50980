package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.support.WireClient;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.script.ScriptedServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server per test borrows the JVM's shared server threads instead of making (and joining) threads of its own. */
class ServerThreadsTest {

    /** Records where a stub channel's join ran, by thread name. */
    private static SlipstreamExtension.Builder recordingJoinThreads(List<String> into) {
        return SlipstreamExtension.builder()
                .channel("room:*", (topic, params, socket) -> {
                    into.add(Thread.currentThread().getName());
                    return JoinResult.ok();
                })
                .acceptConnects();
    }

    private static void join(ScriptedServer server) {
        try (WireClient client = WireClient.connect(server.uri()).awaitOpen()) {
            client.awaitReply(client.join("room:lobby", Map.of()));
        }
    }

    @Nested
    class ByDefault {
        final List<String> threads = new CopyOnWriteArrayList<>();

        @RegisterExtension
        SlipstreamExtension phoenix = recordingJoinThreads(threads).build();

        @Test
        void handlersRunOnTheSharedThreads(ScriptedServer server) {
            join(server);
            assertThat(threads).singleElement().asString().startsWith("slipstream-fake-shared-worker-");
        }
    }

    @Nested
    class OptedOut {
        final List<String> threads = new CopyOnWriteArrayList<>();

        @RegisterExtension
        SlipstreamExtension phoenix = recordingJoinThreads(threads).server(b -> b.sharedThreads(false)).build();

        @Test
        void aCustomizerCanGiveTheServerThreadsOfItsOwn(ScriptedServer server) {
            join(server);
            assertThat(threads).singleElement().asString().startsWith("slipstream-fake-").doesNotContain("shared");
        }
    }
}
