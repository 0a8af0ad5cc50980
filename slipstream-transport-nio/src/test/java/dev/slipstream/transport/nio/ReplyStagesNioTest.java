package dev.slipstream.transport.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.support.RawPeer;
import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where the stages of callers' futures run on {@link NioWebSocketTransport}: on the loop thread that read the reply,
 * once it handed the loop on to another of its threads, so a stage that blocks (here on another reply of the same
 * client) holds up no reading.
 */
class ReplyStagesNioTest {
    private final TestPhoenixServer server = new TestPhoenixServer();
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private NioWebSocketTransport transport;
    private SlipstreamClient client;

    private record Held(TestPhoenixServer.Session session, Message push) {
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (transport != null) {
            transport.close();
        }
        server.close();
    }

    @Test
    void aStageRunsOnTheLoopThreadThatReadItsReplyAndMayBlockThereOnAnotherReply() throws Exception {
        server.script((s, m) -> {
            if (m.event().equals("held")) {
                held.add(new Held(s, m)); // answered when the test says
            } else {
                TestPhoenixServer.standard(s, m);
            }
        });
        transport = NioWebSocketTransport.builder().loops(1).build();
        client = SlipstreamClient.builder(server.uri()).transport(transport).build();
        client.connect().get(10, TimeUnit.SECONDS);
        client.join("room:lobby").get(10, TimeUnit.SECONDS);

        CompletableFuture<Payload.Reply> reply = client.push("room:lobby", "held", Payload.json("{\"n\":1}"));
        CompletableFuture<String> stage = reply.thenApply(r -> {
            String thread = Thread.currentThread().getName();
            // Blocking here on another reply of this client: only another thread of the loop can read it.
            Payload.Reply echo = client.push("room:lobby", "echo", Payload.json("{\"n\":2}")).join();
            return thread + " " + echo.response();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> !held.isEmpty());
        Held h = held.poll();
        h.session().reply(h.push(), "ok", h.push().payload());

        assertThat(stage.get(10, TimeUnit.SECONDS)).startsWith("slipstream-nio-").endsWith(" " + Payload.json("{\"n\":2}"));
    }

    @Test
    void aStageOnADisconnectEndedByTheLoopsCloseTimeoutRunsThoughTheLoopHasNothingElseToDo() throws Exception {
        // The close timeout is a timer of the loop; the stage it decided once waited for the loop's next I/O or task.
        try (RawPeer peer = new RawPeer()) {
            transport = NioWebSocketTransport.builder().loops(1).closeTimeout(Duration.ofMillis(300)).build();
            URI endpoint = URI.create("ws://127.0.0.1:" + peer.uri().getPort() + "/socket");
            client = SlipstreamClient.builder(endpoint).transport(transport).build();
            CompletableFuture<Void> connected = client.connect();
            peer.accept().upgrade();
            connected.get(10, TimeUnit.SECONDS);

            CompletableFuture<String> stage = client.disconnect().thenApply(x -> Thread.currentThread().getName());
            assertThat(peer.readFrame().closeCode()).isEqualTo(1000); // and the peer never answers it
            assertThat(stage.get(10, TimeUnit.SECONDS)).startsWith("slipstream-nio-");
        }
    }
}
