package dev.slipstream.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code slipstream demo}, and the command dispatch of {@link Main}. */
class DemoAndMainTest {

    @Test
    void demoPlaysTheConversationAndExitsZero() {
        Result r = run("demo");

        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out.lines().filter(l -> !l.isBlank()).map(String::strip)).containsExactly(
                r.out.lines().findFirst().orElseThrow(),
                "[presence] monitor is online; online now: monitor",
                "[presence] alice is online; online now: monitor, alice",
                "[presence] bob is online; online now: monitor, alice, bob",
                "[chat] alice -> bob: Hi Bob! This message went through a Phoenix channel.",
                "[chat] bob -> alice: Hi Alice! And everybody in the lobby got it, you too.",
                "[chat] alice -> bob: Nice. I have to go, see you!",
                "[presence] bob went offline; online now: monitor, alice",
                "[presence] alice went offline; online now: monitor",
                "Demo finished: 3 chat messages delivered and 5 presence changes seen.");
        assertThat(r.out).startsWith("Slipstream demo: a fake Phoenix server on ws://127.0.0.1:");
    }

    @Test
    void demoTakesNoArguments() {
        Result r = run("demo", "--fast");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains("usage: slipstream demo");
    }

    @Test
    void unknownOrMissingCommandPrintsUsageAndExitsTwo() {
        for (String[] args : new String[][] {{}, {"dance"}}) {
            Result r = run(args);
            assertThat(r.exit).isEqualTo(2);
            assertThat(r.out).isEmpty();
            assertThat(r.err).contains("usage: slipstream <command>").contains("demo").contains("serve").contains("cat");
        }
    }

    @Test
    void helpGoesToStandardOutput() {
        assertThat(run("help").out).contains("usage: slipstream <command>");
        Result cat = run("cat", "--help");
        assertThat(cat.exit).isZero();
        assertThat(cat.out).contains("--listen SECONDS").contains("--vsn 1|2");
    }

    @Test
    void serveRefusesBadArgumentsWithUsageAndExitTwo() throws Exception {
        int busy;
        try (ServerSocket taken = new ServerSocket(0)) {
            busy = taken.getLocalPort();
            for (String[] args : new String[][] {{"serve", "--port", "x"}, {"serve", "--phoenix", "2.0"},
                    {"serve", "--what"}, {"serve", "--port", String.valueOf(busy)}}) {
                Result r = run(args);
                assertThat(r.exit).as("serve %s", String.join(" ", args)).isEqualTo(2);
                assertThat(r.out).isEmpty();
                assertThat(r.err).contains("slipstream serve:");
            }
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CompletableFuture.supplyAsync(() -> Main.run(args, null,
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .orTimeout(60, TimeUnit.SECONDS).join();
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {
    }
}
