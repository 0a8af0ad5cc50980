package dev.slipstream.testing.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A non-JVM test suite driving the fake over HTTP: {@code src/test/js/admin.js} joins a channel with the official
 * phoenix.js client, then pushes to it, broadcasts to it, reads its pushes from the journal and disconnects it through
 * {@code /__admin/} of a server started as {@code slipstream serve} starts it.
 */
class AdminApiNodeTest {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // covers finding Node and `npm ci` on a cold npm cache
    void phoenixJsTestsDriveTheFakeOverTheAdminApi() throws Exception {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        NodeProject project = NodeProject.prepare(module.resolve("src/test/js"), module.resolve("target/phoenix-js"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (FakePhoenixServer server = DemoServer.start(new String[] {"--port", "0"}, quiet)) {
            NodeProject.ProcessResult run = NodeProject.run(
                    List.of(project.node().toString(), "admin.js", "--base", server.httpUri().toString()),
                    project.dir(), RUN_TIMEOUT, project.dir().resolve("admin.log"));
            assertThat(run.timedOut()).as(run.output()).isFalse();
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("ADMIN {\"name\":\"push_to_connection\",\"status\":\"passed\"}")
                    .contains("ADMIN {\"name\":\"journal\",\"status\":\"passed\"}")
                    .contains("8 passed, 0 failed");
        }
    }
}
