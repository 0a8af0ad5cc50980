package dev.slipstream.benchmarks.load;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.protocol.Payload;
import dev.slipstream.transport.nio.NioWebSocketTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import kotlin.Unit;
import okhttp3.OkHttpClient;
import org.phoenixframework.Channel;
import org.phoenixframework.Defaults;
import org.phoenixframework.Socket;

/**
 * One connection of one client, joined to {@code echo:bench}, that sends echo pushes of about 100 bytes of JSON and
 * calls back when the reply arrives. Implementations may call {@code done} on any thread.
 *
 * <pre>{@code
 * try (Echoer e = Echoer.open("slipstream", URI.create("ws://127.0.0.1:4000/socket"))) {
 *     e.send(() -> System.out.println("replied"));
 * }
 * }</pre>
 */
interface Echoer extends AutoCloseable {
    /** The JSON payload of every push: {@code {"body":"xxx..."}}, 100 bytes. */
    String BODY = "x".repeat(88);
    String PAYLOAD = "{\"body\":\"" + BODY + "\"}";
    String TOPIC = "echo:bench";

    /** Sends one push; {@code done} runs once its ok reply is in. A failure ends the probe (it is a broken run). */
    void send(Runnable done);

    /**
     * Sends one push and blocks the calling thread until its ok reply is in: how a JVM caller that only waits uses
     * the client. By default through {@link #send} and a latch (the peers have no blocking call of their own).
     */
    default void sendAndWait() throws InterruptedException {
        CountDownLatch replied = new CountDownLatch(1);
        send(replied::countDown);
        if (!replied.await(60, TimeUnit.SECONDS)) {
            fail("no reply after 60 s", null);
        }
    }

    /**
     * Runs {@code r} where this client expects calls to come from. Slipstream and the raw socket are safe from any
     * thread, so by default it runs at once.
     */
    default void onClientThread(Runnable r) {
        r.run();
    }

    @Override
    void close();

    /**
     * Opens and joins a connection of {@code client}: slipstream (on the default JDK transport), slipstream-nio (on
     * {@link NioWebSocketTransport}), javaphoenixclient, raw (the ceiling, against a plain echo) or raw-phoenix (the
     * same socket against a Phoenix endpoint such as {@code ws://host:4000/socket}: it joins with one written-out frame).
     */
    static Echoer open(String client, URI endpoint) throws Exception {
        switch (client) {
            case "slipstream":
                return new Ours(endpoint, JdkWebSocketTransport.shared());
            case "slipstream-nio":
                return new Ours(endpoint, NioWebSocketTransport.shared());
            case "javaphoenixclient":
                return new JavaPhoenix(endpoint);
            case "raw":
                return new Raw(endpoint, false);
            case "raw-phoenix":
                return new Raw(URI.create(endpoint + "/websocket?vsn=2.0.0"), true);
            default:
                throw new IllegalArgumentException("unknown client \"" + client
                        + "\" (slipstream, slipstream-nio, javaphoenixclient, raw, raw-phoenix)");
        }
    }

    static void fail(String what, Throwable cause) {
        System.err.println("probe failed: " + what + (cause == null ? "" : ": " + cause));
        if (cause != null) {
            cause.printStackTrace();
        }
        System.exit(3);
    }

    /** Slipstream: a push per message, its payload built from text as a user would. */
    final class Ours implements Echoer {
        private final SlipstreamClient client;

        Ours(URI endpoint, Transport transport) {
            client = SlipstreamClient.builder(endpoint).transport(transport).pushTimeout(Duration.ofSeconds(60)).build();
            client.connect().thenCompose(c -> client.join(TOPIC)).join();
        }

        @Override
        public void send(Runnable done) {
            client.push(TOPIC, "echo", Payload.json(PAYLOAD)).whenComplete((reply, error) -> {
                if (error != null || !reply.isOk()) {
                    fail("slipstream push", error);
                }
                done.run();
            });
        }

