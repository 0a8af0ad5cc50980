package dev.slipstream.transport.nio;

import dev.slipstream.client.support.RawPeer;
import dev.slipstream.client.support.RawPeer.ClientFrame;
import dev.slipstream.client.support.TransportRecorder;
import dev.slipstream.client.support.TransportRecorder.Closed;
import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.client.transport.WebSocketProtocolException;
import dev.slipstream.protocol.Frame;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.slipstream.client.support.RawPeer.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link NioWebSocketTransport} against a server scripted byte by byte: violations, stalls, silences. */
@Timeout(60)
class NioMisbehavingServerTest {
    private static final NioWebSocketTransport TRANSPORT =
            NioWebSocketTransport.builder().closeTimeout(Duration.ofMillis(300)).build();

    private RawPeer peer;
    private final TransportRecorder recorder = new TransportRecorder();

    @BeforeEach
    void start() throws IOException {
        peer = new RawPeer();
    }

    @AfterEach
    void stop() throws IOException {
        peer.close();
    }

    private CompletableFuture<TransportConnection> open(int max) {
        return TRANSPORT.open(new TransportRequest(peer.uri(), Map.of(), Duration.ofSeconds(10), max), recorder);
    }

    /** Opens, upgrades (with {@code first} in the same write as the 101) and returns the connection. */
    private TransportConnection connect(byte[]... first) throws Exception {
        CompletableFuture<TransportConnection> f = open(1 << 20);
        peer.accept().upgrade(first);
        return f.get(20, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The server sends {@code bad}: the client answers with a close frame of {@code code}, fails, drops TCP. */
    private void assertFailsWith(byte[] bad, int code) throws Exception {
        connect();
        peer.send(bad);
        ClientFrame close = peer.readFrame();
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(code);
        assertThat(peer.awaitEof()).isTrue();
        WebSocketProtocolException e = recorder.next(WebSocketProtocolException.class);
        assertThat(e.closeCode()).isEqualTo(code);
        assertThat(recorder.all).hasSize(1);
    }

    @Test
    void aMaskedServerFrameIs1002() throws Exception {
        assertFailsWith(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2}, 1002);
    }

    @Test
    void reservedBitsAre1002() throws Exception {
        assertFailsWith(frame(0xC1, "compressed?"), 1002);
    }

    @Test
    void anUnknownOpcodeIs1002() throws Exception {
        assertFailsWith(frame(0x83, "?"), 1002);
    }

    @Test
    void badUtf8TextIs1007() throws Exception {
        assertFailsWith(frame(0x81, new byte[] {'o', 'k', (byte) 0xC3, 0x28}), 1007);
    }

    @Test
    void aCloseCodeNotAllowedOnTheWireIs1002() throws Exception {
        assertFailsWith(frame(0x88, new byte[] {0x03, (byte) 0xED}), 1002); // 1005
    }

    @Test
    void aCloseReasonThatIsNotUtf8Is1007() throws Exception {
        assertFailsWith(frame(0x88, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF}), 1007);
    }

    @Test
    void aFragmentedPingIs1002() throws Exception {
        assertFailsWith(frame(0x09, "p"), 1002);
    }

