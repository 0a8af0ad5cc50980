package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Servers on shared threads ({@link FakePhoenixServer.Builder#sharedThreads}): what @SlipstreamTest runs on. */
@Timeout(30)
class SharedThreadsTest {
    private static final String HEARTBEAT = "[null,\"1\",\"phoenix\",\"heartbeat\",{}]";
    private static final String HEARTBEAT_REPLY = "[null,\"1\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]";

    private static Set<String> serverThreads(boolean shared) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("slipstream-fake-"))
                .map(Thread::getName)
                .filter(name -> name.startsWith("slipstream-fake-shared-") == shared)
                .collect(Collectors.toSet());
    }

    @Test
    void serversShareOneSetOfThreadsAndClosingOneSparesTheOthers() throws Exception {
        Set<String> ownBefore = serverThreads(false); // servers of earlier tests may still be ending theirs
        FakePhoenixServer a = FakePhoenixServer.builder().sharedThreads(true).start();
        try (FakePhoenixServer b = FakePhoenixServer.builder().sharedThreads(true).start();
                WsClient toB = WsClient.connect(b, "vsn=2.0.0");
                WsClient toA = WsClient.connect(a, "vsn=2.0.0")) {
            toA.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            toB.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            assertThat(serverThreads(true)).isNotEmpty();
            assertThat(ownBefore).containsAll(serverThreads(false));

            a.close();
            assertThat(toA.awaitClose()).isEqualTo(1006);
            assertThatThrownBy(a::start).isInstanceOf(IllegalStateException.class);
            // The other server keeps its connection and its threads.
            toB.exchange(HEARTBEAT, HEARTBEAT_REPLY);
        } finally {
            a.close();
        }
    }

    @Test
    void theThreadsStopAfterTheLastServerClosedAndComeBackForTheNext() throws Exception {
        try (FakePhoenixServer s = FakePhoenixServer.builder().sharedThreads(true).start();
                WsClient c = WsClient.connect(s, "vsn=2.0.0")) {
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> serverThreads(true).isEmpty());
        try (FakePhoenixServer s = FakePhoenixServer.builder().sharedThreads(true).start();
                WsClient c = WsClient.connect(s, "vsn=2.0.0")) {
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
        }
    }

    @Test
    void aHandlerBlockedInOneServerNeitherStarvesAnotherNorOutlivesItsClose() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        FakePhoenixServer stuck = FakePhoenixServer.builder().sharedThreads(true)
                .channel("room:*", (topic, params, socket) -> {
                    blocking.countDown();
                    try {
                        never.await();
                        interrupted.complete(false);
                    } catch (InterruptedException e) {
                        interrupted.complete(true);
                    }
                    return JoinResult.ok();
                })
                .start();
        try (stuck; FakePhoenixServer other = FakePhoenixServer.builder().sharedThreads(true)
                .channel("room:*", (topic, params, socket) -> JoinResult.ok()).start();
                WsClient toStuck = WsClient.connect(stuck, "vsn=2.0.0");
                WsClient toOther = WsClient.connect(other, "vsn=2.0.0")) {
            toStuck.send("[\"1\",\"1\",\"room:a\",\"phx_join\",{}]");
            assertThat(blocking.await(5, TimeUnit.SECONDS)).isTrue();
            // Several joins in a row on the other server, more than a small fixed pool would have left.
            for (int i = 1; i <= 3; i++) {
                toOther.exchange("[\"" + i + "\",\"" + i + "\",\"room:" + i + "\",\"phx_join\",{}]",
                        "[\"" + i + "\",\"" + i + "\",\"room:" + i + "\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            }
            stuck.close();
            // Closing interrupts the server's running work, as shutting down a pool of its own did.
            assertThat(interrupted.get(5, TimeUnit.SECONDS)).isTrue();
            toOther.exchange(HEARTBEAT, HEARTBEAT_REPLY);
        }
    }

    @Test
    void closingEndsAConnectThatWaitsForItsDecision() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        FakePhoenixServer server = FakePhoenixServer.builder().sharedThreads(true)
                .connectHandler(request -> {
                    asked.countDown();
                    return ConnectResult.later(new CompletableFuture<>()); // never decided
                })
                .start();
        CompletableFuture<WebSocket> connecting;
        try (server) {
            connecting = WsClient.HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create(server.uri() + "?vsn=2.0.0"), new WebSocket.Listener() {});
            assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(connecting).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aClosedLeaseRunsNothingMoreAndItsInterruptsStayWithIt() throws Exception {
        SharedThreads.Lease closing = SharedThreads.lease();
        SharedThreads.Lease staying = SharedThreads.lease();
        try {
            AtomicBoolean lateTaskRan = new AtomicBoolean();
            closing.schedule(() -> lateTaskRan.set(true), Duration.ofMillis(50));
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<Void> ended = new CompletableFuture<>();
            closing.execute(() -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    ended.complete(null);
                }
            });
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

            closing.close(Duration.ofSeconds(5));
            assertThat(ended).isDone();
            assertThatThrownBy(() -> closing.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> closing.schedule(() -> {}, Duration.ZERO))
                    .isInstanceOf(RejectedExecutionException.class);

            // The timer runs tasks in time order: once this later one ran, the cancelled one would have too.
            CountDownLatch later = new CountDownLatch(1);
            staying.schedule(later::countDown, Duration.ofMillis(100));
            assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(lateTaskRan).isFalse();

            // The pool threads the closed lease interrupted run the next tasks uninterrupted.
            List<CompletableFuture<Boolean>> next = List.of(new CompletableFuture<>(), new CompletableFuture<>());
            for (CompletableFuture<Boolean> f : next) {
                staying.execute(() -> f.complete(Thread.currentThread().isInterrupted()));
            }
            for (CompletableFuture<Boolean> f : next) {
                assertThat(f.get(5, TimeUnit.SECONDS)).isFalse();
            }
        } finally {
            closing.close(Duration.ofSeconds(1));
            staying.close(Duration.ofSeconds(1));
        }
    }
}
