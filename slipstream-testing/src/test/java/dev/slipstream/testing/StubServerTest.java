package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.testing.stub.Stubs;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fake server answering from the stub files in {@code src/test/resources/stubs/backend}, over real websockets: connect
 * rules, join rules, event rules with matchers and templates, what follows a reply, presence, the unmatched default,
 * stubs changed while the server runs, and stubs beside a hand-written channel.
 */
@Timeout(30)
class StubServerTest {
    private FakePhoenixServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
            assertThat(server.errors()).isEmpty();
        }
    }

    private FakePhoenixServer start(Stubs stubs) {
        server = FakePhoenixServer.builder().stubs(stubs).start();
        return server;
    }

    private static Stubs backend() {
        return Stubs.load("classpath:stubs/backend/");
    }

    private WsClient user(String user) throws Exception {
        return WsClient.connect(server, "vsn=2.0.0&token=t-1&user=" + user);
    }

    private static JsonNode frame(String text) {
        return JsonCodec.parse(text);
    }

    @Test
    void connectRulesAcceptWithAssignsAndSocketIdOrRefuse() throws Exception {
        start(backend());
        try (WsClient ada = user("ada")) {
            ServerConnection c = server.awaitConnection(java.time.Duration.ofSeconds(10));
            assertThat(c.socketId()).contains("user_socket:ada");
            assertThat(c.assigns().get("user")).hasToString("\"ada\"");
        }
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0&token=banned"))).isEqualTo(403);
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0&token=nope"))).isEqualTo(403);
    }

    @Test
    void joinRulesAreTriedInOrderAndTheirRepliesAreTemplated() throws Exception {
        start(backend());
        try (WsClient ada = user("ada")) {
            ada.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"user\":\"ada\"}]",
                    "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"as\":\"ada\",\"joined\":\"room:lobby\"},\"status\":\"ok\"}]",
                    "[\"1\",null,\"room:lobby\",\"welcome\",{\"body\":\"hello ada\"}]");
            ada.exchange("[\"2\",\"2\",\"room:vip\",\"phx_join\",{\"password\":\"secret\"}]",
                    "[\"2\",\"2\",\"room:vip\",\"phx_reply\",{\"response\":{\"joined\":\"room:vip\"},\"status\":\"ok\"}]");
            ada.exchange("[\"3\",\"3\",\"room:safe\",\"phx_join\",{\"password\":\"guess\"}]",
                    "[\"3\",\"3\",\"room:safe\",\"phx_reply\",{\"response\":{\"reason\":\"unauthorized\"},\"status\":\"error\"}]");
            // A topic no stub covers is Phoenix's own unmatched topic.
            ada.exchange("[\"4\",\"4\",\"other:x\",\"phx_join\",{}]",
                    "[null,\"4\",\"other:x\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
        }
    }

    @Test
    void eventRulesMatchTemplateCountAndWhatFollowsComesAfterTheReply() throws Exception {
        start(backend());
        try (WsClient ada = user("ada"); WsClient bob = user("bob")) {
            ada.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"user\":\"ada\"}]",
                    "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"as\":\"ada\",\"joined\":\"room:lobby\"},\"status\":\"ok\"}]",
                    "[\"1\",null,\"room:lobby\",\"welcome\",{\"body\":\"hello ada\"}]");
            bob.exchange("[\"1\",\"1\",\"room:lobby\",\"phx_join\",{\"user\":\"bob\"}]",
                    "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{\"as\":\"bob\",\"joined\":\"room:lobby\"},\"status\":\"ok\"}]",
                    "[\"1\",null,\"room:lobby\",\"welcome\",{\"body\":\"hello bob\"}]");

            ada.exchange("[\"1\",\"2\",\"room:lobby\",\"new_msg\",{\"body\":\"NO!\"}]",
                    "[\"1\",\"2\",\"room:lobby\",\"phx_reply\",{\"response\":{\"reason\":\"no shouting\"},\"status\":\"error\"}]");
            // A whole-string template keeps the JSON type: n stays a number, a missing field is null.
            ada.exchange("[\"1\",\"3\",\"room:lobby\",\"new_msg\",{\"body\":\"hi\",\"n\":7}]",
                    "[\"1\",\"3\",\"room:lobby\",\"phx_reply\",{\"response\":{\"body\":\"hi\",\"id\":1,\"n\":7},\"status\":\"ok\"}]",
                    "[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hi\",\"from\":\"ada\"}]",
                    "[\"1\",null,\"room:lobby\",\"stored\",{\"id\":1}]");
            bob.expect("[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hi\",\"from\":\"ada\"}]");
            bob.exchange("[\"1\",\"2\",\"room:lobby\",\"new_msg\",{\"body\":\"yo\"}]",
                    "[\"1\",\"2\",\"room:lobby\",\"phx_reply\",{\"response\":{\"body\":\"yo\",\"id\":2,\"n\":null},\"status\":\"ok\"}]",
                    "[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"yo\",\"from\":\"bob\"}]",
                    "[\"1\",null,\"room:lobby\",\"stored\",{\"id\":2}]");

            // noreply, then the documented default for an event no rule matches.
            ada.send("[\"1\",\"4\",\"room:lobby\",\"typing\",{}]");
            ada.expect("[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"yo\",\"from\":\"bob\"}]");
            ada.exchange("[\"1\",\"5\",\"room:lobby\",\"dance\",{}]",
                    "[\"1\",\"5\",\"room:lobby\",\"phx_reply\",{\"response\":{\"event\":\"dance\",\"reason\":\"no stub matches\"},\"status\":\"error\"}]");
        }
    }

    @Test
    void beforeReplyActionsPrecedeTheReplyAndTheRestFollowIt() throws Exception {
        start(Stubs.parse("""
                {"slipstream": "stubs/1", "channels": [{"topic": "t", "events": [{"event": "go",
                  "reply": {"response": {"done": true}},
                  "then": [{"push": "after"}, {"push": "first", "payload": "{{payload}}", "before_reply": true},
                           {"broadcast": "second", "before_reply": true}]}]}]}""", "inline"));
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"t\",\"phx_join\",{}]", "[\"1\",\"1\",\"t\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"t\",\"go\",{\"a\":1}]",
                    "[\"1\",null,\"t\",\"first\",{\"a\":1}]",
                    "[null,null,\"t\",\"second\",{}]",
                    "[\"1\",\"2\",\"t\",\"phx_reply\",{\"response\":{\"done\":true},\"status\":\"ok\"}]",
                    "[\"1\",null,\"t\",\"after\",{}]");
        }
    }

    @Test
    void rulesCrashStopDelayBroadcastFromAndCatchAll() throws Exception {
        start(Stubs.parse("""
                {"slipstream": "stubs/1", "channels": [
                  {"topic": "boom", "join": [{"crash": true}]},
                  {"topic": "t:*", "events": [
                    {"event": "crash", "crash": true},
                    {"event": "bye", "reply": {"response": "{{payload}}"}, "stop": true},
                    {"event": "slow", "reply": {"response": {"slow": true}, "delay_ms": 150}},
                    {"event": "shout", "then": [{"broadcast_from": "heard", "payload": "{{payload}}"}]},
                    {"event": "*", "reply": {"status": "error", "response": {"unknown": "{{event}}"}}}]}]}""", "inline"));
        try (WsClient a = WsClient.connect(server, "vsn=2.0.0"); WsClient b = WsClient.connect(server, "vsn=2.0.0")) {
            a.exchange("[\"1\",\"1\",\"boom\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"boom\",\"phx_reply\",{\"response\":{\"reason\":\"join crashed\"},\"status\":\"error\"}]");
            a.exchange("[\"2\",\"2\",\"t:1\",\"phx_join\",{}]", "[\"2\",\"2\",\"t:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            b.exchange("[\"1\",\"1\",\"t:1\",\"phx_join\",{}]", "[\"1\",\"1\",\"t:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            // The slow reply keeps the channel busy: the next event's reply comes after it.
            a.send("[\"2\",\"3\",\"t:1\",\"slow\",{}]");
            a.exchange("[\"2\",\"4\",\"t:1\",\"dance\",{}]",
                    "[\"2\",\"3\",\"t:1\",\"phx_reply\",{\"response\":{\"slow\":true},\"status\":\"ok\"}]",
                    "[\"2\",\"4\",\"t:1\",\"phx_reply\",{\"response\":{\"unknown\":\"dance\"},\"status\":\"error\"}]");
            a.exchange("[\"2\",\"5\",\"t:1\",\"shout\",{\"x\":1}]",
                    "[\"2\",\"5\",\"t:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            b.expect("[null,null,\"t:1\",\"heard\",{\"x\":1}]");
            a.exchange("[\"2\",\"6\",\"t:1\",\"bye\",{\"y\":2}]",
                    "[\"2\",\"6\",\"t:1\",\"phx_reply\",{\"response\":{\"y\":2},\"status\":\"ok\"}]",
                    "[\"2\",\"2\",\"t:1\",\"phx_close\",{}]");
            b.exchange("[\"1\",\"2\",\"t:1\",\"crash\",{}]", "[\"1\",\"1\",\"t:1\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            a.expectNothing(java.time.Duration.ofMillis(100)); // broadcast_from skipped the sender
        }
        server.close();
        assertThat(server.errors()).extracting(Throwable::getMessage)
                .containsExactlyInAnyOrder("join of boom raised", "handleIn(\"crash\") on t:1 raised");
        server = null; // the crashes asked for are the only errors
    }

    @Test
    void unmatchedNoReplyAnswersNothing() throws Exception {
        start(Stubs.parse("{\"slipstream\":\"stubs/1\",\"unmatched\":\"noreply\",\"channels\":[{\"topic\":\"t\"}]}",
                "inline"));
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"t\",\"phx_join\",{}]", "[\"1\",\"1\",\"t\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.send("[\"1\",\"2\",\"t\",\"anything\",{}]");
            c.exchange("[null,\"3\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"3\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
        }
    }

    @Test
    void aTrackOnJoinGivesTheOwnDiffThenPresenceState() throws Exception {
        start(backend());
        try (WsClient ada = user("ada")) {
            ada.exchange("[\"1\",\"1\",\"presence:lobby\",\"phx_join\",{\"user\":\"ada\",\"device\":\"phone\"}]",
                    "[\"1\",\"1\",\"presence:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            JsonNode diff = frame(ada.next());
            assertThat(diff.get(3).asText()).isEqualTo("presence_diff");
            assertThat(diff.at("/4/joins/ada/metas/0/device").asText()).isEqualTo("phone");
            JsonNode state = frame(ada.next());
            assertThat(state.get(3).asText()).isEqualTo("presence_state");
            assertThat(state.at("/4/ada/metas/0/device").asText()).isEqualTo("phone");
        }
    }

    @Test
    void stubsChangeWhileTheServerRunsAndResetGoesBack() throws Exception {
        Stubs stubs = Stubs.parse("{\"slipstream\":\"stubs/1\",\"channels\":[]}", "empty");
        start(stubs);
        String id = stubs.add("{\"topic\":\"live:*\",\"events\":[{\"event\":\"ping\",\"reply\":{\"response\":{\"v\":1}}}]}");
        assertThat(stubs.channels()).extracting(c -> c.get("id").asText()).containsExactly(id);
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"live:a\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"live:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"live:a\",\"ping\",{}]",
                    "[\"1\",\"2\",\"live:a\",\"phx_reply\",{\"response\":{\"v\":1},\"status\":\"ok\"}]");
            assertThat(stubs.replace(id, "{\"topic\":\"live:*\",\"events\":[{\"event\":\"ping\",\"reply\":{\"response\":{\"v\":2}}}]}"))
                    .isTrue();
            c.exchange("[\"2\",\"2\",\"live:b\",\"phx_join\",{}]",
                    "[\"2\",\"2\",\"live:b\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"2\",\"3\",\"live:b\",\"ping\",{}]",
                    "[\"2\",\"3\",\"live:b\",\"phx_reply\",{\"response\":{\"v\":2},\"status\":\"ok\"}]");
            stubs.reset();
            assertThat(stubs.channels()).isEmpty();
            c.exchange("[\"3\",\"3\",\"live:c\",\"phx_join\",{}]",
                    "[null,\"3\",\"live:c\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
        }
    }

    @Test
    void routesAreTriedInTheOrderGivenWithTheStubsWhereTheyWereAdded() throws Exception {
        server = FakePhoenixServer.builder()
                .channel("room:special", (topic, params, socket) -> JoinResult.ok(Map.of("handler", true)))
                .stubs(backend())
                .channel("room:*", (topic, params, socket) -> JoinResult.ok(Map.of("never", true))) // stubs cover room:*
                .channel("*", (topic, params, socket) -> JoinResult.ok(Map.of("rest", true)))
                .connectHandler(request -> ConnectResult.accept())
                .start();
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0&token=banned")) { // the handler decides connects now
            c.exchange("[\"1\",\"1\",\"room:special\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:special\",\"phx_reply\",{\"response\":{\"handler\":true},\"status\":\"ok\"}]");
            c.exchange("[\"2\",\"2\",\"room:other\",\"phx_join\",{\"password\":\"secret\"}]",
                    "[\"2\",\"2\",\"room:other\",\"phx_reply\",{\"response\":{\"joined\":\"room:other\"},\"status\":\"ok\"}]");
            c.exchange("[\"3\",\"3\",\"misc\",\"phx_join\",{}]",
                    "[\"3\",\"3\",\"misc\",\"phx_reply\",{\"response\":{\"rest\":true},\"status\":\"ok\"}]");
        }
    }
}
