package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.demo.DemoChannels;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Phoenix 1.8 rules (the default) and where 1.7 differs, through real websockets. */
@Timeout(30)
class ProtocolRulesTest {
    private static final String JOIN_1 = "[\"1\",\"1\",\"echo:a\",\"phx_join\",{}]";
    private static final String JOINED_1 =
            "[\"1\",\"1\",\"echo:a\",\"phx_reply\",{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"}]";

    private FakePhoenixServer server = demo(PhoenixVersion.V1_8);

    private static FakePhoenixServer demo(PhoenixVersion version) {
        return DemoChannels.install(FakePhoenixServer.builder()).phoenixVersion(version).build().start();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void crashSendsPhxErrorWithChannelCrashReasonIn18() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN_1, JOINED_1);
            c.exchange("[\"1\",\"2\",\"echo:a\",\"crash\",{}]",
                    "[\"1\",\"1\",\"echo:a\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            // The channel is gone: pushes get "unmatched topic".
            c.exchange("[\"1\",\"3\",\"echo:a\",\"echo\",{}]",
                    "[null,\"3\",\"echo:a\",\"phx_reply\",{\"response\":{\"reason\":\"unmatched topic\"},\"status\":\"error\"}]");
        }
        assertThat(server.errors()).hasSize(1).first().isInstanceOf(ChannelException.class);
    }

    @Test
    void staleJoinRefIsDroppedIn18AndHandledIn17() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN_1, JOINED_1);
            c.send("[\"0\",\"2\",\"echo:a\",\"echo\",{\"stale\":true}]");
            // A null join_ref is accepted (>= 1.8.12).
            c.exchange("[null,\"3\",\"echo:a\",\"echo\",{}]",
                    "[\"1\",\"3\",\"echo:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            // A stale leave is ignored, a null one is accepted.
            c.send("[\"0\",\"4\",\"echo:a\",\"phx_leave\",{}]");
            c.exchange("[null,\"5\",\"echo:a\",\"phx_leave\",{}]",
                    "[\"1\",\"5\",\"echo:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"1\",\"1\",\"echo:a\",\"phx_close\",{}]");
        }
        server.close();
        server = demo(PhoenixVersion.V1_7);
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN_1, JOINED_1);
            c.exchange("[\"0\",\"2\",\"echo:a\",\"echo\",{\"stale\":true}]",
                    "[\"1\",\"2\",\"echo:a\",\"phx_reply\",{\"response\":{\"stale\":true},\"status\":\"ok\"}]");
            c.send("[\"0\",\"3\",\"echo:a\",\"phx_leave\",{}]");
            c.exchange("[\"1\",\"4\",\"echo:a\",\"phx_leave\",{}]",
                    "[\"1\",\"4\",\"echo:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                    "[\"1\",\"1\",\"echo:a\",\"phx_close\",{}]");
        }
    }

    @Test
    void aMessageAHandlerSendsItselfIsHandledAfterTheCurrentOneIsReplied() throws Exception {
        // send(self(), m) in Phoenix's handle_in: m waits in the mailbox until handle_in has returned its reply.
        try (FakePhoenixServer own = FakePhoenixServer.builder().channel("self:*", new ChannelHandler() {
            @Override
            public JoinResult join(String topic, Payload params, ChannelSocket socket) {
                return JoinResult.ok();
            }

            @Override
            public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
                socket.send("later");
                return HandleResult.ok(java.util.Map.of("first", true));
            }

            @Override
            public HandleResult handleInfo(Object message, ChannelSocket socket) {
                socket.push("info", java.util.Map.of("got", message));
                return HandleResult.noReply();
            }
        }).start(); WsClient c = WsClient.connect(own, "vsn=2.0.0")) {
            c.exchange("[\"1\",\"1\",\"self:a\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"self:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"2\",\"self:a\",\"go\",{}]",
                    "[\"1\",\"2\",\"self:a\",\"phx_reply\",{\"response\":{\"first\":true},\"status\":\"ok\"}]",
                    "[\"1\",null,\"self:a\",\"info\",{\"got\":\"later\"}]");
        }
    }

    @Test
    void echoedJsonComesBackAsJasonWritesIt() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN_1, JOINED_1);
            c.exchange("[\"1\",\"2\",\"echo:a\",\"echo\", { \"z\" : 1E2, \"a\" : [ 0.5, \"\\u00e9\\/\" ] } ]",
                    "[\"1\",\"2\",\"echo:a\",\"phx_reply\",{\"response\":{\"a\":[0.5,\"é/\"],\"z\":100.0},\"status\":\"ok\"}]");
        }
    }

    @Test
    void leaveOfATopicNotJoinedRepliesOk() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[\"7\",\"8\",\"echo:none\",\"phx_leave\",{}]",
                    "[\"7\",\"8\",\"echo:none\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
        }
    }

    @Test
    void the101stChannelIsRefused() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            for (int i = 1; i <= 100; i++) {
                c.send("[\"" + i + "\",\"" + i + "\",\"echo:" + i + "\",\"phx_join\",{}]");
            }
            for (int i = 1; i <= 100; i++) {
                assertThat(c.next()).contains("\"status\":\"ok\"");
            }
            c.exchange("[\"101\",\"101\",\"echo:x\",\"phx_join\",{}]",
                    "[\"101\",\"101\",\"echo:x\",\"phx_reply\",{\"response\":{\"reason\":\"too many channels joined\"},\"status\":\"error\"}]");
            // A duplicate join of a joined topic is still allowed at the limit.
            c.exchange("[\"102\",\"102\",\"echo:1\",\"phx_join\",{}]",
                    "[\"102\",\"102\",\"echo:1\",\"phx_reply\",{\"response\":{\"joined\":\"echo:1\",\"params\":{}},\"status\":\"ok\"}]",
                    "[\"1\",\"1\",\"echo:1\",\"phx_close\",{}]");
        }
    }

    @Test
    void disconnectCloses18With1001AndNoFrame() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0&user_id=7");
             WsClient other = WsClient.connect(server, "vsn=2.0.0&user_id=8")) {
            c.exchange(JOIN_1, JOINED_1);
            assertThat(server.disconnect("user_socket:7")).isEqualTo(1);
            c.expect("closed code=1001");
            other.exchange("[null,\"1\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"1\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
        }
    }

    @Test
    void broadcastReachesEveryoneAndBroadcastFromSkipsTheSender() throws Exception {
        try (WsClient a = WsClient.connect(server, "vsn=2.0.0"); WsClient b = WsClient.connect(server, "vsn=1.0.0")) {
            a.exchange(JOIN_1, JOINED_1);
            b.exchange("{\"topic\":\"echo:a\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"5\",\"join_ref\":\"5\"}",
                    "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"},\"ref\":\"5\",\"topic\":\"echo:a\"}");
            a.exchange("[\"1\",\"2\",\"echo:a\",\"broadcast_from\",{\"z\":1,\"y\":2}]",
                    "[\"1\",\"2\",\"echo:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            b.expect("{\"event\":\"broadcast\",\"payload\":{\"y\":2,\"z\":1},\"ref\":null,\"topic\":\"echo:a\"}");
            server.broadcast("echo:a", "news", java.util.Map.of("n", 1));
            a.expect("[null,null,\"echo:a\",\"news\",{\"n\":1}]");
            b.expect("{\"event\":\"news\",\"payload\":{\"n\":1},\"ref\":null,\"topic\":\"echo:a\"}");
            a.expectNothing(Duration.ofMillis(50));
        }
    }

    @Test
    void nonGetIs400AndAPlainGetIs400WithTheReason() throws Exception {
        HttpResponse<String> post = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(
                server.uri().toString().replace("ws:", "http:"))).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(post.body()).isEmpty();
        HttpResponse<String> get = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(
                server.uri().toString().replace("ws:", "http:") + "?vsn=2.0.0")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(400);
        assertThat(get.body()).startsWith("'connection' header must contain 'upgrade'");
        HttpResponse<String> longpoll = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(
                server.httpUri() + "/socket/longpoll")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(longpoll.statusCode()).isEqualTo(404);
        assertThat(longpoll.body()).isEqualTo("{\"errors\":{\"detail\":\"Not Found\"}}");
    }

    @Test
    void httpHelpersBroadcastAndHealth() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN_1, JOINED_1);
            HttpResponse<String> r = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(
                    server.httpUri() + "/broadcast/echo:a/hello")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"b\":2,\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            c.expect("[null,null,\"echo:a\",\"hello\",{\"a\":1,\"b\":2}]");
        }
        HttpResponse<String> health = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(
                server.httpUri() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void undecodableFramesClose1011() throws Exception {
        for (String bad : new String[] {"[\"1\",\"1\",\"t\",\"e\"]", "{\"topic\":\"t\"}", "42"}) {
            try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
                c.send(bad);
                assertThat(c.next()).as(bad).isEqualTo("closed code=1011");
            }
        }
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.sendHex("0300");
            assertThat(c.next()).isEqualTo("closed code=1011");
        }
        try (WsClient c = WsClient.connect(server, "vsn=1.0.0")) {
            c.sendHex("00");
            assertThat(c.next()).isEqualTo("closed code=1011");
        }
    }

    @Test
    void v1JoinWithoutJoinRefUsesTheRefForPushes() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange("[null,\"4\",\"echo:a\",\"phx_join\",{}]",
                    "[null,\"4\",\"echo:a\",\"phx_reply\",{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[null,\"5\",\"echo:a\",\"push_back\",{}]",
                    "[\"4\",null,\"echo:a\",\"pushed\",{}]",
                    "[\"4\",\"5\",\"echo:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.exchange("[null,\"6\",\"echo:a\",\"crash\",{}]",
                    "[null,null,\"echo:a\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
        }
    }
}
