package dev.slipstream.transport.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.protocol.Frame;
import dev.slipstream.testing.FakePhoenixServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a client on {@link NioWebSocketTransport} keeps its timers: on the shared loop (no timer thread of its own,
 * {@code Transport.scheduler}), on the system scheduler when the transport has loops of its own, and on a scheduler
 * the application set whatever the transport. Seen through the thread each heartbeat leaves from: a heartbeat is sent
 * by the timer's task, which runs the client's owner there (unless the loop's reader runs the owner right then).
 */
class ClientTimersNioTest {
    private final FakePhoenixServer server = FakePhoenixServer.builder().start();
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    @Test
    void onTheSharedTransportHeartbeatsLeaveFromTheLoopThread() throws Exception {
        assertThat(heartbeatThreads(NioWebSocketTransport.shared(), null)).allMatch(n -> n.startsWith("slipstream-nio-"));
        assertThat(NioWebSocketTransport.shared().scheduler(Scheduler.system())).isNotSameAs(Scheduler.system());
    }

    @Test
    void withLoopsOfItsOwnTheTimersStayOnTheSystemScheduler() throws Exception {
        NioWebSocketTransport own = NioWebSocketTransport.builder().loops(1).build();
        open.add(own);
        assertThat(own.scheduler(Scheduler.system())).isSameAs(Scheduler.system());
        // The timer's thread sends a heartbeat unless the loop's reader is running the client's owner right then.
        assertThat(heartbeatThreads(own, null)).contains("slipstream-timer");
    }

    @Test
    void aSchedulerTheApplicationSetIsKept() throws Exception {
        AtomicInteger scheduled = new AtomicInteger();
        Scheduler mine = new Scheduler() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Cancellable schedule(Duration delay, Runnable task) {
                scheduled.incrementAndGet();
                return Scheduler.system().schedule(delay, task);
            }
        };
        assertThat(heartbeatThreads(NioWebSocketTransport.shared(), mine)).contains("slipstream-timer");
        assertThat(scheduled).hasPositiveValue();
    }

    /** The threads the client's first three heartbeats were sent from, heartbeating every 20 ms. */
    private List<String> heartbeatThreads(Transport transport, Scheduler scheduler) throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        Transport recording = new Transport() {
            @Override
            public CompletableFuture<TransportConnection> open(TransportRequest request, TransportListener listener) {
                return transport.open(request, listener).thenApply(c -> new TransportConnection() {
                    @Override
                    public CompletableFuture<Void> send(Frame frame) {
                        if (frame instanceof Frame.Text t && t.text().contains("\"heartbeat\"")) {
                            threads.add(Thread.currentThread().getName());
                        }
                        return c.send(frame);
                    }

                    @Override
                    public void close(int code, String reason) {
                        c.close(code, reason);
                    }

                    @Override
                    public void abort() {
                        c.abort();
                    }
                });
            }

            @Override
            public Scheduler scheduler(Scheduler system) {
                return transport.scheduler(system);
            }
        };
        SlipstreamClient.Builder builder = SlipstreamClient.builder(server.uri()).transport(recording)
                .heartbeatInterval(Duration.ofMillis(20));
        SlipstreamClient client = (scheduler == null ? builder : builder.scheduler(scheduler)).build();
        client.connect().get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> threads.size() >= 3);
        client.disconnect().get(5, TimeUnit.SECONDS);
        return List.copyOf(threads);
    }
}
