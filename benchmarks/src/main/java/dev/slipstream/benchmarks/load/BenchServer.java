package dev.slipstream.benchmarks.load;

import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import io.undertow.Undertow;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static io.undertow.Handlers.websocket;

/**
 * The server side of the load harness, run in its own JVM: the fake Phoenix server with the demo channels
 * ({@code echo:*}), and the ceiling, a raw websocket echo on the same stack (Undertow) without Phoenix framing. It
 * prints one line {@code BENCH-SERVER phoenix=<socket uri> raw=<ws uri>} on standard output once both listen, and
 * runs until its standard input closes (so it never outlives the harness).
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.BenchServer
 * }</pre>
 */
public final class BenchServer {
    /** Large enough for the 16 MiB messages of the large-message benchmark (Phoenix's default is 10 MB). */
    static final int MAX_FRAME = 64 * 1024 * 1024;

    private BenchServer() {}

    /** Starts both servers on ephemeral ports of 127.0.0.1 and prints their URIs. */
    public static void main(String[] args) throws Exception {
        FakePhoenixServer phoenix = DemoChannels.install(FakePhoenixServer.builder())
                .host("127.0.0.1")
                .port(0)
                .recording(false)
                .maxFrameSize(MAX_FRAME)
                // The connection benchmark keeps idle joined clients for minutes; only heartbeats keep them alive.
                .idleTimeout(Duration.ofMinutes(30))
                .maxChannelsPerConnection(16)
                .build()
                .start();
        Undertow raw = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(websocket(new RawEcho()))
                .build();
        raw.start();
        int rawPort = ((InetSocketAddress) raw.getListenerInfo().get(0).getAddress()).getPort();
        System.out.println("BENCH-SERVER phoenix=" + phoenix.socketUri() + " raw=ws://127.0.0.1:" + rawPort + "/raw");
        System.out.flush();
        CountDownLatch eof = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // The harness never writes; end of input means it is gone or done.
                }
            } catch (java.io.IOException ignored) {
                // Same as end of input.
            }
            eof.countDown();
        }, "bench-server-stdin");
        watcher.setDaemon(true);
        watcher.start();
        eof.await();
        raw.stop();
        phoenix.close();
        System.exit(0);
    }

    /** Echoes every text and binary message back as it came, whole. */
    private static final class RawEcho implements WebSocketConnectionCallback {
        @Override
        public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                    WebSockets.sendText(message.getData(), ch, null);
                }

                @Override
                protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                    var data = message.getData();
                    java.nio.ByteBuffer copy;
                    try {
                        copy = WebSockets.mergeBuffers(data.getResource());
                    } finally {
                        data.free(); // pooled: give it back before the (asynchronous) send of the copy
                    }
                    WebSockets.sendBinary(copy, ch, null);
                }

                @Override
                protected long getMaxTextBufferSize() {
                    return MAX_FRAME;
                }

                @Override
                protected long getMaxBinaryBufferSize() {
                    return MAX_FRAME;
                }
            });
            channel.resumeReceives();
        }
    }
}