    @Test
    void framesInTheSamePacketAsThe101ReachTheListenerAfterTheOpenCompleted() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<?>[] opening = new CompletableFuture<?>[1];
        TransportListener l = new TransportListener() {
            @Override
            public void onFrame(Frame frame) {
                seen.add(((Frame.Text) frame).text() + " open=" + opening[0].isDone());
            }

            @Override
            public void onClosed(int code, String reason) {
                seen.add("closed " + code);
            }

            @Override
            public void onError(Throwable error) {
                seen.add("error " + error);
            }
        };
        opening[0] = TRANSPORT.open(new TransportRequest(peer.uri(), Map.of(), Duration.ofSeconds(10), 1000), l);
        peer.accept().upgrade(frame(0x81, "one"), frame(0x81, "two"));
        opening[0].get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly("one open=true", "two open=true");
    }

    @Test
    void fragmentsAcrossPacketsWithAPingBetweenArriveWholeAndThePingIsAnswered() throws Exception {
        connect();
        peer.send(frame(0x01, "[1,"));
        peer.send(frame(0x89, "mid"));
        peer.send(frame(0x00, "2,"));
        peer.send(frame(0x80, "3]"));
        ClientFrame pong = peer.readFrame();
        assertThat(pong.opcode()).isEqualTo(0xA);
        assertThat(pong.text()).isEqualTo("mid");
        assertThat(recorder.nextText()).isEqualTo("[1,2,3]");
    }

    @Test
    void aCloseWithoutCodeIsReportedAs1005AndEchoedEmpty() throws Exception {
        connect();
        peer.send(frame(0x88, new byte[0]));
        ClientFrame echo = peer.readFrame();
        assertThat(echo.opcode()).isEqualTo(0x8);
        assertThat(echo.payload()).isEmpty();
        assertThat(recorder.next(Closed.class)).isEqualTo(new Closed(1005, ""));
        assertThat(peer.awaitEof()).isTrue();
    }

    @Test
    void theEndOfTheStreamWithoutACloseFrameIs1006() throws Exception {
        connect();
        peer.drop(false);
        assertThat(recorder.next(Closed.class)).isEqualTo(new Closed(1006, ""));
        assertThat(recorder.all).hasSize(1);
    }

    @Test
    void aResetIsAnErrorOrA1006() throws Exception {
        connect();
        peer.drop(true);
        Object end = recorder.next();
        assertThat(end).satisfiesAnyOf(e -> assertThat(e).isInstanceOf(IOException.class),
                e -> assertThat(e).isEqualTo(new Closed(1006, "")));
    }

    @Test
    void aStalledFrameIsCompletedByLaterBytes() throws Exception {
        connect();
        byte[] whole = frame(0x82, new byte[70_000]);
        peer.send(java.util.Arrays.copyOfRange(whole, 0, 3)); // inside the 64-bit length
        peer.send(java.util.Arrays.copyOfRange(whole, 3, 40_000));
        assertThat(recorder.waiting()).isZero();
        peer.send(java.util.Arrays.copyOfRange(whole, 40_000, whole.length));
        assertThat(recorder.nextBinary()).hasSize(70_000);
    }

    @Test
    void aServerThatStallsMidFrameAndNeverAnswersTheCloseIsDroppedAfterTheBound() throws Exception {
        TransportConnection c = connect();
        byte[] whole = frame(0x81, "x".repeat(300));
        peer.send(java.util.Arrays.copyOfRange(whole, 0, 150));
        c.close(1000, "bye");
        ClientFrame close = peer.readFrame();
        assertThat(close.closeCode()).isEqualTo(1000);
        assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8)).isEqualTo("bye");
        // the server says nothing more: after the 300 ms bound the client drops TCP and reports 1006
        assertThat(peer.awaitEof()).isTrue();
        Closed closed = recorder.next(Closed.class);
        assertThat(closed.code()).isEqualTo(1006);
        assertThat(recorder.all).hasSize(1);
    }

    @Test
    void aServerThatAnswersTheCloseEndsWithItsCode() throws Exception {
        TransportConnection c = connect();
        c.close(4001, "");
        assertThat(peer.readFrame().closeCode()).isEqualTo(4001);
        peer.send(frame(0x88, new byte[] {0x0F, (byte) 0xA1})); // 4001
        assertThat(recorder.next(Closed.class)).isEqualTo(new Closed(4001, ""));
        assertThat(peer.awaitEof()).isTrue();
    }

    @Test
    void aBadAcceptValueFailsTheOpen() throws Exception {
        CompletableFuture<TransportConnection> f = open(1000);
        peer.accept().readRequest();
        peer.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Sec-WebSocket-Accept");
        assertThat(peer.awaitEof()).isTrue();
    }

    @Test
    void anEndlessResponseHeaderFailsTheOpen() throws Exception {
        CompletableFuture<TransportConnection> f = open(1000);
        peer.accept().readRequest();
        peer.send("HTTP/1.1 101 Switching Protocols\r\nX-Big: ");
        try {
            for (int i = 0; i < 100 && !f.isDone(); i++) {
                peer.send("y".repeat(1024));
            }
        } catch (IOException closedByTheClient) {
            // expected once the client gave up
        }
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(ProtocolException.class)
                .hasMessageContaining("65536");
    }

    @Test
    void aServerThatClosesBeforeAnsweringFailsTheOpen() throws Exception {
        CompletableFuture<TransportConnection> f = open(1000);
        peer.accept().readRequest();
        peer.drop(false);
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class)
                .hasMessageContaining("before answering");
    }

    @Test
    void aPingWhileAFrameIsHalfWrittenIsAnsweredAfterItAndBeforeWhatWasQueued() throws Exception {
        TransportConnection c = connect();
        String big = "b".repeat(8 * 1024 * 1024); // more than the socket buffers hold: the write stops midway
        CompletableFuture<Void> bigSent = c.send(Frame.text(big));
        CompletableFuture<Void> afterSent = c.send(Frame.text("after"));
        assertThat(bigSent).isNotDone();
        peer.send(frame(0x89, "ping"));
        peer.send(frame(0x81, "marker")); // read after the ping: once it arrives, the pong is queued
        assertThat(recorder.nextText()).isEqualTo("marker");
        ClientFrame first = peer.readFrame();
        assertThat(first.opcode()).isEqualTo(0x1);
        assertThat(first.payload()).hasSize(big.length());
        ClientFrame second = peer.readFrame();
        assertThat(second.opcode()).isEqualTo(0xA);
        assertThat(second.text()).isEqualTo("ping");
        assertThat(peer.readFrame().text()).isEqualTo("after");
        bigSent.get(20, TimeUnit.SECONDS);
        afterSent.get(20, TimeUnit.SECONDS);
    }

    @Test
    void pingsWhileTheServerDoesNotReadAreAnsweredOnceWithTheLatest() throws Exception {
        TransportConnection c = connect();
        CompletableFuture<Void> bigSent = c.send(Frame.binary(new byte[8 * 1024 * 1024]));
        for (int i = 1; i <= 3; i++) {
            peer.send(frame(0x89, "p" + i));
        }
        peer.send(frame(0x81, "marker"));
        assertThat(recorder.nextText()).isEqualTo("marker");
        assertThat(peer.readFrame().payload()).hasSize(8 * 1024 * 1024);
        ClientFrame pong = peer.readFrame();
        assertThat(pong.opcode()).isEqualTo(0xA);
        assertThat(pong.text()).isEqualTo("p3");
        bigSent.get(20, TimeUnit.SECONDS);
        c.send(Frame.text("end")).get(20, TimeUnit.SECONDS);
        assertThat(peer.readFrame().text()).isEqualTo("end");
    }

    @Test
    void framesQueuedWhenTheConnectionIsAbortedFail() throws Exception {
        TransportConnection c = connect();
        CompletableFuture<Void> big = c.send(Frame.binary(new byte[16 * 1024 * 1024]));
        CompletableFuture<Void> queued = c.send(Frame.text("queued"));
        assertThat(queued).isNotDone();
        c.abort();
        assertThatThrownBy(() -> queued.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class);
        assertThatThrownBy(() -> big.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class);
        assertThat(peer.awaitEof()).isTrue();
        assertThat(recorder.all).isEmpty();
    }

    @Test
    void aServerCloseDropsFramesNotStartedAndFailsTheirFutures() throws Exception {
        // a long close bound: the started 16 MiB frame must be finished before the echo, however slow the machine
        NioWebSocketTransport patient = NioWebSocketTransport.builder().closeTimeout(Duration.ofSeconds(30)).build();
        CompletableFuture<TransportConnection> f =
                patient.open(new TransportRequest(peer.uri(), Map.of(), Duration.ofSeconds(10), 1000), recorder);
        peer.accept().upgrade();
        TransportConnection c = f.get(20, TimeUnit.SECONDS);
        CompletableFuture<Void> big = c.send(Frame.binary(new byte[16 * 1024 * 1024]));
        CompletableFuture<Void> queued = c.send(Frame.text("queued"));
        peer.send(frame(0x88, new byte[] {0x03, (byte) 0xE8}));
        assertThat(recorder.next(Closed.class)).isEqualTo(new Closed(1000, ""));
        assertThatThrownBy(() -> queued.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class)
                .hasMessageContaining("1000");
        assertThat(peer.readFrame().payload()).hasSize(16 * 1024 * 1024); // the started frame is finished
        assertThat(peer.readFrame().closeCode()).isEqualTo(1000); // then the echo
        big.get(20, TimeUnit.SECONDS);
        assertThat(peer.awaitEof()).isTrue();
    }

    @Test
    void aMessageTooLargeClosesWith1009() throws Exception {
        CompletableFuture<TransportConnection> f = open(100);
        peer.accept().upgrade();
        f.get(20, TimeUnit.SECONDS);
        peer.send(new byte[] {(byte) 0x82, 127, 0, 0, 0, 0, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertThat(peer.readFrame().closeCode()).isEqualTo(1009);
        MessageTooLargeException e = recorder.next(MessageTooLargeException.class);
        assertThat(e.size()).isEqualTo(Integer.MAX_VALUE);
        assertThat(peer.awaitEof()).isTrue();
    }
}
