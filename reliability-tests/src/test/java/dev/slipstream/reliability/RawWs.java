package dev.slipstream.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw websocket peer for tests, on the JDK's client: sends frames exactly as given and records what comes back
 * (text verbatim, binary as {@code <binary N>}, and the close code). Every wait is bounded.
 */
final class RawWs implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Duration WAIT = Duration.ofSeconds(5);

    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket ws;

    private RawWs(URI uri) throws Exception {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private int binary;

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    inbox.add(text.toString());
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                binary += data.remaining();
                if (last) {
                    inbox.add("<binary " + binary + ">");
                    binary = 0;
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(1006);
            }
        };
        ws = HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, listener)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static RawWs open(URI uri) throws Exception {
        return new RawWs(uri);
    }

    RawWs sendText(String text) {
        ws.sendText(text, true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        return this;
    }

    RawWs sendBinary(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        return this;
    }

    /** Tries to send; a peer that already closed makes this a no-op, as a fuzzer must expect. */
    boolean trySendText(String text) {
        try {
            sendText(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The next frame containing {@code fragment}, skipping others; fails after the wait. */
    String awaitFrameContaining(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String next = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no frame containing " + fragment + " within " + WAIT + "; closed: "
                        + closed.getNow(null));
            }
            if (next.contains(fragment)) {
                return next;
            }
        }
    }

    /** The close code the server sent (1006 when the link ended without a close frame). */
    int awaitClose() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        ws.abort();
    }
}
