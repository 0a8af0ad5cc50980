package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.demo.DemoChannels;
import dev.slipstream.testing.record.RecordingProxy;
import dev.slipstream.testing.stub.Stubs;
import dev.slipstream.testing.verify.Drift;
import dev.slipstream.testing.verify.DriftCheck;
import dev.slipstream.testing.verify.DriftReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift check over real websockets: a session recorded through the proxy from the demo app, then checked
 * against the same app (agrees), against one whose echo rule changed and one without the topic (drift found and
 * named), and against nothing (an error, not a drift).
 */
@Timeout(60)
class DriftCheckTest {
    @TempDir
    Path out;

    private Path session;
    private RecordingProxy.Recording recording;

    @BeforeEach
    void record() throws Exception {
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start();
                RecordingProxy proxy = RecordingProxy.builder(URI.create("ws://127.0.0.1:" + server.port() + "/socket"))
                        .output(out).start();
                WsClient c = WsClient.connect(URI.create(proxy.uri() + "?vsn=2.0.0&user_id=ada"))) {
            c.exchange("[\"1\",\"1\",\"echo:lobby\",\"phx_join\",{\"hello\":\"there\"}]",
                    "[\"1\",\"1\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"echo:lobby\",\"params\":{\"hello\":\"there\"}},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"echo:lobby\",\"echo\",{\"body\":\"hi\",\"n\":1}]",
                    "[\"1\",\"2\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"body\":\"hi\",\"n\":1},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"3\",\"echo:lobby\",\"push_back\",{\"p\":1}]",
                    "[\"1\",null,\"echo:lobby\",\"pushed\",{\"p\":1}]",
                    "[\"1\",\"3\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.sendHex("0001020a063134306563686f3a6c6f62627962696e617279010203ff")
                    .expect("<binary 24 bytes> hex=0101020a023134306563686f3a6c6f6262796f6b010203ff");
            c.exchange("[\"1\",\"5\",\"echo:lobby\",\"error\",{\"why\":\"test\"}]",
                    "[\"1\",\"5\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"why\":\"test\"},\"status\":\"error\"}]");
            recording = proxy.stop();
            session = recording.session();
        }
    }

    private static DriftCheck against(FakePhoenixServer server) {
        return DriftCheck.builder(URI.create("ws://127.0.0.1:" + server.port() + "/socket"))
                .timeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void theSameBackendAgrees() throws Exception {
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start()) {
            DriftReport report = against(server).checkSession(session);
            assertThat(report.drifts()).isEmpty();
            assertThat(report.agrees()).isTrue();
            assertThat(report.checks()).isEqualTo(7); // connect, join, 4 pushes, 1 server push
            assertThat(report.toJsonLines()).containsExactly("{\"type\":\"summary\",\"checks\":7,\"drifts\":0,\"not_checked\":0}");
        }
    }

