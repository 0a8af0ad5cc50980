package dev.slipstream.examples.cli;

import dev.slipstream.client.Presence;
import dev.slipstream.examples.chat.ChatClient;
import dev.slipstream.examples.presence.PresenceClient;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * {@code demo}: the fake Phoenix server in this process with the demo channels, a presence client and two chat clients
 * over real websockets on 127.0.0.1, and the conversation printed as it happens. Each step waits (bounded) for what it
 * caused to arrive, so the output is always in the same order.
 */
final class DemoCommand {
    private static final Duration STEP = Duration.ofSeconds(10);

    private final PrintStream out;
    private final Object printLock = new Object();
    // Each step waits on the next of these; the clients' callbacks complete them.
    private volatile Expectation<String> presenceChange = new Expectation<>(s -> false);
    private volatile Expectation<ChatClient.Line> bobHears = new Expectation<>(s -> false);
    private volatile Expectation<ChatClient.Line> aliceHears = new Expectation<>(s -> false);

    private DemoCommand(PrintStream out) {
        this.out = out;
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("slipstream demo: takes no arguments, got " + args);
            err.println("usage: slipstream demo");
            return 2;
        }
        try {
            new DemoCommand(out).play();
            return 0;
        } catch (DemoFailed e) {
            err.println("slipstream demo: " + e.getMessage());
            return 1;
        }
    }

    // The monitor stays open for the whole conversation without being used in the block; alice and bob leave
    // explicitly before the block ends (close is idempotent).
    @SuppressWarnings("try")
    private void play() throws DemoFailed {
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).port(0).start()) {
            URI endpoint = server.socketUri();
            say("Slipstream demo: a fake Phoenix server on " + endpoint
                    + " (in this process), a presence client and two chat clients, over real websockets.");
            say("");
            PresenceClient.Listener board = new PresenceClient.Listener() {
                @Override
                public void online(String key, Presence presence) {
                    say("  [presence] " + key + " is online; online now: " + whoIsOnline(presence));
                    presenceChange.offer("+" + key);
                }

                @Override
                public void offline(String key, Presence presence) {
                    say("  [presence] " + key + " went offline; online now: " + whoIsOnline(presence));
                    presenceChange.offer("-" + key);
                }
            };
            try (PresenceClient monitor = expectPresence("+monitor",
                    () -> PresenceClient.start(endpoint, "presence:lobby", "monitor", board))) {
                try (ChatClient alice = expectPresence("+alice", () -> chat(endpoint, "alice"));
                        ChatClient bob = expectPresence("+bob", () -> chat(endpoint, "bob"))) {
                    await(alice.joined(), "alice joining the lobby");
                    await(bob.joined(), "bob joining the lobby");
                    say("");
                    talk(alice, "Hi Bob! This message went through a Phoenix channel.", true);
                    talk(bob, "Hi Alice! And everybody in the lobby got it, you too.", false);
                    talk(alice, "Nice. I have to go, see you!", true);
                    say("");
                    expectPresence("-bob", () -> {
                        bob.close();
                        return bob;
                    });
                    expectPresence("-alice", () -> {
                        alice.close();
                        return alice;
                    });
                }
                say("");
                say("Demo finished: 3 chat messages delivered and 5 presence changes seen.");
            }
        }
    }

    /** Who is online, as "monitor, alice". */
    private static String whoIsOnline(Presence presence) {
        return String.join(", ", presence.list(Presence.Entry::key));
    }

    private ChatClient chat(URI endpoint, String user) {
        return ChatClient.start(endpoint, "lobby", user, line -> {
            // Every client receives every line (the room broadcasts to the sender too); print each once, as heard
            // by the other person.
            if (user.equals("bob") && line.user().equals("alice")) {
                say("  [chat] " + line.user() + " -> bob: " + line.body());
                bobHears.offer(line);
            } else if (user.equals("alice") && line.user().equals("bob")) {
                say("  [chat] " + line.user() + " -> alice: " + line.body());
                aliceHears.offer(line);
            }
        });
    }

    private void talk(ChatClient from, String body, boolean toBob) throws DemoFailed {
        Expectation<ChatClient.Line> heard = new Expectation<>(l -> l.body().equals(body));
        if (toBob) {
            bobHears = heard;
        } else {
            aliceHears = heard;
        }
        await(from.say(body), from.user() + " saying \"" + body + "\"");
        await(heard.future, (toBob ? "bob" : "alice") + " hearing \"" + body + "\"");
    }

    private <T> T expectPresence(String change, Step<T> step) throws DemoFailed {
        Expectation<String> expected = new Expectation<>(change::equals);
        presenceChange = expected;
        T result = step.run();
        await(expected.future, "the presence client seeing " + change.substring(1)
                + (change.startsWith("+") ? " come online" : " go offline"));
        return result;
    }

    private void say(String line) {
        synchronized (printLock) {
            out.println(line);
            out.flush();
        }
    }

    private static void await(CompletableFuture<?> f, String what) throws DemoFailed {
        try {
            f.get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new DemoFailed(what + " failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new DemoFailed(what + " did not happen within " + STEP.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoFailed("interrupted while waiting for " + what);
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T run();
    }

    /** Completes its future with the first offered value that matches. */
    private static final class Expectation<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        private final Predicate<T> matches;

        Expectation(Predicate<T> matches) {
            this.matches = matches;
        }

        void offer(T value) {
            if (matches.test(value)) {
                future.complete(value);
            }
        }
    }

    private static final class DemoFailed extends Exception {
        private static final long serialVersionUID = 1L;

        DemoFailed(String message) {
            super(message);
        }
    }
}
