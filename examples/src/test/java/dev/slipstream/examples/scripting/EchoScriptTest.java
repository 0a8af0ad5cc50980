package dev.slipstream.examples.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.script.ScriptedChannel;
import dev.slipstream.testing.script.ScriptedServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class EchoScriptTest {

    @Test
    void theScriptRunsStartToFinish(ScriptedServer server) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        // The script blocks on every step, so it runs beside the test, which plays the server.
        CompletableFuture<Void> script = CompletableFuture.runAsync(() -> EchoScript.run(server.uri(), out));

        ScriptedChannel echo = server.connectAndJoin("echo:script", Map.of("hello", "server"),
                Map.of("joined", "echo:script"));
        echo.reply(echo.assertPush("echo", Map.of("n", 1)), Reply.ok(Map.of("n", 1)));
        var pushBack = echo.assertPush("push_back", Map.of("note", "for later"));
        echo.push("pushed", Map.of("note", "for later"));
        echo.reply(pushBack, Reply.ok());
        echo.assertLeave();
        server.assertDisconnect();

        assertThat(script).succeedsWithin(Duration.ofSeconds(10));
        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "joined: {\"joined\":\"echo:script\"}",
                "reply: ok n=1",
                "message: pushed for later",
                "done");
    }
}
