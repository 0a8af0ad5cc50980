package dev.slipstream.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.support.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who settles a caller's future once the owner decided its outcome: the completion pool, unless a thread still
 * waits on it and no stage depends on it, in which case that thread settles it on its way out (one thread made
 * runnable per reply instead of two). The completion pool here is an executor that counts and runs its tasks. When
 * the owner decides, a waiter may already be on its way out (woken by that very decision), so whether the pool then
 * gets a (harmless) task is a race; the tests assert the decision itself and where stages end up, never that race.
 */
class CallerFutureSettlingTest {
    private final AtomicInteger poolTasks = new AtomicInteger();
    private final List<String> stageThreads = new ArrayList<>();
    private final ExecutorService waiters = Executors.newSingleThreadExecutor(r -> new Thread(r, "waiter"));
    private final Delivery delivery = new Delivery(null, new ManualScheduler(),
            new SerialExecutor(Runnable::run), task -> {
                poolTasks.incrementAndGet();
                task.run();
            });

    @AfterEach
    void stop() {
        waiters.shutdownNow();
    }

    @Test
    void whileAThreadOnlyWaitsThePoolIsLeftOutAndTheWaiterSettlesTheFuture() throws Exception {
        CallerFuture<String> f = new CallerFuture<>();
        assertThat(f.needsSettling()).as("no thread waits").isTrue();
        Future<String> waited = waiters.submit(() -> f.get(10, TimeUnit.SECONDS));
        awaitWaiting(f, 0);
        assertThat(f.needsSettling()).as("a thread waits and no stage depends").isFalse();

        delivery.complete(f, "reply");

        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo("reply");
        // Settled once the waiter left (by the waiter; by a pool task only if the waiter woke and counted itself out
        // before the owner looked): a stage attached now runs at once, on the attaching thread.
        f.thenRun(() -> stageThreads.add(Thread.currentThread().getName()));
        assertThat(stageThreads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void withoutAWaiterOrWithADependentStageThePoolSettles() throws Exception {
        CallerFuture<String> alone = new CallerFuture<>();
        delivery.complete(alone, "reply");
        assertThat(poolTasks).hasValue(1);

        CallerFuture<String> withStage = new CallerFuture<>();
        CompletableFuture<String> stage = withStage.thenApply(r -> r + "!");
        Future<String> waited = waiters.submit(() -> withStage.get(10, TimeUnit.SECONDS));
        awaitWaiting(withStage, 1);
        assertThat(withStage.needsSettling()).as("a thread waits but a stage depends").isTrue();
        delivery.complete(withStage, "reply");
        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo("reply");
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("reply!");
        assertThat(poolTasks).hasValue(2);
    }

    @Test
    void aWaiterThatGaveUpBeforeTheReplyLeavesTheSettlingToThePool() throws Exception {
        CallerFuture<String> f = new CallerFuture<>();
        Future<Object> gaveUp = waiters.submit(() -> {
            try {
                return f.get(1, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return e;
            }
        });
        assertThat(gaveUp.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
        CompletableFuture<String> stage = f.thenApply(r -> r + "!");

        delivery.complete(f, "reply");

        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("reply!");
        assertThat(poolTasks).hasValue(1);
    }

    /** Until the waiter thread waits inside {@code f} (bounded): its signaller joined {@code stages} dependants. */
    private static void awaitWaiting(CallerFuture<?> f, int stages) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (f.getNumberOfDependents() <= stages) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the waiter never started waiting");
            }
            Thread.onSpinWait();
        }
    }
}
