package dev.slipstream.testing.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.Backoff;
import dev.slipstream.client.NotConnectedException;
import dev.slipstream.client.PushBufferFullException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.TopicNotJoinedException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.RecordedFrame;
import dev.slipstream.testing.ServerConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pushes made before their topic is joined, with the client's defaults (no {@code pushBufferSize} set), against the
 * fake server over loopback: buffered while the join or a rejoin is in flight and sent after it in order, as
 * phoenix.js does ({@code push_buffered_before_join} in the conformance suite); bounded at 100 per topic; and failed at
 * once where no join will come. The reconnect case is {@code ClientAgainstFakeServerTest.bufferedPushesGoOutAfterTheRejoin};
 * the timeouts of buffered pushes are in {@code VirtualTimeTest}.
 */
@Timeout(60)
class DefaultPushBufferingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Joins of {@code held:*} wait for the test (the first join of a topic too when {@link #holdFirst}). */
    private final List<CompletableFuture<JoinResult>> heldJoins = new CopyOnWriteArrayList<>();
    private final AtomicInteger joins = new AtomicInteger();
    private volatile boolean holdFirst = true;
    private final List<ClientEvent> events = new CopyOnWriteArrayList<>();
    private final FakePhoenixServer server = FakePhoenixServer.builder()
            .channel("held:*", new ChannelHandler() {
                @Override
                public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                    if (joins.incrementAndGet() == 1 && !holdFirst) {
                        return JoinResult.ok();
                    }
                    CompletableFuture<JoinResult> decision = new CompletableFuture<>();
                    heldJoins.add(decision);
                    return JoinResult.later(decision);
                }

                @Override
                public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                    return HandleResult.ok(payload);
                }
            })
            .channel("free:*", new ChannelHandler() {
                @Override
                public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                    return JoinResult.ok();
                }

                @Override
                public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                    return HandleResult.ok(payload);
                }
            })
            .start();
    private final SlipstreamClient client = SlipstreamClient.builder(server.socketUri())
            .rejoinBackoff(Backoff.of(attempt -> Duration.ofMillis(20)))
            .eventListener(events::add)
            .build();

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Payload n(int i) {
        return Payload.json("{\"n\":" + i + "}");
    }

    /** The events the client sent on {@code topic}, in the order the server received them. */
    private List<String> eventsReceivedOn(ServerConnection conn, String topic) {
        return conn.recording().stream().filter(f -> f.direction() == RecordedFrame.Direction.IN)
                .map(RecordedFrame::message).filter(m -> m != null && topic.equals(m.topic()))
                .map(m -> m.event() + (m.payload().asJson().json().has("n")
                        ? m.payload().asJson().json().get("n").asText() : ""))
                .toList();
    }

    @Test
    void pushesMadeWhileTheJoinIsInFlightGoOutAfterItInOrder() throws Exception {
        get(client.connect());
        CompletableFuture<Payload> joined = client.join("held:a");
        List<CompletableFuture<Payload.Reply>> pushes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            pushes.add(client.push("held:a", "echo", n(i)));
        }
        await().atMost(WAIT).until(() -> heldJoins.size() == 1);
        await().atMost(WAIT).until(() -> events.stream().filter(ClientEvent.PushBuffered.class::isInstance).count() == 3);
        ServerConnection conn = server.awaitConnection(WAIT);
        assertThat(eventsReceivedOn(conn, "held:a")).containsExactly("phx_join");

        heldJoins.get(0).complete(JoinResult.ok());
        get(joined);
        for (int i = 0; i < 3; i++) {
            assertThat(get(pushes.get(i)).response()).isEqualTo(n(i + 1));
        }
        assertThat(eventsReceivedOn(conn, "held:a")).containsExactly("phx_join", "echo1", "echo2", "echo3");
    }

    @Test
    void aPushWhileTheTopicRejoinsAfterACrashGoesOutAfterTheRejoin() throws Exception {
        holdFirst = false;
        get(client.connect());
        get(client.join("held:b"));
        ServerConnection conn = server.awaitConnection(WAIT);
        conn.crashChannel("held:b");
        await().atMost(WAIT).until(() -> heldJoins.size() == 1); // the rejoin is in flight, held by the server

        CompletableFuture<Payload.Reply> push = client.push("held:b", "echo", n(7));
        await().atMost(WAIT).until(() -> events.stream().anyMatch(ClientEvent.PushBuffered.class::isInstance));
        heldJoins.get(0).complete(JoinResult.ok());
        assertThat(get(push).response()).isEqualTo(n(7));
        assertThat(eventsReceivedOn(conn, "held:b")).containsExactly("phx_join", "phx_join", "echo7");
    }

    @Test
    void theHundredAndFirstWaitingPushFailsAtOnceAndTheOthersGoOut() throws Exception {
        get(client.connect());
        CompletableFuture<Payload> joined = client.join("held:c");
        List<CompletableFuture<Payload.Reply>> pushes = new ArrayList<>();
        for (int i = 0; i < SlipstreamClient.Builder.DEFAULT_PUSH_BUFFER_SIZE; i++) {
            pushes.add(client.push("held:c", "echo", n(i)));
        }
        CompletableFuture<Payload.Reply> overflow = client.push("held:c", "echo", n(100));
        assertThatThrownBy(() -> get(overflow)).hasCauseInstanceOf(PushBufferFullException.class)
                .hasMessageContaining("held:c").hasMessageContaining("100 pushes waiting");
        assertThat(pushes).noneMatch(CompletableFuture::isDone);
        assertThat(events).filteredOn(ClientEvent.PushDropped.class::isInstance)
                .singleElement().extracting(e -> ((ClientEvent.PushDropped) e).error())
                .isInstanceOf(PushBufferFullException.class);

        await().atMost(WAIT).until(() -> heldJoins.size() == 1);
        heldJoins.get(0).complete(JoinResult.ok());
        get(joined);
        for (int i = 0; i < pushes.size(); i++) {
            assertThat(get(pushes.get(i)).response()).isEqualTo(n(i));
        }
    }

    @Test
    void whereNoJoinWillComeAPushFailsAtOnce() throws Exception {
        // Never connected: nothing will join the topic.
        assertThatThrownBy(() -> client.push("free:d", "echo", n(1)).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(TopicNotJoinedException.class);
        get(client.connect());
        get(client.join("free:d"));
        // Never joined.
        assertThatThrownBy(() -> client.push("free:never", "echo", n(1)).join())
                .hasCauseInstanceOf(TopicNotJoinedException.class).hasMessageContaining("free:never");
        // After disconnect(): the topic is kept for the next connect, but no connect is coming.
        get(client.disconnect());
        assertThatThrownBy(() -> client.push("free:d", "echo", n(2)).join())
                .hasCauseInstanceOf(NotConnectedException.class);
        // Left.
        get(client.connect());
        await().atMost(WAIT).until(() -> client.isJoined("free:d"));
        get(client.leave("free:d"));
        assertThatThrownBy(() -> client.push("free:d", "echo", n(3)).join())
                .hasCauseInstanceOf(TopicNotJoinedException.class);
        assertThat(events).noneMatch(ClientEvent.PushBuffered.class::isInstance);
        assertThat(events).filteredOn(ClientEvent.PushDropped.class::isInstance)
                .extracting(e -> ((ClientEvent.PushDropped) e).error().getClass().getSimpleName())
                .containsExactly("TopicNotJoinedException", "TopicNotJoinedException", "NotConnectedException",
                        "TopicNotJoinedException");
    }
}
