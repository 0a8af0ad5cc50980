package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.support.EventRecorder;
import dev.slipstream.client.support.ManualScheduler;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every timer of the client in virtual time (a {@link ManualScheduler}), over real loopback websockets: heartbeat,
 * heartbeat timeout, push timeout, connect timeout, and both backoff sequences with their reset rules.
 */
class VirtualTimeTest {
    private final ManualScheduler time = new ManualScheduler();
    private final EventRecorder events = new EventRecorder();
    private TestPhoenixServer server;
    private SlipstreamClient client;

    @BeforeEach
    void start() {
        server = new TestPhoenixServer();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private SlipstreamClient.Builder builder() {
        return SlipstreamClient.builder(server.uri()).scheduler(time).eventListener(events);
    }

    @Test
    void sendsAHeartbeatEveryIntervalAndCountsItAnswered() {
        client = builder().build();
        client.connect().join();

        time.advance(Duration.ofSeconds(29));
        assertThat(server.messages("heartbeat")).isEmpty();
        time.advance(Duration.ofSeconds(1));
        await().until(() -> events.count(ClientEvent.HeartbeatAcked.class) == 1);
        Message beat = server.messages("heartbeat").get(0);
        assertThat(beat.joinRef()).isNull();
        assertThat(beat.topic()).isEqualTo("phoenix");
        assertThat(beat.payload()).isEqualTo(Payload.empty());
        assertThat(beat.ref()).isEqualTo(events.of(ClientEvent.HeartbeatSent.class).get(0).ref());

        time.advance(Duration.ofSeconds(30));
        await().until(() -> events.count(ClientEvent.HeartbeatAcked.class) == 2);
        assertThat(events.count(ClientEvent.HeartbeatTimedOut.class)).isZero();
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void anUnansweredHeartbeatAtTheNextTickClosesAndReconnectsAndRejoins() {
        client = builder().build();
        client.connect().join();
        client.join("room:lobby").join();
        server.answerHeartbeats(false);

        time.advance(Duration.ofSeconds(30));
        await().until(() -> server.messages("heartbeat").size() == 1);
        time.advance(Duration.ofSeconds(30));
        await().until(() -> events.count(ClientEvent.ReconnectScheduled.class) == 1);
        assertThat(events.count(ClientEvent.HeartbeatTimedOut.class)).isEqualTo(1);
        assertThat(events.last(ClientEvent.Disconnected.class).reason().kind())
                .isEqualTo(DisconnectReason.Kind.HEARTBEAT_TIMEOUT);
        assertThat(events.last(ClientEvent.ReconnectScheduled.class).delay()).isEqualTo(Duration.ofMillis(10));
        assertThat(client.isConnected()).isFalse();

        server.answerHeartbeats(true);
        time.advance(Duration.ofMillis(10));
        await().until(() -> client.isJoined("room:lobby"));
        assertThat(server.upgrades()).isEqualTo(2);
        List<Message> joins = server.messages("phx_join");
        assertThat(joins).hasSize(2);
        assertThat(joins.get(1).joinRef()).isEqualTo(joins.get(1).ref()).isNotEqualTo(joins.get(0).joinRef());
        await().until(() -> !server.sessions().get(0).isOpen());
    }

    @Test
    void heartbeatIntervalZeroSendsNone() {
        client = builder().heartbeatInterval(Duration.ZERO).build();
        client.connect().join();
        time.advance(Duration.ofMinutes(5));
        assertThat(events.count(ClientEvent.HeartbeatSent.class)).isZero();
        assertThat(client.isConnected()).isTrue();
    }

    /** Connects (no heartbeats) and joins room:lobby on a server that never answers events starting with "slow". */
    private void joinLobbyWhereSlowPushesGoUnanswered() {
        server.script((s, m) -> {
            if (!m.event().startsWith("slow")) {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().heartbeatInterval(Duration.ZERO).build();
        client.connect().join();
        client.join("room:lobby").join();
    }

    @Test
    void aPushWithoutReplyTimesOutAfterTheDefaultOrItsOwnTimeout() {
        joinLobbyWhereSlowPushesGoUnanswered();

        CompletableFuture<Payload.Reply> byDefault = client.push("room:lobby", "slow", Payload.empty());
        CompletableFuture<Payload.Reply> short1 = client.push("room:lobby", "slow", Payload.empty(), Duration.ofSeconds(1));
        await().until(() -> server.messages("slow").size() == 2);

        time.advance(Duration.ofMillis(999));
        assertThat(short1).isNotDone();
        time.advance(Duration.ofMillis(1));
        await().until(short1::isDone);
        assertThat(short1).isCompletedExceptionally();
        assertThat(byDefault).isNotDone();
        time.advance(Duration.ofSeconds(9));
        await().until(byDefault::isDone);
        assertThatFailsWith(byDefault, PushTimeoutException.class);
        assertThat(events.count(ClientEvent.PushTimedOut.class)).isEqualTo(2);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void aPushSentAfterAnAnsweredOneStillTimesOutAtItsOwnDeadline() {
        joinLobbyWhereSlowPushesGoUnanswered();

        // The one deadline timer is armed for the answered push (10 s) and finds nothing due when it fires.
        assertThat(client.push("room:lobby", "fast", Payload.empty()).join().isOk()).isTrue();
        time.advance(Duration.ofSeconds(5));
        CompletableFuture<Payload.Reply> slow = client.push("room:lobby", "slow", Payload.empty());
        CompletableFuture<Payload.Reply> slower = client.push("room:lobby", "slow", Payload.empty(), Duration.ofSeconds(12));
        await().until(() -> server.messages("slow").size() == 2);
        time.advance(Duration.ofSeconds(5));
        time.advance(Duration.ofMillis(4_999));
        assertThat(slow).isNotDone();
        time.advance(Duration.ofMillis(1));
        await().until(slow::isDone);
        assertThatFailsWith(slow, PushTimeoutException.class);
        assertThat(slower).isNotDone();
        time.advance(Duration.ofMillis(1_999));
        assertThat(slower).isNotDone();
        time.advance(Duration.ofMillis(1));
        await().until(slower::isDone);
        assertThatFailsWith(slower, PushTimeoutException.class);
        assertThat(events.of(ClientEvent.PushTimedOut.class)).extracting(ClientEvent.PushTimedOut::timeout)
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(12));
    }

    @Test
    void manyUnansweredPushesEachTimeOutExactlyOnceInTheOrderSent() {
        joinLobbyWhereSlowPushesGoUnanswered();

        List<CompletableFuture<Payload.Reply>> pushes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pushes.add(client.push("room:lobby", i % 2 == 0 ? "slow" : "fast", Payload.empty()));
            pushes.add(client.push("room:lobby", "slow" + i, Payload.empty()));
        }
        await().until(() -> events.count(ClientEvent.PushSent.class) == 100 && events.count(ClientEvent.ReplyReceived.class) == 25);
        time.advance(Duration.ofSeconds(10));
        await().until(() -> pushes.stream().allMatch(CompletableFuture::isDone));
        List<String> timedOut = events.of(ClientEvent.PushTimedOut.class).stream().map(ClientEvent.PushTimedOut::event)
                .toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            if (i % 2 == 0) {
                expected.add("slow");
            }
            expected.add("slow" + i);
        }
        assertThat(timedOut).containsExactlyElementsOf(expected);
    }

    /** A server that holds joins of room:held until the test answers them, and answers everything else. */
    private List<Message> holdJoinsOfRoomHeld() {
        List<Message> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.script((s, m) -> {
            if (m.event().equals("phx_join") && m.topic().equals("room:held")) {
                held.add(m);
            } else {
                TestPhoenixServer.standard(s, m);
            }
        });
        return held;
    }

    @Test
    void aPushBufferedByDefaultDuringTheJoinTimesOutAtItsOwnDeadlineAndIsNeverSent() {
        List<Message> held = holdJoinsOfRoomHeld();
        client = builder().heartbeatInterval(Duration.ZERO).build(); // no pushBufferSize: buffering is the default
        client.connect().join();
        CompletableFuture<Payload> join = client.join("room:held");
        await().until(() -> held.size() == 1);

        CompletableFuture<Payload.Reply> shortOne = client.push("room:held", "early", Payload.empty(), Duration.ofSeconds(3));
        CompletableFuture<Payload.Reply> byDefault = client.push("room:held", "later", Payload.empty());
        await().until(() -> events.count(ClientEvent.PushBuffered.class) == 2);
        assertThat(events.of(ClientEvent.PushBuffered.class)).extracting(ClientEvent.PushBuffered::buffered)
                .containsExactly(1, 2);
        time.advance(Duration.ofMillis(2_999));
        assertThat(shortOne).isNotDone();
        time.advance(Duration.ofMillis(1));
        await().until(shortOne::isDone);
        assertThatFailsWith(shortOne, PushTimeoutException.class);
        assertThat(events.last(ClientEvent.PushTimedOut.class).ref()).isNull(); // it never got a ref: never sent

        server.lastSession().reply(held.get(0), "ok", Payload.empty());
        assertThat(join.join()).isEqualTo(Payload.empty());
        assertThat(byDefault.join().isOk()).isTrue();
        assertThat(server.messages()).extracting(Message::event).doesNotContain("early").contains("later");
    }

    @Test
    void aPushBufferedWhileTheClientWaitsToReconnectTimesOutIfTheReconnectComesTooLate() {
        client = builder().heartbeatInterval(Duration.ZERO).build();
        client.connect().join();
        client.join("room:lobby").join();
        server.sessions().get(0).close(1011, "crash");
        await().until(() -> events.count(ClientEvent.ReconnectScheduled.class) == 1);
        server.rejectUpgradesWith(503);

        CompletableFuture<Payload.Reply> push = client.push("room:lobby", "waiting", Payload.empty(), Duration.ofSeconds(1));
        await().until(() -> events.count(ClientEvent.PushBuffered.class) == 1);
        time.advance(Duration.ofMillis(999));
        assertThat(push).isNotDone();
        time.advance(Duration.ofMillis(1));
        await().until(push::isDone);
        assertThatFailsWith(push, PushTimeoutException.class);
    }

    @Test
    void connectTimeoutCoversAnUpgradeThatNeverAnswers() throws IOException {
        // Accepts TCP (the kernel's backlog does) but never answers the HTTP upgrade.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            client = SlipstreamClient.builder("ws://127.0.0.1:" + silent.getLocalPort() + "/socket")
                    .scheduler(time).eventListener(events).build();
            CompletableFuture<Void> connect = client.connect();
            await().until(() -> events.count(ClientEvent.ConnectStarted.class) == 1);
            time.advance(Duration.ofMillis(9_999));
            assertThat(connect).isNotDone();
            time.advance(Duration.ofMillis(1));
            await().until(connect::isDone);
            ConnectFailedException e = assertThatFailsWith(connect, ConnectFailedException.class);
            assertThat(e.kind()).isEqualTo(ConnectFailedException.Kind.TIMEOUT);
            assertThat(events.last(ClientEvent.ConnectFailed.class).duration()).isEqualTo(Duration.ofSeconds(10));
            assertThat(events.last(ClientEvent.ReconnectScheduled.class).attempt()).isEqualTo(1);
        }
    }

    @Test
    void reconnectBackoffFollowsTheListWithTheLastRepeatingAndResetsOnConnect() {
        server.rejectUpgradesWith(503);
        client = builder().build();
        client.connect();
        List<Duration> delays = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            int n = i;
            await().until(() -> events.count(ClientEvent.ReconnectScheduled.class) == n);
            ClientEvent.ReconnectScheduled r = events.last(ClientEvent.ReconnectScheduled.class);
            assertThat(r.attempt()).isEqualTo(n);
            delays.add(r.delay());
            time.advance(r.delay());
        }
        assertThat(delays).containsExactly(ms(10), ms(50), ms(100), ms(150), ms(200), ms(250), ms(500), ms(1000),
                ms(2000), ms(5000), ms(5000), ms(5000));
        assertThat(events.last(ClientEvent.ConnectFailed.class).error().httpStatus()).hasValue(503);

        await().until(() -> events.count(ClientEvent.ReconnectScheduled.class) == 13);
        server.rejectUpgradesWith(0);
        time.advance(ms(5000));
        await().until(client::isConnected);
        server.lastSession().close(1012, "restart");
        await().alias(events.all().toString()).until(() -> events.count(ClientEvent.ReconnectScheduled.class) == 14);
        ClientEvent.ReconnectScheduled afterReset = events.last(ClientEvent.ReconnectScheduled.class);
        assertThat(afterReset.attempt()).isEqualTo(1);
        assertThat(afterReset.delay()).isEqualTo(ms(10));
    }

    @Test
    void reconnectBackoffCanBeAFunctionWithJitterWithinBounds() {
        server.rejectUpgradesWith(403);
        client = builder().reconnectBackoff(Backoff.of(a -> Duration.ofSeconds(a)).withJitter(0.5)).build();
        client.connect();
        for (int i = 1; i <= 5; i++) {
            int n = i;
            await().until(() -> events.count(ClientEvent.ReconnectScheduled.class) == n);
            Duration d = events.last(ClientEvent.ReconnectScheduled.class).delay();
            assertThat(d).isBetween(Duration.ofMillis(500L * n), Duration.ofMillis(1500L * n));
            time.advance(d);
        }
    }

    @Test
    void rejoinBackoffFollowsItsListPerTopicAndResetsOnASuccessfulJoin() {
        AtomicBoolean answerJoins = new AtomicBoolean(true);
        server.script((s, m) -> {
            if (!m.event().equals("phx_join") || answerJoins.get()) {
                TestPhoenixServer.standard(s, m);
            }
        });
        client = builder().heartbeatInterval(Duration.ZERO).build();
        client.connect().join();
        client.join("room:a").join();
        answerJoins.set(false);

        // A crash starts the rejoins; each unanswered rejoin times out (10 s) and the next waits longer.
        server.lastSession().send(Message.of(joinRefOf("room:a"), joinRefOf("room:a"), "room:a", "phx_error",
                Payload.json("{\"reason\":\"channel_crash\"}")));
        List<Duration> delays = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            int n = i;
            await().until(() -> events.count(ClientEvent.RejoinScheduled.class) == n);
            ClientEvent.RejoinScheduled r = events.last(ClientEvent.RejoinScheduled.class);
            assertThat(r.attempt()).isEqualTo(n);
            delays.add(r.delay());
            time.advance(r.delay());
            await().alias(events.all().toString()).until(() -> server.messages("phx_join").size() == n + 1);
            if (n < 7) {
                time.advance(Duration.ofSeconds(10));
            }
        }
        assertThat(delays).containsExactly(ms(100), ms(500), ms(1000), ms(2000), ms(5000), ms(10000), ms(10000));
        // phoenix.js leaves a timed-out join before rejoining.
        assertThat(server.messages("phx_leave")).hasSize(6);

        answerJoins.set(true);
        Message last = server.messages("phx_join").get(7);
        server.lastSession().reply(last, "ok", Payload.empty());
        await().until(() -> client.isJoined("room:a"));
        server.lastSession().send(Message.of(last.joinRef(), last.joinRef(), "room:a", "phx_error", Payload.empty()));
        await().until(() -> events.count(ClientEvent.RejoinScheduled.class) == 8);
        assertThat(events.last(ClientEvent.RejoinScheduled.class).attempt()).isEqualTo(1);
        assertThat(events.last(ClientEvent.RejoinScheduled.class).delay()).isEqualTo(ms(100));
    }

    private String joinRefOf(String topic) {
        List<Message> joins = server.messages("phx_join").stream().filter(m -> m.topic().equals(topic)).toList();
        return joins.get(joins.size() - 1).joinRef();
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    static <T extends Throwable> T assertThatFailsWith(CompletableFuture<?> f, Class<T> type) {
        try {
            f.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(type);
            return type.cast(e.getCause());
        }
        throw new AssertionError("expected failure with " + type.getSimpleName());
    }
}
