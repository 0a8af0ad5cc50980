package dev.slipstream.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.PushTimeoutException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.Payload;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code cat URL [options]}: a Phoenix-aware command-line client, like wscat for channels. Connects, joins, pushes,
 * listens, and prints what happens as JSON lines.
 *
 * <p>Every line is printed from the client's callbacks and events, which run one at a time in the order things
 * happened, so the output order is the real order. The main thread only drives the script and decides the exit code.
 */
final class CatCommand {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int NO_CONNECTION = 2;
    /** --timeout is for replies; the connect (TCP, TLS, upgrade) gets the client's usual budget. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final CatOptions options;
    private final JsonLines out;
    private final PrintStream err;
    private final CountDownLatch stopped = new CountDownLatch(1);

    // Owned by the client's callback thread (callbacks and events never run concurrently).
    private final Map<String, String> pushEvents = new HashMap<>();
    private boolean everConnected;

    private CatCommand(CatOptions options, JsonLines out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code cat} with {@code args}; reads pushes from {@code stdin} unless it is null. Returns the exit code.
     */
    static int run(List<String> args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        CatOptions options;
        try {
            options = CatOptions.parse(args);
        } catch (UsageException e) {
            stderr.println("slipstream cat: " + e.getMessage());
            stderr.println(CatOptions.USAGE);
            return NO_CONNECTION;
        }
        return new CatCommand(options, new JsonLines(stdout), stderr).run(stdin);
    }

    private int run(InputStream stdin) {
        SlipstreamClient.Builder builder = SlipstreamClient.builder(options.url)
                .name("slipstream cat")
                .params(options.params)
                .connectTimeout(CONNECT_TIMEOUT)
                .pushTimeout(options.timeout)
                .module(new Printer())
                .eventListener(this::onEvent);
        options.headers.forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
        if (options.vsn == 1) {
            builder.protocolV1();
        }
        SlipstreamClient client;
        try {
            client = builder.build();
        } catch (IllegalArgumentException e) {
            err.println("slipstream cat: " + e.getMessage());
            err.println(CatOptions.USAGE);
            return NO_CONNECTION;
        }
        int exit;
        try {
            exit = script(client, stdin);
        } finally {
            client.close();
            awaitQuietly(stopped, options.timeout.plusSeconds(5));
        }
        return exit;
    }