    @Test
    void aChangedRuleIsFoundAndNamedByItsJsonPath() throws Exception {
        ChannelHandler changed = new ChannelHandler() {
            @Override
            public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                return JoinResult.ok(Map.of("joined", topic, "params", Map.of("hello", "there")));
            }

            @Override
            public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                switch (event) {
                    case "echo":
                        return HandleResult.ok(Map.of("body", "hi", "n", 2));       // n changed
                    case "push_back":
                        return HandleResult.ok();                                   // no longer pushes
                    case "binary":
                        return HandleResult.reply(Reply.ok(payload));
                    default:
                        return HandleResult.ok(Map.of("why", "test"));              // ok where error was
                }
            }
        };
        try (FakePhoenixServer server = FakePhoenixServer.builder().channel("echo:*", changed).start()) {
            DriftReport report = against(server).checkSession(session);
            assertThat(report.drifts()).extracting(Drift::toString).containsExactly(
                    "push echo:lobby echo: $.n: stubs say 1, backend said 2",
                    "push echo:lobby push_back -> pushed: push: stubs say \"pushed\", backend said nothing",
                    "push echo:lobby error: reply status: stubs say \"error\", backend said \"ok\"");
            assertThat(report.toJsonLines().get(0)).isEqualTo("{\"type\":\"drift\",\"kind\":\"payload\","
                    + "\"where\":\"push echo:lobby echo\",\"path\":\"$.n\",\"expected\":1,\"actual\":2}");
        }
    }

    @Test
    void theStubsDerivedFromTheRecordingAgreeWithTheBackendAndAChangedStubIsDrift() throws Exception {
        assertThat(recording.notes()).singleElement().asString().contains("binary");
        Stubs stubs = Stubs.load(recording.stubs());
        try (FakePhoenixServer demo = DemoChannels.install(FakePhoenixServer.builder()).start();
                FakePhoenixServer replay = FakePhoenixServer.builder().stubs(stubs).start()) {
            for (FakePhoenixServer server : List.of(demo, replay)) {
                DriftReport report = against(server).check(stubs);
                assertThat(report.drifts()).as("against %s", server).isEmpty();
                assertThat(report.checks()).isEqualTo(6); // connect, join, 3 pushes, 1 server push
                assertThat(report.notChecked()).isEmpty();
            }
        }
        // One rule changed in a copy of the stubs: the error event now answers ok.
        Path changed = out.resolve("changed");
        Files.createDirectories(changed);
        try (var files = Files.list(recording.stubs())) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                Files.writeString(changed.resolve(f.getFileName()), text.contains("\"event\" : \"error\"")
                        ? text.replaceFirst("(\"event\" : \"error\",\\s*\"reply\" : \\{\\s*\"status\" : )\"error\"", "$1\"ok\"")
                        : text);
            }
        }
        assertThat(Files.readString(changed.resolve("01-echo_lobby.json")))
                .isNotEqualTo(Files.readString(recording.stubs().resolve("01-echo_lobby.json")));
        try (FakePhoenixServer other = FakePhoenixServer.builder().stubs(changed.toString()).start()) {
            DriftReport report = against(other).check(stubs);
            assertThat(report.drifts()).extracting(Drift::toString).containsExactly(
                    "push echo:lobby error: reply status: stubs say \"error\", backend said \"ok\"");
        }
    }

    @Test
    void whatNoRequestCanBeBuiltForIsListedNotChecked() throws Exception {
        Stubs stubs = Stubs.parse("""
                {"slipstream": "stubs/1", "channels": [
                  {"topic": "room:*"},
                  {"topic": "echo:private", "join": [{"reply": {"status": "error", "response": {"reason": "unauthorized"}},
                                                       "example": {"password": "[redacted]"}}]},
                  {"topic": "echo:lobby", "join": [{"reply": {"response": {"joined": "{{topic}}", "params": "{{params}}"}}}],
                   "events": [
                    {"event": "echo", "payload": {"body": {"matches": "h.*"}}, "reply": {"response": "{{payload}}"}},
                    {"event": "echo", "payload": {"body": {"matches": "b.*"}}, "example": {"body": "bye"},
                     "reply": {"response": "{{payload}}"}}]}]}
                """, "inline.json");
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start()) {
            DriftReport report = against(server).check(stubs);
            assertThat(report.drifts()).isEmpty();
            assertThat(report.checks()).isEqualTo(3); // connect, join, the rule with an example
            assertThat(report.notChecked()).containsExactly(
                    "channel room:*: a topic pattern; no topic to join (give a stub with an exact topic to check it)",
                    "channel echo:private join rule #1: its request holds a value the recording redacted; give the rule"
                            + " an \"example\" that verify may send",
                    "channel echo:lobby event rule #1 (echo): the condition on \"body\" names no one value (only"
                            + " equalTo and absent do; give the rule an \"example\")");
        }
    }

    @Test
    void volatilePathsAreNotCompared() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().channel("echo:*", new ChannelHandler() {
            @Override
            public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                return JoinResult.ok(Map.of("joined", topic, "params", Map.of("hello", "elsewhere")));
            }
        }).start()) {
            DriftReport report = DriftCheck.builder(URI.create("ws://127.0.0.1:" + server.port() + "/socket"))
                    .volatilePath("$.params.hello").build().checkSession(session);
            assertThat(report.drifts()).extracting(Drift::where).doesNotContain("join echo:lobby");
        }
    }

    @Test
    void aV1RecordingIsCheckedToo() throws Exception {
        Path v1 = out.resolve("v1");
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start()) {
            try (RecordingProxy proxy = RecordingProxy.builder(URI.create("ws://127.0.0.1:" + server.port() + "/socket"))
                    .output(v1).start();
                    WsClient c = WsClient.connect(URI.create(proxy.uri() + "?vsn=1.0.0"))) {
                c.exchange("{\"topic\":\"echo:v1\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"1\",\"join_ref\":\"1\"}",
                        "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"joined\":\"echo:v1\",\"params\":{}},\"status\":\"ok\"},\"ref\":\"1\",\"topic\":\"echo:v1\"}");
                c.exchange("{\"topic\":\"echo:v1\",\"event\":\"echo\",\"payload\":{\"a\":1},\"ref\":\"2\",\"join_ref\":\"1\"}",
                        "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"a\":1},\"status\":\"ok\"},\"ref\":\"2\",\"topic\":\"echo:v1\"}");
                proxy.stop();
            }
            DriftReport report = against(server).checkSession(v1.resolve("session.jsonl"));
            assertThat(report.drifts()).isEmpty();
            assertThat(report.checks()).isEqualTo(3);
        }
    }

    @Test
    void aMissingTopicIsNamed() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().start()) {
            DriftReport report = against(server).checkSession(session);
            assertThat(report.drifts().get(0).kind()).isEqualTo(Drift.Kind.MISSING_TOPIC);
            assertThat(report.drifts().get(0).where()).isEqualTo("join echo:lobby");
        }
    }

    @Test
    void anUnreachableBackendIsAnErrorNotADrift() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> DriftCheck.builder(URI.create("ws://127.0.0.1:" + closedPort + "/socket"))
                .timeout(Duration.ofSeconds(2)).build().checkSession(session))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot connect");
    }
}
