package dev.slipstream.transport.nio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.support.EchoWebSocketServer;
import dev.slipstream.client.support.TransportRecorder;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.protocol.Frame;
import dev.slipstream.transport.nio.NioWebSocketTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames sent by the work a loop thread runs after its turn (callers' stages) wait for the end of that batch and then
 * leave together, in order; and a stage that waits for the answer to a frame it sent gets it, since the thread that
 * takes the loop over writes what the batch held, and frames for another loop's connections are not held at all.
 */
@Timeout(60)
class HeldWritesTest {
    private final EchoWebSocketServer server = new EchoWebSocketServer();
    private final NioWebSocketTransport transport = NioWebSocketTransport.builder().loops(1).build();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final TransportRecorder recorder = new TransportRecorder();
    private volatile Consumer<String> onText = t -> { };
    private TransportConnection connection;

    @AfterEach
    void close() {
        if (connection != null) {
            connection.abort();
        }
        transport.close();
        server.close();
        pool.shutdownNow();
    }

    private static EventLoop loopOf(TransportConnection c) {
        return ((NioConnection) c).loop;
    }

    private void connect() throws Exception {
        connection = open(transport, recorder, text -> onText.accept(text));
    }

    private TransportConnection open(NioWebSocketTransport on, TransportRecorder to, Consumer<String> texts)
            throws Exception {
        TransportListener listener = new TransportListener() {
            @Override
            public void onFrame(Frame frame) {
                to.onFrame(frame);
                if (frame instanceof Frame.Text t) {
                    texts.accept(t.text()); // on the loop thread that read it
                }
            }

            @Override
            public void onClosed(int code, String reason) {
                to.onClosed(code, reason);
            }

            @Override
            public void onError(Throwable error) {
                to.onError(error);
            }
        };
        return on.open(new TransportRequest(server.uri(), Map.of(), Duration.ofSeconds(10), 1 << 20), listener)
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void framesSentDuringABatchWaitForItsEndThenLeaveInOrder() throws Exception {
        connect();
        CompletableFuture<Boolean> heldAtStart = new CompletableFuture<>();
        CompletableFuture<List<Boolean>> pendingWhileHeld = new CompletableFuture<>();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        onText = text -> {
            if (text.equals("go")) {
                LoopGroup.afterIo(() -> {
                    heldAtStart.complete(LoopThread.holding(loopOf(connection)) != null);
                    for (int i = 1; i <= 5; i++) {
                        sent.add(connection.send(Frame.text("frame " + i)));
                    }
                    sent.add(connection.send(Frame.binary(new byte[300_000]))); // too large to gather: written in turn
                    sent.add(connection.sendAll(List.of(Frame.text("frame 6"), Frame.text("frame 7"))));
                    // Unless the loop was taken over meanwhile (this thread stalled a whole tick), nothing is out yet.
                    List<Boolean> pending = new ArrayList<>();
                    boolean stillHeld = LoopThread.holding(loopOf(connection)) != null;
                    for (CompletableFuture<Void> f : sent) {
                        pending.add(!stillHeld || !f.isDone());
                    }
                    pendingWhileHeld.complete(pending);
                }, pool);
            }
        };
        connection.send(Frame.text("go")).get(10, TimeUnit.SECONDS);

        assertThat(heldAtStart.get(10, TimeUnit.SECONDS)).as("the batch ran on a loop thread, holding").isTrue();
        assertThat(pendingWhileHeld.get(10, TimeUnit.SECONDS)).as("frames pending while held").containsOnly(true);
        CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        assertThat(recorder.nextText()).isEqualTo("go");
        for (int i = 1; i <= 5; i++) {
            assertThat(recorder.nextText()).isEqualTo("frame " + i);
        }
        assertThat(recorder.nextBinary()).hasSize(300_000);
        assertThat(recorder.nextText()).isEqualTo("frame 6");
        assertThat(recorder.nextText()).isEqualTo("frame 7");
    }

    @Test
    void aStageWaitingForTheAnswerToAFrameItSentGetsIt() throws Exception {
        connect();
        CountDownLatch answered = new CountDownLatch(1);
        CompletableFuture<Boolean> stage = new CompletableFuture<>();
        onText = text -> {
            if (text.equals("go")) {
                LoopGroup.afterIo(() -> {
                    connection.send(Frame.text("answer me"));
                    try {
                        stage.complete(answered.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        stage.completeExceptionally(e);
                    }
                }, pool);
            } else if (text.equals("answer me")) {
                answered.countDown();
            }
        };
        connection.send(Frame.text("go")).get(10, TimeUnit.SECONDS);

        assertThat(stage.get(20, TimeUnit.SECONDS)).as("the echo reached the stage that waited for it").isTrue();
        assertThat(recorder.nextText()).isEqualTo("go");
        assertThat(recorder.nextText()).isEqualTo("answer me");
    }

    @Test
    void aStageWaitingForTheAnswerOnAnotherLoopsConnectionGetsIt() throws Exception {
        NioWebSocketTransport two = NioWebSocketTransport.builder().loops(2).build();
        try {
            CountDownLatch answered = new CountDownLatch(1);
            CompletableFuture<Boolean> stage = new CompletableFuture<>();
            TransportConnection[] other = new TransportConnection[1];
            TransportConnection first = open(two, new TransportRecorder(), text -> {
                if (text.equals("go")) {
                    LoopGroup.afterIo(() -> {
                        // Not held by this thread: a thread taking this loop over would not find the other loop's frames.
                        other[0].send(Frame.text("answer me"));
                        try {
                            stage.complete(answered.await(10, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            stage.completeExceptionally(e);
                        }
                    }, pool);
                }
            });
            other[0] = open(two, new TransportRecorder(), text -> {
                if (text.equals("answer me")) {
                    answered.countDown();
                }
            });
            assertThat(loopOf(other[0])).as("round robin: the second connection is on the other loop")
                    .isNotSameAs(loopOf(first));
            first.send(Frame.text("go")).get(10, TimeUnit.SECONDS);

            assertThat(stage.get(20, TimeUnit.SECONDS)).as("the echo on the other loop reached the stage").isTrue();
        } finally {
            two.close();
        }
    }
}
