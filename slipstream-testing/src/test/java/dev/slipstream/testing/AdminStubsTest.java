package dev.slipstream.testing;

import static dev.slipstream.testing.AdminApiTest.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.AdminApiTest.Answer;
import dev.slipstream.testing.demo.DemoServer;
import dev.slipstream.testing.stub.Stubs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /__admin/stubs}: channel stubs listed, added, replaced and removed over HTTP while clients are connected. */
@Timeout(30)
class AdminStubsTest {
    private static final String LIVE = "{\"id\":\"live\",\"topic\":\"live:*\",\"events\":[{\"event\":\"ping\","
            + "\"reply\":{\"response\":{\"v\":1}}}]}";

    @Test
    void aStubAddedOverHttpAnswersTheNextJoinAndPushAndCanBeReplacedAndRemoved() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().adminApi(true)
                .stubs(Stubs.parse("{\"slipstream\":\"stubs/1\",\"channels\":[{\"id\":\"base\",\"topic\":\"base\"}]}",
                        "base.json"))
                .start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            Answer added = call(server, "POST", "/__admin/stubs", LIVE);
            assertThat(added.status()).isEqualTo(201);
            assertThat(added.json().get("id").asText()).isEqualTo("live");
            assertThat(call(server, "GET", "/__admin/stubs", null).json().findValuesAsText("id"))
                    .containsExactly("base", "live");

            c.exchange("[\"1\",\"1\",\"live:a\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"live:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"live:a\",\"ping\",{}]",
                    "[\"1\",\"2\",\"live:a\",\"phx_reply\",{\"response\":{\"v\":1},\"status\":\"ok\"}]");

            Answer replaced = call(server, "PUT", "/__admin/stubs/live", LIVE.replace("\"v\":1", "\"v\":2"));
            assertThat(replaced.status()).isEqualTo(200);
            assertThat(replaced.json().at("/events/0/reply/response/v").asInt()).isEqualTo(2);
            c.exchange("[\"2\",\"2\",\"live:b\",\"phx_join\",{}]",
                    "[\"2\",\"2\",\"live:b\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"2\",\"3\",\"live:b\",\"ping\",{}]",
                    "[\"2\",\"3\",\"live:b\",\"phx_reply\",{\"response\":{\"v\":2},\"status\":\"ok\"}]");

            assertThat(call(server, "DELETE", "/__admin/stubs/live", null).status()).isEqualTo(200);
            c.exchange("[\"3\",\"3\",\"live:c\",\"phx_join\",{}]",
                    "[null,\"3\",\"live:c\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");

            call(server, "POST", "/__admin/stubs", LIVE);
            assertThat(call(server, "DELETE", "/__admin/stubs", null).status()).isEqualTo(200);
            assertThat(call(server, "GET", "/__admin/stubs", null).json().findValuesAsText("id")).containsExactly("base");
        }
    }

    @Test
    void refusalsNameWhatIsWrong() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().adminApi(true)
                .stubs(Stubs.parse("{\"slipstream\":\"stubs/1\"}", "empty.json")).start();
             FakePhoenixServer without = FakePhoenixServer.builder().adminApi(true).start()) {
            Answer bad = call(server, "POST", "/__admin/stubs", "{\"topic\":\"t\",\"events\":[{\"evnt\":\"x\"}]}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).startsWith("added stub at $.events[0].evnt: unknown field \"evnt\"");
            assertThat(call(server, "POST", "/__admin/stubs", "[1]").status()).isEqualTo(400);
            call(server, "POST", "/__admin/stubs", LIVE);
            assertThat(call(server, "POST", "/__admin/stubs", LIVE).status()).isEqualTo(409);
            Answer missing = call(server, "PUT", "/__admin/stubs/nope", LIVE);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.json().get("error").asText()).isEqualTo("no channel stub \"nope\"; the stubs are [live]");
            assertThat(call(server, "GET", "/__admin/stubs/nope", null).status()).isEqualTo(404);
            Answer noStubs = call(without, "GET", "/__admin/stubs", null);
            assertThat(noStubs.status()).isEqualTo(409);
            assertThat(noStubs.json().get("error").asText()).contains("started without stubs");
        }
    }

    @Test
    void serveWithoutFilesTakesStubsOverTheAdminApiBesideTheDemoChannels() throws Exception {
        try (FakePhoenixServer server = DemoServer.start(new String[] {"--port", "0"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            assertThat(call(server, "POST", "/__admin/stubs", LIVE).status()).isEqualTo(201);
            c.exchange("[\"1\",\"1\",\"live:a\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"live:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"2\",\"2\",\"echo:a\",\"phx_join\",{}]",
                    "[\"2\",\"2\",\"echo:a\",\"phx_reply\",{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"}]");
        }
    }
}
