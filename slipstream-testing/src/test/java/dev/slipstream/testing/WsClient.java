package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw websocket client for tests: sends hand-made frames and records everything the server sends, in order, as
 * strings: text frames verbatim, binary frames as {@code <binary N bytes> hex=...} (the notation of
 * real-phoenix-frames.md), and the close as {@code closed code=N}.
 */
final class WsClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket ws;

    private WsClient(URI uri) throws Exception {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final List<byte[]> binary = new ArrayList<>();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    events.add(text.toString());
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                binary.add(b);
                if (last) {
                    int n = binary.stream().mapToInt(x -> x.length).sum();
                    ByteBuffer all = ByteBuffer.allocate(n);
                    binary.forEach(all::put);
                    binary.clear();
                    events.add("<binary " + n + " bytes> hex=" + HexFormat.of().formatHex(all.array()));
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                events.add("closed code=" + statusCode);
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                events.add("closed code=1006");
                closed.complete(1006);
            }
        };
        this.ws = HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, listener)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static WsClient connect(URI uri) throws Exception {
        return new WsClient(uri);
    }

    static WsClient connect(FakePhoenixServer server, String query) throws Exception {
        return new WsClient(URI.create(server.uri() + (query.isEmpty() ? "" : "?" + query)));
    }

    /** The HTTP status of a refused handshake. */
    static int refusedStatus(URI uri) throws Exception {
        try {
            HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, new WebSocket.Listener() {})
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).abort();
            throw new AssertionError("the handshake to " + uri + " succeeded");
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    WsClient send(String text) {
        ws.sendText(text, true).join();
        return this;
    }

    WsClient sendHex(String hex) {
        ws.sendBinary(ByteBuffer.wrap(HexFormat.of().parseHex(hex)), true).join();
        return this;
    }

    /** The next thing the server sent. */
    String next() throws InterruptedException {
        String e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("nothing arrived within " + WAIT);
        }
        return e;
    }

    /** Asserts the next frames, in order. */
    WsClient expect(String... frames) throws InterruptedException {
        for (String f : frames) {
            assertThat(next()).isEqualTo(f);
        }
        return this;
    }

    /** Sends a frame and asserts the frames that come back, in order. */
    WsClient exchange(String frame, String... expected) throws InterruptedException {
        send(frame);
        return expect(expected);
    }

    /** Asserts that nothing arrives within {@code window} (always costs the window). */
    void expectNothing(Duration window) throws InterruptedException {
        String e = events.poll(window.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("unexpected frame").isNull();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    int awaitClose() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    void closeNormally() {
        ws.sendClose(1000, "").orTimeout(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
