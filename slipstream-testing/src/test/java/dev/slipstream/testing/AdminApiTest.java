package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.testing.demo.DemoChannels;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin API over real HTTP (the JDK's HttpClient) against a fake server whose clients are real websockets: every
 * endpoint, what it does on the wire, and its errors.
 */
@Timeout(30)
class AdminApiTest {
    private static final String JOIN = "[\"1\",\"1\",\"echo:t\",\"phx_join\",{}]";
    private static final String JOINED =
            "[\"1\",\"1\",\"echo:t\",\"phx_reply\",{\"response\":{\"joined\":\"echo:t\",\"params\":{}},\"status\":\"ok\"}]";

    private FakePhoenixServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = DemoChannels.install(FakePhoenixServer.builder()).adminApi(true).start();
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        server.close();
    }

    @Test
    void healthSaysWhatRuns() throws Exception {
        Answer health = call("GET", "/__admin/health", null);
        assertThat(health.status).isEqualTo(200);
        assertThat(health.json.path("status").asText()).isEqualTo("ok");
        assertThat(health.json.path("phoenix").asText()).isEqualTo("1.8");
        assertThat(health.json.path("socket").asText()).isEqualTo(server.uri().toString());
        assertThat(health.json.path("connections").asInt()).isZero();
        assertThat(health.json.path("journal").path("limit").asInt()).isEqualTo(10_000);
    }

    @Test
    void theJournalListsWhatClientsSentWithFiltersAndResets() throws Exception {
        Instant before = Instant.now();
        WsClient c = client("vsn=2.0.0&user_id=u1");
        c.exchange(JOIN, JOINED);
        c.exchange("[\"1\",\"2\",\"echo:t\",\"echo\",{\"body\":\"hi\"}]",
                "[\"1\",\"2\",\"echo:t\",\"phx_reply\",{\"response\":{\"body\":\"hi\"},\"status\":\"ok\"}]");
        // A binary push: join_ref 1, ref 3, topic echo:t, event echo, payload 01 02 03.
        c.sendHex("0001010604" + "31" + "33" + hex("echo:t") + hex("echo") + "010203");
        c.next();
        String connection = only(call("GET", "/__admin/connections", null).json.path("connections")).path("id").asText();

        Answer all = call("GET", "/__admin/journal", null);
        assertThat(all.status).isEqualTo(200);
        assertThat(all.json.path("limit").asInt()).isEqualTo(10_000);
        assertThat(all.json.path("dropped").asInt()).isZero();
        assertThat(all.json.path("count").asInt()).isEqualTo(3);
        JsonNode echo = all.json.path("entries").get(1);
        assertThat(echo.path("connection").asText()).isEqualTo(connection);
        assertThat(echo.path("socket_id").asText()).isEqualTo("user_socket:u1");
        assertThat(echo.path("topic").asText()).isEqualTo("echo:t");
        assertThat(echo.path("event").asText()).isEqualTo("echo");
        assertThat(echo.path("ref").asText()).isEqualTo("2");
        assertThat(echo.path("join_ref").asText()).isEqualTo("1");
        assertThat(echo.path("payload")).isEqualTo(JsonCodec.parse("{\"body\":\"hi\"}"));
        assertThat(Instant.parse(echo.path("time").asText())).isAfterOrEqualTo(before);
        JsonNode binary = all.json.path("entries").get(2);
        assertThat(binary.path("payload_base64").asText()).isEqualTo("AQID");
        assertThat(binary.has("payload")).isFalse();

        assertThat(events(call("GET", "/__admin/journal?event=phx_join", null))).containsExactly("phx_join");
        assertThat(events(call("GET", "/__admin/journal?topic=echo:*&event=echo", null))).containsExactly("echo", "echo");
        assertThat(events(call("GET", "/__admin/journal?topic=echo:other", null))).isEmpty();
        assertThat(events(call("GET", "/__admin/journal?socket_id=user_socket:u2", null))).isEmpty();
        assertThat(events(call("GET", "/__admin/journal?connection=" + connection, null))).hasSize(3);
        long firstSeq = all.json.path("entries").get(0).path("seq").asLong();
        assertThat(events(call("GET", "/__admin/journal?after=" + firstSeq, null))).containsExactly("echo", "echo");
        assertThat(events(call("GET", "/__admin/journal?since=" + before, null))).hasSize(3);
        assertThat(events(call("GET", "/__admin/journal?since=" + Instant.now().plusSeconds(60).toEpochMilli(), null)))
                .isEmpty();

        Answer deleted = call("DELETE", "/__admin/journal", null);
        assertThat(deleted.json.path("deleted").asInt()).isEqualTo(3);
        assertThat(call("GET", "/__admin/journal", null).json.path("count").asInt()).isZero();
        c.exchange("[\"1\",\"4\",\"echo:t\",\"echo\",{}]",
                "[\"1\",\"4\",\"echo:t\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
        JsonNode after = only(call("GET", "/__admin/journal", null).json.path("entries"));
        assertThat(after.path("seq").asLong()).as("sequence numbers go on after a reset").isEqualTo(firstSeq + 3);
    }

    @Test
    void journalFiltersThatMakeNoSenseAreRefused() throws Exception {
        assertError(call("GET", "/__admin/journal?topc=x", null), 400,
                "unknown journal filter [topc]; the filters are [after, connection, event, since, socket_id, topic]");
        assertError(call("GET", "/__admin/journal?since=yesterday", null), 400,
                "since must be an ISO-8601 instant such as 2025-01-31T12:00:00Z or milliseconds since the epoch, "
                        + "got \"yesterday\"");
        assertError(call("GET", "/__admin/journal?after=x", null), 400, "after must be a whole number, got \"x\"");
    }

    @Test
    void connectionsAreListedWithTheirTopicsAndSocketIds() throws Exception {
        WsClient a = client("vsn=2.0.0&user_id=u1");
        a.exchange(JOIN, JOINED);
        client("vsn=1.0.0");
        server.awaitConnection(c -> c.vsn().equals("1.0.0"), WsClient.WAIT);

        JsonNode list = call("GET", "/__admin/connections", null).json.path("connections");
        assertThat(list).hasSize(2);
        JsonNode first = list.get(0);
        assertThat(first.path("socket_id").asText()).isEqualTo("user_socket:u1");
        assertThat(first.path("vsn").asText()).isEqualTo("2.0.0");
        assertThat(first.path("params").path("user_id").asText()).isEqualTo("u1");
        assertThat(first.path("topics")).containsExactly(JsonCodec.parse("\"echo:t\""));
        assertThat(list.get(1).path("socket_id").isNull()).isTrue();
        assertThat(list.get(1).path("topics")).isEmpty();

        String id = first.path("id").asText();
        assertThat(call("GET", "/__admin/connections/" + id, null).json).isEqualTo(first);
        assertError(call("GET", "/__admin/connections/conn-999", null), 404,
                "no open connection \"conn-999\"; open: [" + id + ", " + list.get(1).path("id").asText() + "]");
    }

    @Test
    void aPushReachesOneConnectionsTopic() throws Exception {
        WsClient a = client("vsn=2.0.0");
        a.exchange(JOIN, JOINED);
        WsClient b = client("vsn=2.0.0");
        b.exchange(JOIN, JOINED);
        String id = idOf(0);

        Answer pushed = call("POST", "/__admin/connections/" + id + "/push",
                "{\"topic\":\"echo:t\",\"event\":\"note\",\"payload\":{\"n\":1}}");
        assertThat(pushed.status).isEqualTo(200);
        assertThat(pushed.json).isEqualTo(JsonCodec.parse(
                "{\"connection\":\"" + id + "\",\"topic\":\"echo:t\",\"event\":\"note\"}"));
        a.expect("[\"1\",null,\"echo:t\",\"note\",{\"n\":1}]");

        call("POST", "/__admin/connections/" + id + "/push",
                "{\"topic\":\"echo:t\",\"event\":\"bin\",\"payload_base64\":\"AQID\"}");
        // A binary push: kind 0, join_ref "1", topic echo:t, event bin, then the bytes.
        a.expect("<binary 17 bytes> hex=00010603" + "31" + hex("echo:t") + hex("bin") + "010203");
        b.expectNothing(java.time.Duration.ofMillis(100));

        assertError(call("POST", "/__admin/connections/" + id + "/push", "{\"topic\":\"echo:u\",\"event\":\"x\"}"),
                409, id + " has not joined \"echo:u\"; joined: [echo:t]");
        assertError(call("POST", "/__admin/connections/" + id + "/push",
                "{\"topic\":\"echo:t\",\"event\":\"x\",\"payload\":[1]}"), 400,
                "\"payload\" must be a JSON object (as Phoenix requires), got [1]");
    }

    @Test
    void aBinaryPushToAV1ConnectionIsRefused() throws Exception {
        WsClient v1 = client("vsn=1.0.0");
        v1.exchange("{\"topic\":\"echo:t\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"1\"}",
                "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"joined\":\"echo:t\",\"params\":{}},"
                        + "\"status\":\"ok\"},\"ref\":\"1\",\"topic\":\"echo:t\"}");
        String id = idOf(0);
        assertError(call("POST", "/__admin/connections/" + id + "/push",
                "{\"topic\":\"echo:t\",\"event\":\"x\",\"payload_base64\":\"AQ==\"}"), 409,
                id + " speaks vsn 1.0.0, which has no binary frames");
        assertError(call("POST", "/__admin/broadcast", "{\"topic\":\"echo:t\",\"event\":\"x\",\"payload_base64\":\"AQ==\"}"),
                409, "a binary broadcast cannot reach [" + id + "] on \"echo:t\": they speak vsn 1.0.0, which has no "
                        + "binary frames");
    }

    @Test
    void aBroadcastReachesEveryJoinedClient() throws Exception {
        WsClient a = client("vsn=2.0.0");
        a.exchange(JOIN, JOINED);
        WsClient b = client("vsn=2.0.0");
        b.exchange(JOIN, JOINED);

        Answer sent = call("POST", "/__admin/broadcast",
                "{\"topic\":\"echo:t\",\"event\":\"new_msg\",\"payload\":{\"body\":\"hi\"}}");
        assertThat(sent.json).isEqualTo(JsonCodec.parse(
                "{\"topic\":\"echo:t\",\"event\":\"new_msg\",\"subscribers\":2}"));
        a.expect("[null,null,\"echo:t\",\"new_msg\",{\"body\":\"hi\"}]");
        b.expect("[null,null,\"echo:t\",\"new_msg\",{\"body\":\"hi\"}]");

        assertThat(call("POST", "/__admin/broadcast", "{\"topic\":\"echo:nobody\",\"event\":\"x\"}").json
                .path("subscribers").asInt()).isZero();
    }

    @Test
    void aSocketIdIsDisconnectedAsPhoenixDoes() throws Exception {
        WsClient a = client("vsn=2.0.0&user_id=u1");
        WsClient b = client("vsn=2.0.0&user_id=u1");
        WsClient other = client("vsn=2.0.0&user_id=u2");
        server.awaitConnection(c -> c.socketId().equals(java.util.Optional.of("user_socket:u2")), WsClient.WAIT);

        Answer done = call("POST", "/__admin/sockets/user_socket:u1/disconnect", null);
        assertThat(done.json).isEqualTo(JsonCodec.parse("{\"socket_id\":\"user_socket:u1\",\"closed\":2,\"code\":1001}"));
        assertThat(a.awaitClose()).isEqualTo(1001);
        assertThat(b.awaitClose()).isEqualTo(1001);
        assertThat(other.isClosed()).isFalse();

        assertError(call("POST", "/__admin/sockets/user_socket:nobody/disconnect", null), 404,
                "no open connection has the socket id \"user_socket:nobody\"; open socket ids: [user_socket:u2]");
    }

    @Test
    void aConnectionIsClosedByItsId() throws Exception {
        WsClient a = client("vsn=2.0.0");
        WsClient b = client("vsn=2.0.0");
        server.awaitConnection(c -> server.connections().size() == 2, WsClient.WAIT);
        String first = idOf(0);
        String second = idOf(1);

        assertThat(call("DELETE", "/__admin/connections/" + first, null).json)
                .isEqualTo(JsonCodec.parse("{\"disconnected\":\"" + first + "\",\"code\":1001}"));
        assertThat(a.awaitClose()).isEqualTo(1001);
        assertError(call("DELETE", "/__admin/connections/" + second + "?code=1005", null), 400,
                "code must be a close code a server may send (1000-4999 but not 1004, 1005, 1006 or 1015), got \"1005\"");
        call("DELETE", "/__admin/connections/" + second + "?code=4001", null);
        assertThat(b.awaitClose()).isEqualTo(4001);
    }

    @Test
    void badRequestsGetJsonErrorsThatNameTheCulprit() throws Exception {
        assertError(call("POST", "/__admin/broadcast", "{not json"), 400, null);
        assertThat(call("POST", "/__admin/broadcast", "{not json").json.path("error").asText())
                .startsWith("the body is not JSON: ");
        assertError(call("POST", "/__admin/broadcast", "[]"), 400, "the body must be a JSON object, got []");
        assertError(call("POST", "/__admin/broadcast", null), 400, "the request needs a JSON object body");
        assertError(call("POST", "/__admin/broadcast", "{\"topic\":\"t\"}"), 400, "\"event\" is required");
        assertError(call("POST", "/__admin/broadcast", "{\"topic\":1,\"event\":\"e\"}"), 400,
                "\"topic\" must be a non-empty string, got 1");
        assertError(call("POST", "/__admin/broadcast", "{\"topic\":\"t\",\"event\":\"e\",\"payload_base64\":\"%%\"}"),
                400, null);
        assertError(call("POST", "/__admin/broadcast",
                "{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"payload_base64\":\"AQ==\"}"), 400,
                "give \"payload\" or \"payload_base64\", not both");
        assertError(call("PUT", "/__admin/journal", "{}"), 405, "/__admin/journal takes DELETE, GET, not PUT");
        Answer unknown = call("GET", "/__admin/nope", null);
        assertThat(unknown.status).isEqualTo(404);
        assertThat(unknown.json.path("error").asText())
                .startsWith("no admin route GET /__admin/nope; the routes are: GET /__admin/health, ")
                .contains("POST /__admin/broadcast");
        assertThat(call("GET", "/__admin", null).status).isEqualTo(404);
    }

    @Test
    void theDemoHelpersAndTheSocketStillWork() throws Exception {
        WsClient c = client("vsn=2.0.0&user_id=u9");
        c.exchange(JOIN, JOINED);
        assertThat(call("GET", "/health", null).json).isEqualTo(JsonCodec.parse("{\"status\":\"ok\"}"));
        assertThat(call("POST", "/broadcast/echo:t/hello", "{\"a\":1}").status).isEqualTo(200);
        c.expect("[null,null,\"echo:t\",\"hello\",{\"a\":1}]");
        assertThat(call("POST", "/disconnect/u9", null).status).isEqualTo(200);
        assertThat(c.awaitClose()).isEqualTo(1001);
        assertThat(call("GET", "/elsewhere", null).status).isEqualTo(404);
    }

    @Test
    void theSocketPathWinsOverTheAdminApi() throws Exception {
        try (FakePhoenixServer odd = FakePhoenixServer.builder().socketPath("/__admin")
                .channel("room:*", (topic, params, socket) -> JoinResult.ok()).adminApi(true).start();
             WsClient c = WsClient.connect(odd, "vsn=2.0.0")) {
            assertThat(odd.uri().getPath()).isEqualTo("/__admin/websocket");
            c.exchange("[\"1\",\"1\",\"room:1\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"room:1\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            assertThat(call(odd, "GET", "/__admin/health", null).status).isEqualTo(200);
        }
    }

    @Test
    void withoutTheSwitchThereIsNoAdminApi() throws Exception {
        try (FakePhoenixServer plain = FakePhoenixServer.builder().start()) {
            Answer a = call(plain, "GET", "/__admin/health", null);
            assertThat(a.status).isEqualTo(404);
            assertThat(a.json).isEqualTo(JsonCodec.parse("{\"errors\":{\"detail\":\"Not Found\"}}"));
        }
    }

    // ------------------------------------------------------------------ helpers

    record Answer(int status, JsonNode json) {}

    private Answer call(String method, String path, String body) throws Exception {
        return call(server, method, path, body);
    }

    static Answer call(FakePhoenixServer target, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.httpUri() + path))
                .timeout(WsClient.WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = WsClient.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        return new Answer(response.statusCode(), JsonCodec.parse(response.body()));
    }

    private static void assertError(Answer answer, int status, String message) {
        assertThat(answer.status).as(answer.json.toString()).isEqualTo(status);
        assertThat(answer.json.path("error").isTextual()).as(answer.json.toString()).isTrue();
        if (message != null) {
            assertThat(answer.json.path("error").asText()).isEqualTo(message);
        }
    }

    private WsClient client(String query) throws Exception {
        WsClient c = WsClient.connect(server, query);
        clients.add(c);
        return c;
    }

    private String idOf(int index) {
        return server.connections().get(index).id();
    }

    private static List<String> events(Answer journal) {
        List<String> events = new ArrayList<>();
        journal.json.path("entries").forEach(e -> events.add(e.path("event").asText()));
        return events;
    }

    private static JsonNode only(JsonNode array) {
        assertThat(array).hasSize(1);
        return array.get(0);
    }

    private static String hex(String s) {
        return java.util.HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
