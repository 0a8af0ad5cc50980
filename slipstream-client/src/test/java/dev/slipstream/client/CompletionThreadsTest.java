package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which threads complete callers' futures: the shared completion pool, bounded to about as many threads as cores,
 * never the client's owner; and a dependent stage that blocks on another future of the client does not deadlock it,
 * even when more stages block at once than the pool has threads.
 */
class CompletionThreadsTest {
    private TestPhoenixServer server;
    private SlipstreamClient client;

    @BeforeEach
    void start() {
        server = new TestPhoenixServer();
        client = SlipstreamClient.builder(server.uri()).build();
        client.connect().join();
        client.join("room:lobby").join();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void dependentStagesRunOnTheCompletionPoolNeverOnTheOwner() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Boolean>> onOwner = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            onOwner.add(client.push("room:lobby", "ping", Payload.empty()).thenApply(reply -> {
                threads.add(Thread.currentThread().getName().replaceAll("\\d+$", ""));
                return client.isCallbackThread();
            }));
        }
        CompletableFuture.allOf(onOwner.toArray(CompletableFuture[]::new)).join();
        assertThat(onOwner).allMatch(f -> !f.join());
        // A stage added after the reply is in runs at once on the thread adding it, as CompletableFuture does.
        assertThat(threads).contains("slipstream-completion-").isSubsetOf("slipstream-completion-",
                Thread.currentThread().getName().replaceAll("\\d+$", ""));
    }

    @Test
    void stagesBlockingOnTheClientsOtherFuturesDoNotDeadlockItEvenWhenMoreBlockThanThePoolHasThreads() {
        int blockers = 4 * Runtime.getRuntime().availableProcessors() + 4;
        List<CompletableFuture<String>> chains = new ArrayList<>();
        for (int i = 0; i < blockers; i++) {
            int n = i;
            // Each stage blocks (join, then a timed get) on pushes whose replies need the same pool to complete.
            chains.add(client.push("room:lobby", "ping", Payload.empty()).thenApply(first -> {
                Payload.Reply second = client.push("room:lobby", "ping", Payload.json("{\"n\":" + n + "}")).join();
                try {
                    Payload.Reply third = client.push("room:lobby", "ping", Payload.empty()).get(30, TimeUnit.SECONDS);
                    return second.response() + " " + third.status();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < blockers; i++) {
            assertThat(chains.get(i).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("{\"n\":" + i + "} ok");
        }
    }

    @Test
    void aBurstOfCompletionsRunsAtMostAsManyStagesAtOnceAsCoresAndAddsNoThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        int before = completionThreads().size();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<CompletableFuture<Void>> pushes = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            pushes.add(client.push("room:lobby", "ping", Payload.empty()).thenAccept(reply -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.onSpinWait();
                running.decrementAndGet();
            }));
        }
        CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).join();
        // A cached pool grew to dozens of threads here; nothing blocks in these stages, so none is added.
        assertThat(maxRunning.get()).isLessThanOrEqualTo(cores);
        assertThat(completionThreads().size()).as("%s", completionThreads()).isLessThanOrEqualTo(Math.max(before, cores));
    }

    @Test
    void whatAttachesToAFutureWhileAThreadWaitsOnItStillCompletes() throws Exception {
        // A thread waits in join(); once the reply is decided, stages attach, even through CompletableFuture's
        // internals (allOf), racing the settling of the public future: every one must still complete.
        ExecutorService waiters = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 300; i++) {
                CompletableFuture<Payload.Reply> f = client.push("room:lobby", "ping", Payload.json("{\"i\":" + i + "}"));
                Future<Payload.Reply> waited = waiters.submit(f::join);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!f.isDone()) { // until the outcome is decided: then attach, racing the waiting thread's settling
                    assertThat(System.nanoTime()).as("reply %d within 10 s", i).isLessThan(deadline);
                    Thread.onSpinWait();
                }
                CompletableFuture.allOf(f).get(10, TimeUnit.SECONDS);
                assertThat(f.thenApply(r -> r.response().toString()).get(10, TimeUnit.SECONDS)).isEqualTo("{\"i\":" + i + "}");
                assertThat(waited.get(10, TimeUnit.SECONDS).isOk()).isTrue();
            }
        } finally {
            waiters.shutdownNow();
        }
    }

    @Test
    void aStageAddedAfterAWaiterGaveUpRunsOnTheCompletionPoolWhenTheReplyComes() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        List<Message> heldMessage = new ArrayList<>();
        server.script((session, m) -> {
            if (m.event().equals("held")) {
                heldMessage.add(m);
                held.countDown();
            } else {
                TestPhoenixServer.standard(session, m);
            }
        });
        CompletableFuture<Payload.Reply> f = client.push("room:lobby", "held", Payload.empty());
        assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        CompletableFuture<String> stage = f.thenApply(r -> Thread.currentThread().getName());
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        server.lastSession().reply(heldMessage.get(0), "ok", Payload.empty());
        assertThat(stage.get(10, TimeUnit.SECONDS)).startsWith("slipstream-completion-");
    }

    private static Set<String> completionThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("slipstream-completion-")).collect(Collectors.toSet());
    }
}
