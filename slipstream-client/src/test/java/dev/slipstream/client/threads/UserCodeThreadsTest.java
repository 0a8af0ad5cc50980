package dev.slipstream.client.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.protocol.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * (In a package of its own, outside the client's module, so that slipstream-transport-nio's tests can extend it.)
 * The owner runs on whichever thread hands it work (a transport's reader among them), so where user code runs is a
 * guarantee to hold: module callbacks, event listeners and futures' dependent stages never run on a transport's
 * thread or while the owner runs, and callbacks of one client never overlap; a thread that only waits gets its
 * reply. On the JDK transport here; {@code UserCodeThreadsNioTest} in slipstream-transport-nio runs it on NIO.
 */
public class UserCodeThreadsTest {
    private TestPhoenixServer server;
    private SlipstreamClient client;
    private final Set<String> userThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inCallback = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger insideOwner = new AtomicInteger();

    @BeforeEach
    void start() {
        server = new TestPhoenixServer();
        server.script((s, m) -> {
            TestPhoenixServer.standard(s, m);
            if (m.event().equals("echo")) {
                s.push(m.topic(), "pushed", Payload.json("{\"n\":1}"));
            }
        });
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    /** The transport under test. */
    protected Transport transport() {
        return JdkWebSocketTransport.shared();
    }

    private void user(Runnable body) {
        if (inCallback.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
        }
        userThreads.add(Thread.currentThread().getName());
        body.run();
        inCallback.decrementAndGet();
    }

    @Test
    void callbacksListenersAndStagesNeverRunOnATransportThreadNorOverlap() {
        AtomicInteger messages = new AtomicInteger();
        client = SlipstreamClient.builder(server.uri()).transport(transport())
                .eventListener(e -> user(() -> { }))
                .module(new ClientModule() {
                    @Override
                    public void connected(SlipstreamClient c) {
                        user(() -> { });
                    }

                    @Override
                    public void message(SlipstreamClient c, String topic, String event, Payload payload) {
                        user(messages::incrementAndGet);
                    }

                    @Override
                    public void reply(SlipstreamClient c, String topic, String ref, Payload.Reply reply) {
                        user(() -> {
                            if (!c.isCallbackThread()) {
                                insideOwner.incrementAndGet(); // a callback that does not know it is one
                            }
                        });
                    }
                }).build();
        client.connect().join();
        client.join("room:lobby").join();
        List<CompletableFuture<?>> stages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            stages.add(client.push("room:lobby", "echo", Payload.json("{\"i\":" + i + "}"))
                    .thenAccept(reply -> userThreads.add(Thread.currentThread().getName())));
        }
        CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).join();
        await().until(() -> messages.get() == 300);

        assertThat(overlaps).hasValue(0);
        assertThat(insideOwner).hasValue(0);
        assertThat(userThreads).isNotEmpty().noneMatch(UserCodeThreadsTest::transportThread);
    }

    @Test
    void aThreadThatOnlyWaitsGetsEveryReplyAndStagesStillRunOffTheOwner() {
        client = SlipstreamClient.builder(server.uri()).transport(transport()).build();
        client.connect().join();
        client.join("room:lobby").join();
        for (int i = 0; i < 200; i++) {
            CompletableFuture<Payload.Reply> f = client.push("room:lobby", "echo", Payload.json("{\"i\":" + i + "}"));
            assertThat(f.join().response()).isEqualTo(Payload.json("{\"i\":" + i + "}"));
            assertThat(f).isDone();
            // A stage added once the reply is in runs at once, on the adding thread, as with any future.
            assertThat(f.thenApply(r -> Thread.currentThread().getName()).join())
                    .isEqualTo(Thread.currentThread().getName());
        }
    }

    private static boolean transportThread(String name) {
        return (name.startsWith("slipstream-nio-") && !name.startsWith("slipstream-nio-worker-"))
                || name.startsWith("slipstream-http-") || name.startsWith("HttpClient-");
    }
}