        /** The waiting caller's own path: {@code get} on the push's future, woken by the client's owner. */
        @Override
        public void sendAndWait() {
            try {
                if (!client.push(TOPIC, "echo", Payload.json(PAYLOAD)).get(60, TimeUnit.SECONDS).isOk()) {
                    fail("slipstream push: not ok", null);
                }
            } catch (Exception e) {
                fail("slipstream push", e);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** JavaPhoenixClient 1.3.1: a push per message, its payload a map as its API takes. */
    final class JavaPhoenix implements Echoer {
        private final Socket socket;
        private final Channel channel;

        JavaPhoenix(URI endpoint) throws Exception {
            socket = new Socket(endpoint + "/websocket", Map.of(), Defaults.VSN, Defaults.INSTANCE.getEncode(),
                    Defaults.INSTANCE.getDecode(), new OkHttpClient());
            CompletableFuture<Void> joined = new CompletableFuture<>();
            socket.connect();
            channel = socket.channel(TOPIC, Map.of());
            channel.join(10_000).receive("ok", m -> {
                joined.complete(null);
                return Unit.INSTANCE;
            }).receive("error", m -> {
                joined.completeExceptionally(new IllegalStateException("join refused " + m));
                return Unit.INSTANCE;
            });
            joined.get(30, TimeUnit.SECONDS);
        }

        @Override
        public void send(Runnable done) {
            channel.push("echo", Map.of("body", BODY), 60_000).receive("ok", m -> {
                done.run();
                return Unit.INSTANCE;
            }).receive("timeout", m -> {
                fail("javaphoenixclient push timeout", null);
                return Unit.INSTANCE;
            });
        }

        /**
         * JavaPhoenixClient is not safe for pushes from one thread while replies are processed on OkHttp's reader
         * thread (pipelined pushes from the main thread lose replies). So the pipelined run makes every push on the
         * reader thread, as phoenix.js does on its one thread: the first window from the reply to one extra push,
         * every later push from the reply before it.
         */
        @Override
        public void onClientThread(Runnable r) {
            send(r);
        }

        @Override
        public void close() {
            socket.disconnect(1000, "done", () -> Unit.INSTANCE);
        }
    }

    /**
     * The ceiling: the JDK WebSocket (the transport Slipstream uses) sending the text of a V2 push frame of the same
     * size as Slipstream's, matched to replies in order. No codec. Against the plain Undertow echo ({@code raw}) no
     * Phoenix framing either; against a Phoenix endpoint ({@code raw-phoenix}) it first joins {@code echo:bench} with a
     * written-out join frame, then sends the same push frame every time (Phoenix only echoes the ref) and checks each
     * reply's status by looking for {@code "status":"ok"} in its text: what any Phoenix client must do at the least.
     */
    final class Raw implements Echoer, WebSocket.Listener {
        private static final String OK = "\"status\":\"ok\"";
        private final String frame = "[\"1\",\"100000\",\"" + TOPIC + "\",\"echo\"," + PAYLOAD + "]";
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        private final boolean phoenix;
        private final WebSocket ws;
        private CompletableFuture<WebSocket> lastSend;
        private final StringBuilder partial = new StringBuilder();

        Raw(URI uri, boolean phoenix) {
            this.phoenix = phoenix;
            ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).join();
            lastSend = CompletableFuture.completedFuture(ws);
            if (phoenix) {
                CountDownLatch joined = new CountDownLatch(1);
                synchronized (this) {
                    waiting.add(joined::countDown);
                    lastSend = ws.sendText("[\"1\",\"1\",\"" + TOPIC + "\",\"phx_join\",{}]", true);
                }
                try {
                    if (!joined.await(10, TimeUnit.SECONDS)) {
                        fail("raw-phoenix: no reply to the join of " + TOPIC + " after 10 s", null);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("raw-phoenix: interrupted while joining", e);
                }
            }
        }

        @Override
        public void send(Runnable done) {
            synchronized (this) {
                waiting.add(done);
                // The JDK WebSocket takes one send at a time: chain each on the previous one.
                lastSend = lastSend.thenCompose(w -> w.sendText(frame, true));
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (phoenix && partial.indexOf(OK) < 0) {
                    fail("raw-phoenix: a reply that is not ok: " + partial, null);
                }
                partial.setLength(0);
                Runnable done;
                synchronized (this) {
                    done = waiting.poll();
                }
                if (done == null) {
                    fail("raw echo: a reply nobody waits for", null);
                } else {
                    done.run();
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail("raw websocket", error);
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
