package dev.slipstream.transport.nio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LoopScheduler}: a client's timers on a loop, in order, cancellable from any thread. */
class LoopSchedulerTest {
    private final LoopGroup group = new LoopGroup(1);
    private final Scheduler timers = new LoopScheduler(group);

    @AfterEach
    void stop() {
        group.close();
    }

    @Test
    void aTimerFiresOnTheLoopThreadNoSoonerThanItsDelay() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        long[] firedAt = new long[1];
        long start = System.nanoTime();
        timers.schedule(Duration.ofMillis(30), () -> {
            firedAt[0] = System.nanoTime();
            threads.add(Thread.currentThread().getName());
            fired.countDown();
        });
        assertThat(fired.await(5, TimeUnit.SECONDS)).as("fired within 5 s").isTrue();
        assertThat(threads).singleElement().asString().startsWith("slipstream-nio-");
        assertThat(firedAt[0] - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void timersFireInTheOrderOfTheirDeadlinesWhateverTheOrderTheyWereGiven() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(4);
        for (int ms : new int[] {80, 40, 0, 60}) {
            timers.schedule(Duration.ofMillis(ms), () -> {
                order.add(ms);
                all.countDown();
            });
        }
        assertThat(all.await(5, TimeUnit.SECONDS)).as("all fired within 5 s, fired: %s", order).isTrue();
        assertThat(order).containsExactly(0, 40, 60, 80);
    }

    @Test
    void aCancelledTimerNeverRunsAndLaterOnesStillDo() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch later = new CountDownLatch(1);
        Scheduler.Cancellable cancelled = timers.schedule(Duration.ofMillis(30), () -> ran.add("cancelled"));
        cancelled.cancel();
        // Same loop, later deadline: had the first one not been cancelled, it would have run before this one.
        timers.schedule(Duration.ofMillis(60), () -> {
            ran.add("later");
            later.countDown();
        });
        assertThat(later.await(5, TimeUnit.SECONDS)).as("the later timer fired within 5 s, ran: %s", ran).isTrue();
        assertThat(ran).containsExactly("later");
    }

    @Test
    void aTimerGivenOnTheLoopThreadAndOneThatThrowsDoNotStopTheOthers() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        timers.schedule(Duration.ZERO, () -> {
            throw new IllegalStateException("a task that fails (logged by the loop)");
        });
        timers.schedule(Duration.ofMillis(10), () -> {
            ran.add("first, on " + Thread.currentThread().getName().replaceAll("[0-9]", ""));
            timers.schedule(Duration.ofMillis(-5), () -> { // given on the loop thread, already due
                ran.add("second");
                done.countDown();
            });
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).as("the second fired within 5 s, ran: %s", ran).isTrue();
        assertThat(ran).containsExactly("first, on slipstream-nio--", "second");
    }
}
