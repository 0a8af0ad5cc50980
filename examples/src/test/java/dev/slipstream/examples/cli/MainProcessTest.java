package dev.slipstream.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Main#main} in a JVM of its own, as the jar runs it: real exit codes, and standard output carrying only
 * results (library logs such as Undertow's start-up lines must stay on standard error, or below its level).
 */
@Timeout(120) // a JVM start on a loaded 2-core machine can take several seconds; each wait below is bounded too
class MainProcessTest {

    @TempDir
    Path dir;

    @Test
    void demoExitsZeroAndPrintsOnlyTheConversation() throws Exception {
        Result r = run("demo");

        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).startsWith("Slipstream demo: a fake Phoenix server on ws://127.0.0.1:")
                .contains("[chat] alice -> bob: Hi Bob!")
                .endsWith("Demo finished: 3 chat messages delivered and 5 presence changes seen." + System.lineSeparator());
        assertThat(r.err).as("nothing logged at the default level").isEmpty();
    }

    @Test
    void badArgumentsExitTwoWithTheUsageOnStandardError() throws Exception {
        Result r = run("cat", "--listen", "1");

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains("missing URL").contains("usage: slipstream cat URL");
    }

    private Result run(String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dslipstream.stdin=tty", Main.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = p.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(ended).as("the command ended within 90 s").isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {
    }
}
