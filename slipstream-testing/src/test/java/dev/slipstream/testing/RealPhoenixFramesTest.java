package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.demo.DemoChannels;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays the exchanges recorded from a real Phoenix 1.7.24 server (test vectors copied verbatim from
 * {@code shared/reference/real-phoenix-frames.md}, sections 2 to 4) against the fake server with the demo channels in
 * 1.7 mode, and checks every server frame byte for byte. Presence refs and timestamps are random there, so those
 * frames are matched by pattern.
 */
@Timeout(30)
class RealPhoenixFramesTest {
    private static final String REF = "[A-Za-z0-9_-]{16}";

    private final FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder())
            .phoenixVersion(PhoenixVersion.V1_7)
            .idleTimeoutCloseCode(1002)
            .build()
            .start();

    @AfterEach
    void tearDown() {
        server.close();
        assertThat(server.errors()).allSatisfy(e -> assertThat(e).isInstanceOf(ChannelException.class));
    }

    @Test
    void v2JoinHeartbeatEchoErrorNoreplyUnjoinedAndUnmatchedTopics() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0&user_id=raw1")) {
            c.exchange("[\"1\",\"1\",\"echo:lobby\",\"phx_join\",{\"x\":1}]",
                    "[\"1\",\"1\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"echo:lobby\",\"params\":{\"x\":1}},\"status\":\"ok\"}]");
            c.exchange("[null,\"2\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"2\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"3\",\"echo:lobby\",\"echo\",{\"hi\":\"there\"}]",
                    "[\"1\",\"3\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"hi\":\"there\"},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"4\",\"echo:lobby\",\"error\",{\"why\":\"asked\"}]",
                    "[\"1\",\"4\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"why\":\"asked\"},\"status\":\"error\"}]");
            c.send("[\"1\",\"5\",\"echo:lobby\",\"noreply\",{}]");
            c.exchange("[null,\"6\",\"echo:unjoined\",\"echo\",{\"a\":1}]",
                    "[null,\"6\",\"echo:unjoined\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
            c.exchange("[\"9\",\"7\",\"echo:unjoined\",\"echo\",{\"a\":1}]",
                    "[null,\"7\",\"echo:unjoined\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
            c.exchange("[\"8\",\"8\",\"nomatch:1\",\"phx_join\",{}]",
                    "[null,\"8\",\"nomatch:1\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
            c.exchange("[\"1\",\"9\",\"echo:lobby\",\"nosuchevent\",{\"z\":0}]",
                    "[\"1\",\"9\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"event\":\"nosuchevent\",\"payload\":{\"z\":0},\"reason\":\"unknown event\"},\"status\":\"error\"}]");

            // 2.2 broadcast, push_back, ticks, slow
            c.exchange("[\"1\",\"10\",\"echo:lobby\",\"broadcast\",{\"b\":1}]",
                    "[null,null,\"echo:lobby\",\"broadcast\",{\"b\":1}]",
                    "[\"1\",\"10\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"11\",\"echo:lobby\",\"push_back\",{\"p\":1}]",
                    "[\"1\",null,\"echo:lobby\",\"pushed\",{\"p\":1}]",
                    "[\"1\",\"11\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"12\",\"echo:lobby\",\"start_ticks\",{\"ms\":100,\"count\":2}]",
                    "[\"1\",\"12\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"1\",null,\"echo:lobby\",\"tick\",{\"n\":1}]",
                    "[\"1\",null,\"echo:lobby\",\"tick\",{\"n\":2}]");
            c.exchange("[\"1\",\"13\",\"echo:lobby\",\"slow\",{\"ms\":200}]",
                    "[\"1\",\"13\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"ms\":200},\"status\":\"ok\"}]");

            // 2.3 private join, join crash
            c.exchange("[\"20\",\"20\",\"echo:private\",\"phx_join\",{\"password\":\"wrong\"}]",
                    "[\"20\",\"20\",\"echo:private\",\"phx_reply\",{\"response\":{\"reason\":\"unauthorized\"},\"status\":\"error\"}]");
            c.exchange("[\"21\",\"21\",\"echo:private\",\"phx_join\",{\"password\":\"secret\"}]",
                    "[\"21\",\"21\",\"echo:private\",\"phx_reply\",{\"response\":{\"joined\":\"echo:private\",\"params\":{\"password\":\"secret\"}},\"status\":\"ok\"}]");
            c.exchange("[\"22\",\"22\",\"echo:join_crash\",\"phx_join\",{}]",
                    "[\"22\",\"22\",\"echo:join_crash\",\"phx_reply\",{\"response\":{\"reason\":\"join crashed\"},\"status\":\"error\"}]");

            // 2.4 binary frames
            c.sendHex("0001020a063133306563686f3a6c6f62627962696e617279010203ff")
                    .expect("<binary 24 bytes> hex=0101020a023133306563686f3a6c6f6262796f6b010203ff");
            c.sendHex("0001020a0b3133316563686f3a6c6f62627962696e6172795f707573686869").expect(
                    "<binary 30 bytes> hex=00010a0d316563686f3a6c6f62627962696e6172795f7075736865646869",
                    "[\"1\",\"31\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.sendHex("0001020a103133336563686f3a6c6f62627962696e6172795f62726f616463617374cafe").expect(
                    "<binary 31 bytes> hex=020a106563686f3a6c6f62627962696e6172795f62726f616463617374cafe",
                    "[\"1\",\"33\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"32\",\"echo:lobby\",\"binary\",{\"not\":\"binary\"}]",
                    "[\"1\",\"32\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"got\":{\"not\":\"binary\"},\"reason\":\"expected binary payload\"},\"status\":\"error\"}]");

            // 2.5 duplicate join
            c.exchange("[\"40\",\"40\",\"echo:lobby\",\"phx_join\",{\"again\":true}]",
                    "[\"40\",\"40\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"echo:lobby\",\"params\":{\"again\":true}},\"status\":\"ok\"}]",
                    "[\"1\",\"1\",\"echo:lobby\",\"phx_close\",{}]");

            // 2.6 crash, stop, stop_reply, leave
            c.exchange("[\"50\",\"50\",\"echo:c\",\"phx_join\",{}]",
                    "[\"50\",\"50\",\"echo:c\",\"phx_reply\",{\"response\":{\"joined\":\"echo:c\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"50\",\"51\",\"echo:c\",\"crash\",{}]", "[\"50\",\"50\",\"echo:c\",\"phx_error\",{}]");
            c.exchange("[\"52\",\"52\",\"echo:s\",\"phx_join\",{}]",
                    "[\"52\",\"52\",\"echo:s\",\"phx_reply\",{\"response\":{\"joined\":\"echo:s\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"52\",\"53\",\"echo:s\",\"stop\",{}]", "[\"52\",\"52\",\"echo:s\",\"phx_close\",{}]");
            c.exchange("[\"54\",\"54\",\"echo:s2\",\"phx_join\",{}]",
                    "[\"54\",\"54\",\"echo:s2\",\"phx_reply\",{\"response\":{\"joined\":\"echo:s2\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"54\",\"55\",\"echo:s2\",\"stop_reply\",{\"bye\":1}]",
                    "[\"54\",\"55\",\"echo:s2\",\"phx_reply\",{\"response\":{\"bye\":1},\"status\":\"ok\"}]",
                    "[\"54\",\"54\",\"echo:s2\",\"phx_close\",{}]");
            c.exchange("[\"56\",\"56\",\"echo:l\",\"phx_join\",{}]",
                    "[\"56\",\"56\",\"echo:l\",\"phx_reply\",{\"response\":{\"joined\":\"echo:l\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"56\",\"57\",\"echo:l\",\"phx_leave\",{}]",
                    "[\"56\",\"57\",\"echo:l\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"56\",\"56\",\"echo:l\",\"phx_close\",{}]");

            // 2.7 presence
            c.send("[\"60\",\"60\",\"presence:room\",\"phx_join\",{}]");
            c.expect("[\"60\",\"60\",\"presence:room\",\"phx_reply\",{\"response\":{\"joined\":\"presence:room\",\"key\":\"raw1\"},\"status\":\"ok\"}]");
            String diff = c.next();
            assertThat(diff).matches("\\[null,null,\"presence:room\",\"presence_diff\",\\{\"joins\":\\{\"raw1\":\\{\"metas\":\\[\\{\"phx_ref\":\"("
                    + REF + ")\",\"online_at\":\\d+}]}},\"leaves\":\\{}}]");
            String state = c.next();
            String ref1 = diff.replaceAll(".*\"phx_ref\":\"(" + REF + ")\".*", "$1");
            assertThat(state).matches("\\[\"60\",null,\"presence:room\",\"presence_state\",\\{\"raw1\":\\{\"metas\":\\[\\{\"phx_ref\":\""
                    + ref1 + "\",\"online_at\":\\d+}]}}]");
            try (WsClient second = WsClient.connect(server, "vsn=2.0.0&user_id=raw2")) {
                second.exchange("[\"1\",\"1\",\"presence:room\",\"phx_join\",{}]",
                        "[\"1\",\"1\",\"presence:room\",\"phx_reply\",{\"response\":{\"joined\":\"presence:room\",\"key\":\"raw2\"},\"status\":\"ok\"}]");
                assertThat(c.next()).matches("\\[null,null,\"presence:room\",\"presence_diff\",\\{\"joins\":\\{\"raw2\":\\{\"metas\":\\[\\{\"phx_ref\":\""
                        + REF + "\",\"online_at\":\\d+}]}},\"leaves\":\\{}}]");
                second.closeNormally();
                assertThat(second.awaitClose()).isEqualTo(1000);
            }
            assertThat(c.next()).matches("\\[null,null,\"presence:room\",\"presence_diff\",\\{\"joins\":\\{},\"leaves\":\\{\"raw2\":\\{\"metas\":\\[\\{\"phx_ref\":\""
                    + REF + "\",\"online_at\":\\d+}]}}}]");

            // 2.8 server-side disconnect (1.7 closes with 1000)
            HttpResponse<String> r = WsClient.HTTP.send(HttpRequest.newBuilder(
                    URI.create(server.httpUri() + "/disconnect/raw1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"disconnected\":\"user_socket:raw1\"}");
            c.expect("closed code=1000");
        }
    }

    @Test
    void v1JoinHeartbeatEchoPushCrash() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=1.0.0")) {
            c.exchange("{\"topic\":\"echo:lobby\",\"event\":\"phx_join\",\"payload\":{\"v\":1},\"ref\":\"1\",\"join_ref\":\"1\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"joined\":\"echo:lobby\",\"params\":{\"v\":1}},\"status\":\"ok\"},\"ref\":\"1\",\"topic\":\"echo:lobby\"}");
            c.exchange("{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"2\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{},\"status\":\"ok\"},\"ref\":\"2\",\"topic\":\"phoenix\"}");
            c.exchange("{\"topic\":\"echo:lobby\",\"event\":\"echo\",\"payload\":{\"hi\":1},\"ref\":\"3\",\"join_ref\":\"1\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"hi\":1},\"status\":\"ok\"},\"ref\":\"3\",\"topic\":\"echo:lobby\"}");
            c.exchange("{\"topic\":\"echo:lobby\",\"event\":\"push_back\",\"payload\":{\"p\":1},\"ref\":\"4\",\"join_ref\":\"1\"}",
                    "{\"event\":\"pushed\",\"payload\":{\"p\":1},\"ref\":null,\"topic\":\"echo:lobby\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{},\"status\":\"ok\"},\"ref\":\"4\",\"topic\":\"echo:lobby\"}");
            c.exchange("{\"topic\":\"echo:lobby\",\"event\":\"crash\",\"payload\":{},\"ref\":\"5\",\"join_ref\":\"1\"}",
                    "{\"event\":\"phx_error\",\"payload\":{},\"ref\":\"1\",\"topic\":\"echo:lobby\"}");
        }
    }

    @Test
    void noVsnMeansV1() throws Exception {
        try (WsClient c = WsClient.connect(server.uri())) {
            c.exchange("{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"1\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{},\"status\":\"ok\"},\"ref\":\"1\",\"topic\":\"phoenix\"}");
        }
    }

    @Test
    void v1PhxErrorCarriesTheClientJoinRefOrNull() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=1.0.0")) {
            c.send("{\"topic\":\"echo:a\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"7\",\"join_ref\":\"3\"}");
            c.send("{\"topic\":\"echo:b\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"8\"}");
            c.expect("{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"},\"ref\":\"7\",\"topic\":\"echo:a\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"joined\":\"echo:b\",\"params\":{}},\"status\":\"ok\"},\"ref\":\"8\",\"topic\":\"echo:b\"}");
            c.send("{\"topic\":\"echo:a\",\"event\":\"crash\",\"payload\":{},\"ref\":\"9\",\"join_ref\":\"3\"}");
            c.send("{\"topic\":\"echo:b\",\"event\":\"crash\",\"payload\":{},\"ref\":\"10\"}");
            c.expect("{\"event\":\"phx_error\",\"payload\":{},\"ref\":\"3\",\"topic\":\"echo:a\"}",
                    "{\"event\":\"phx_error\",\"payload\":{},\"ref\":null,\"topic\":\"echo:b\"}");
        }
    }

    @Test
    void refusedConnectsGet403WithAnEmptyBody() throws Exception {
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0&reject=true"))).isEqualTo(403);
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=3.0.0"))).isEqualTo(403);
        HttpResponse<String> plain = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(server.uri().toString()
                .replace("ws:", "http:") + "?vsn=3.0.0")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(403);
        assertThat(plain.body()).isEmpty();
    }

    @Test
    void invalidJsonClosesWith1011AndTheServerKeepsServingOthers() throws Exception {
        try (WsClient bad = WsClient.connect(server, "vsn=2.0.0");
             WsClient good = WsClient.connect(server, "vsn=2.0.0")) {
            bad.send("this is not json");
            assertThat(bad.next()).isEqualTo("closed code=1011");
            good.exchange("[null,\"1\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"1\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            good.expectNothing(Duration.ofMillis(50));
        }
    }
}
