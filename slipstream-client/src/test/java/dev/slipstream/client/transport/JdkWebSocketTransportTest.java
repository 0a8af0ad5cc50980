package dev.slipstream.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.support.RawWebSocketServer;
import dev.slipstream.protocol.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The default transport against a hand-written server sending fragmented messages. */
class JdkWebSocketTransportTest {

    /** An unmasked server frame (payload under 126 bytes). */
    private static void frame(OutputStream out, boolean fin, int opcode, byte[] payload) throws IOException {
        out.write((fin ? 0x80 : 0) | opcode);
        out.write(payload.length);
        out.write(payload);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Recorder implements TransportListener {
        final List<Object> seen = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onFrame(Frame frame) {
            threads.add(Thread.currentThread().getName());
            seen.add(frame);
        }

        @Override
        public void onClosed(int code, String reason) {
            seen.add("closed " + code);
        }

        @Override
        public void onError(Throwable error) {
            seen.add(error);
        }
    }

    private static TransportRequest request(RawWebSocketServer server, int max) {
        return new TransportRequest(URI.create("ws://127.0.0.1:" + server.port() + "/socket/websocket?vsn=2.0.0"),
                Map.of(), Duration.ofSeconds(5), max);
    }

    @Test
    void fragmentedTextAndBinaryMessagesArriveWhole() throws IOException {
        try (RawWebSocketServer server = new RawWebSocketServer((s, out) -> {
            frame(out, false, 0x1, utf8("[null,null,"));
            frame(out, false, 0x0, utf8("\"room:é\","));
            frame(out, true, 0x0, utf8("\"e\",{}]"));
            frame(out, false, 0x2, new byte[] {2, 4});
            frame(out, true, 0x0, new byte[] {1, 2});
            out.flush();
            s.getInputStream().read(); // hold the link until the client goes
        })) {
            Recorder recorder = new Recorder();
            TransportConnection c = JdkWebSocketTransport.shared().open(request(server, 1000), recorder).join();
            await().until(() -> recorder.seen.size() >= 2);
            assertThat(recorder.seen.get(0)).isEqualTo(Frame.text("[null,null,\"room:é\",\"e\",{}]"));
            assertThat(((Frame.Binary) recorder.seen.get(1)).toByteArray()).containsExactly(2, 4, 1, 2);
            c.abort();
        }
    }

    @Test
    void aMessageOverTheLimitAcrossFragmentsEndsInMessageTooLarge() throws IOException {
        try (RawWebSocketServer server = new RawWebSocketServer((s, out) -> {
            frame(out, false, 0x1, utf8("x".repeat(60)));
            frame(out, true, 0x0, utf8("y".repeat(60)));
            out.flush();
            s.getInputStream().read();
        })) {
            Recorder recorder = new Recorder();
            JdkWebSocketTransport.shared().open(request(server, 100), recorder).join();
            await().until(() -> !recorder.seen.isEmpty());
            assertThat(recorder.seen).hasSize(1);
            assertThat(recorder.seen.get(0)).isInstanceOfSatisfying(MessageTooLargeException.class,
                    e -> assertThat(e.limit()).isEqualTo(100));
        }
    }

    @Test
    void onTheSharedTransportFramesReachTheListenerFromTheSelectorThreadWithoutAHandOff() throws IOException {
        try (RawWebSocketServer server = new RawWebSocketServer((s, out) -> {
            s.getInputStream().read(); // the client's first frame: the connection is open and reading
            for (int i = 0; i < 20; i++) {
                frame(out, true, 0x1, utf8("[null,null,\"t\",\"e\",{\"i\":" + i + "}]"));
                out.flush();
            }
            while (s.getInputStream().read() >= 0) {
                // hold the link until the client goes
            }
        })) {
            Recorder recorder = new Recorder();
            TransportConnection c = JdkWebSocketTransport.shared().open(request(server, 1000), recorder).join();
            c.send(Frame.text("[null,\"1\",\"phoenix\",\"heartbeat\",{}]")).join();
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(recorder.seen).hasSize(20));
            // A pool between the JDK's selector and the listener costs a thread wake-up per read; the owner the
            // listener hands to never blocks, so the selector thread runs it (on ws:// only: TLS work stays pooled).
            assertThat(recorder.threads).hasSize(20).allMatch(n -> n.matches("HttpClient-\\d+-SelectorManager"));
            c.abort();
        }
    }

    @Test
    void aConnectionStartsOffTheCallingThreadSoTheOwnerNeverWaitsForANameLookupOrRunsAProxySelector()
            throws IOException {
        // The JDK calls the ProxySelector and resolves the host on the thread that starts a websocket: the owner's.
        List<String> selectedOn = new CopyOnWriteArrayList<>();
        ProxySelector recording = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                selectedOn.add(Thread.currentThread().getName());
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {
            }
        };
        try (RawWebSocketServer server = new RawWebSocketServer((s, out) -> s.getInputStream().read())) {
            JdkWebSocketTransport transport = JdkWebSocketTransport.using(HttpClient.newBuilder().proxy(recording).build());
            TransportConnection c = transport.open(request(server, 1000), new Recorder()).join();
            assertThat(selectedOn).isNotEmpty().allMatch(n -> n.startsWith("slipstream-http-connect-"));
            c.abort();
        }
    }
}