    private int script(SlipstreamClient client, InputStream stdin) {
        Duration bound = options.timeout.plusSeconds(5);
        try {
            client.connect().get(CONNECT_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return NO_CONNECTION; // the connect_error line says why
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NO_CONNECTION;
        }
        boolean failed = false;
        for (CatOptions.JoinSpec join : options.joins) {
            if (!outcome(client.join(join.topic(), join.params()), "join " + join.topic(), bound)) {
                failed = true;
            }
        }
        // One push at a time, each waiting for its reply or timeout, so the output reads like the conversation it was.
        for (CatOptions.PushSpec push : options.pushes) {
            failed |= !pushAndWait(client, push, bound);
        }
        if (stdin != null) {
            failed |= !readPushes(client, stdin, bound);
        }
        if (!options.listen.isZero()) {
            awaitQuietly(new CountDownLatch(1), options.listen); // print what arrives meanwhile
        }
        return failed ? FAILED : OK;
    }

    /** Pushes every line of {@code stdin}; true if every one was answered ok. */
    private boolean readPushes(SlipstreamClient client, InputStream stdin, Duration bound) {
        boolean ok = true;
        BufferedReader reader = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        int lineNo = 0;
        try {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    CatOptions.PushSpec push = CatOptions.parsePushLine(line);
                    if (options.vsn == 1 && push.payload().isBinary()) {
                        throw new UsageException("binary payloads need --vsn 2");
                    }
                    ok &= pushAndWait(client, push, bound);
                } catch (UsageException e) {
                    err.println("slipstream cat: standard input line " + lineNo + ": " + e.getMessage());
                    ok = false;
                }
            }
        } catch (IOException e) {
            err.println("slipstream cat: reading standard input failed: " + e.getMessage());
            ok = false;
        }
        return ok;
    }

    /** Pushes and waits for the reply or the timeout; true if the reply is ok. */
    private boolean pushAndWait(SlipstreamClient client, CatOptions.PushSpec push, Duration bound) {
        String what = "push " + push.event() + " to " + push.topic();
        CompletableFuture<Payload.Reply> reply;
        try {
            reply = client.push(push.topic(), push.event(), push.payload());
        } catch (IllegalArgumentException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return outcome(reply.thenApply(r -> {
            if (!r.isOk()) {
                throw new CompletionException(new ReplyNotOk(r.status()));
            }
            return r;
        }), what, bound);
    }

    /** Waits for {@code f}; true if it succeeded. Failures the JSON lines do not show go to standard error. */
    private boolean outcome(CompletableFuture<?> f, String what, Duration bound) {
        try {
            f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            // Refused joins, timeouts and error replies have their own JSON line; anything else is explained here.
            if (!(cause instanceof JoinRefusedException || cause instanceof PushTimeoutException
                    || cause instanceof ReplyNotOk)) {
                err.println("slipstream cat: " + what + " failed: " + cause.getMessage());
            }
            return false;
        } catch (TimeoutException e) {
            err.println("slipstream cat: " + what + " got no answer within " + bound.toSeconds() + " s");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitQuietly(CountDownLatch latch, Duration d) {
        try {
            latch.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ output (on the client's callback thread)

    private void onEvent(ClientEvent event) {
        if (event instanceof ClientEvent.PushSent p) {
            pushEvents.put(p.ref(), p.event());
        } else if (event instanceof ClientEvent.PushTimedOut t) {
            if (t.ref() != null) {
                pushEvents.remove(t.ref());
            }
            ObjectNode line = JsonLines.line("timeout").put("topic", t.topic()).put("event", t.event());
            if (t.ref() == null) {
                line.putNull("ref");
            } else {
                line.put("ref", t.ref());
            }
            out.print(line);
        } else if (event instanceof ClientEvent.ReconnectScheduled r && everConnected) {
            // Before the first connection cat does not retry: a failed first connect ends it with exit 2.
            out.print(JsonLines.line("reconnecting").put("attempt", r.attempt()).put("delay_ms", r.delay().toMillis()));
        }
    }

    private final class Printer implements ClientModule {
        @Override
        public void connected(SlipstreamClient client) {
            everConnected = true;
            out.print(JsonLines.line("connected"));
        }

        @Override
        public void connectFailed(SlipstreamClient client, ConnectFailedException error) {
            ObjectNode line = JsonLines.line("connect_error");
            error.httpStatus().ifPresent(status -> line.put("status", status));
            line.put("reason", error.getMessage());
            out.print(line);
        }

        @Override
        public void disconnected(SlipstreamClient client, DisconnectReason reason) {
            out.print(JsonLines.line("disconnected").put("reason", reason.kind().name().toLowerCase(Locale.ROOT))
                    .put("code", reason.closeCode()));
        }

        @Override
        public void joined(SlipstreamClient client, String topic, Payload response) {
            ObjectNode line = JsonLines.line("joined").put("topic", topic);
            line.set("response", JsonLines.payload(response));
            out.print(line);
        }

        @Override
        public void message(SlipstreamClient client, String topic, String event, Payload payload) {
            ObjectNode line = JsonLines.line("message").put("topic", topic).put("event", event);
            line.set("payload", JsonLines.payload(payload));
            out.print(line);
        }

        @Override
        public void reply(SlipstreamClient client, String topic, String ref, Payload.Reply reply) {
            ObjectNode line = JsonLines.line("reply").put("topic", topic).put("event", pushEvents.remove(ref))
                    .put("ref", ref).put("status", reply.status());
            line.set("response", JsonLines.payload(reply.response()));
            out.print(line);
        }

        @Override
        public void topicClosed(SlipstreamClient client, String topic, TopicCloseReason reason) {
            if (reason.kind() == TopicCloseReason.Kind.JOIN_REFUSED) {
                ObjectNode line = JsonLines.line("join_error").put("topic", topic);
                line.set("response", JsonLines.payload(reason.payload()));
                out.print(line);
            } else {
                out.print(JsonLines.line("closed").put("topic", topic)
                        .put("reason", reason.kind() == TopicCloseReason.Kind.CRASHED ? "error" : "close"));
            }
        }

        @Override
        public void stopped(SlipstreamClient client) {
            stopped.countDown();
        }
    }

    /** A reply whose status is not ok: its {@code reply} line already shows it; only the exit code changes. */
    private static final class ReplyNotOk extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplyNotOk(String status) {
            super("reply status " + status, null, false, false);
        }
    }
}
