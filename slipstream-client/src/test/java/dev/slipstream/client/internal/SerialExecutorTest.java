package dev.slipstream.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The owner's executor: inline on an idle submitter, one drain at a time, the idle hook once per burst. */
class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void anInlineExecutorRunsATaskOnTheIdleSubmittersThreadThenItsIdleHook() {
        List<String> ran = new ArrayList<>();
        SerialExecutor serial = new SerialExecutor(pool, true, () -> ran.add("idle"));
        Thread me = Thread.currentThread();

        serial.execute(() -> ran.add(Thread.currentThread() == me ? "here" : "elsewhere"));

        assertThat(ran).containsExactly("here", "idle");
        assertThat(serial.isIdle()).isTrue();
    }

    @Test
    void tasksSubmittedWhileItRunsRunInTheSameDrainThenTheIdleHookOnce() {
        List<String> ran = new ArrayList<>();
        SerialExecutor[] serial = new SerialExecutor[1];
        serial[0] = new SerialExecutor(pool, true, () -> ran.add("idle"));

        serial[0].execute(() -> {
            ran.add("a");
            serial[0].execute(() -> ran.add("c")); // queued behind, not run re-entrantly
            assertThat(serial[0].inExecutor()).isTrue();
            ran.add("b");
        });

        assertThat(ran).containsExactly("a", "b", "c", "idle");
    }

    @Test
    void aLongBurstMovesToThePoolAfterABatchSoTheSubmitterIsNotHeldForever() throws Exception {
        AtomicInteger count = new AtomicInteger();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(SerialExecutor.BATCH * 3);
        SerialExecutor[] serial = new SerialExecutor[1];
        serial[0] = new SerialExecutor(pool, true, () -> { });
        Runnable task = new Runnable() {
            @Override
            public void run() {
                threads.add(Thread.currentThread());
                all.countDown();
                if (count.incrementAndGet() < SerialExecutor.BATCH * 3) {
                    serial[0].execute(this);
                }
            }
        };

        serial[0].execute(task);

        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threads.subList(0, SerialExecutor.BATCH)).containsOnly(Thread.currentThread());
        assertThat(threads.subList(SerialExecutor.BATCH, threads.size())).doesNotContain(Thread.currentThread());
    }

    @Test
    void aPoolExecutorNeverRunsOnTheSubmitter() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        Thread[] on = new Thread[1];
        SerialExecutor serial = new SerialExecutor(pool);

        serial.execute(() -> {
            on[0] = Thread.currentThread();
            ran.countDown();
        });

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(on[0]).isNotSameAs(Thread.currentThread());
    }
}
