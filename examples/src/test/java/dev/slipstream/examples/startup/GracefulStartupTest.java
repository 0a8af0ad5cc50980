package dev.slipstream.examples.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.script.ScriptedServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class GracefulStartupTest {

    @Test
    void missingConfigurationIsReportedAndNothingStarts(ScriptedServer server) {
        List<String> problems = new CopyOnWriteArrayList<>();

        Optional<SlipstreamClient> client = GracefulStartup.start(Map.of(), problems::add);

        assertThat(client).isEmpty();
        assertThat(problems).singleElement().asString().contains("not configured").contains("slipstream.url");
        server.refuteConnect();
    }

    @Test
    void invalidConfigurationIsReportedNamingTheSettingAndNothingStarts(ScriptedServer server) {
        for (String bad : List.of("ftp://example.com/socket", "ws://", "ws://exa mple.com/socket", "localhost:4000")) {
            List<String> problems = new CopyOnWriteArrayList<>();

            Optional<SlipstreamClient> client = GracefulStartup.start(Map.of(GracefulStartup.URL, bad), problems::add);

            assertThat(client).as("client for %s", bad).isEmpty();
            assertThat(problems).as("problems for %s", bad).singleElement().asString()
                    .contains("configuration is invalid").contains("slipstream.url").contains(bad);
        }
        server.refuteConnect();
    }

    @Test
    @SuppressWarnings("try") // the client under test runs by itself; the block only closes it
    void validConfigurationConnectsAndJoinsTheTopic(ScriptedServer server) {
        List<String> problems = new CopyOnWriteArrayList<>();
        Map<String, String> config = Map.of(GracefulStartup.URL, server.uri().toString(),
                GracefulStartup.TOPIC, "room:lobby");

        Optional<SlipstreamClient> client = GracefulStartup.start(config, problems::add);

        assertThat(client).isPresent();
        try (SlipstreamClient c = client.get()) {
            server.connectAndJoin("room:lobby");
            assertThat(problems).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("try") // the client under test runs by itself; the block only closes it
    void aServerThatIsDownIsNotAConfigurationProblem(ScriptedServer server) {
        List<String> problems = new CopyOnWriteArrayList<>();
        server.server().refuseConnections(503);

        Optional<SlipstreamClient> client = GracefulStartup.start(
                Map.of(GracefulStartup.URL, server.uri().toString()), problems::add);

        try (SlipstreamClient c = client.orElseThrow()) {
            server.server().acceptConnections();
            server.acceptConnect(); // the client kept retrying and got in
            assertThat(problems).isEmpty();
        }
    }
}
