package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.testing.demo.DemoChannels;
import dev.slipstream.testing.record.RecordingProxy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording proxy over real websockets: a raw client talks through it to the fake server (with the demo app of
 * the reference recordings) and must see exactly the frames real Phoenix sends (real-phoenix-frames.md), close codes
 * and refusals included; the session it writes has everything, in order, and no secret.
 */
@Timeout(60)
class RecordingProxyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    private static FakePhoenixServer demo() {
        return DemoChannels.install(FakePhoenixServer.builder()).start();
    }

    private RecordingProxy proxyTo(FakePhoenixServer server) {
        return RecordingProxy.builder(URI.create("ws://127.0.0.1:" + server.port() + "/socket")).output(out).start();
    }

    @Test
    void relaysFramesUntouchedBothWaysAndRecordsThemInOrder() throws Exception {
        try (FakePhoenixServer server = demo(); RecordingProxy proxy = proxyTo(server);
                WsClient c = WsClient.connect(URI.create(proxy.uri() + "?vsn=2.0.0"))) {
            c.exchange("[\"1\",\"1\",\"echo:lobby\",\"phx_join\",{}]",
                    "[\"1\",\"1\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"echo:lobby\",\"params\":{}},\"status\":\"ok\"}]");
            c.exchange("[\"1\",\"11\",\"echo:lobby\",\"push_back\",{\"p\":1}]",
                    "[\"1\",null,\"echo:lobby\",\"pushed\",{\"p\":1}]",
                    "[\"1\",\"11\",\"echo:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
            c.sendHex("0001020a063133306563686f3a6c6f62627962696e617279010203ff")
                    .expect("<binary 24 bytes> hex=0101020a023133306563686f3a6c6f6262796f6b010203ff");
            c.exchange("[null,\"2\",\"phoenix\",\"heartbeat\",{}]",
                    "[null,\"2\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");

            server.awaitConnection(Duration.ofSeconds(5)).close(4001);
            c.expect("closed code=4001");

            RecordingProxy.Recording recording = proxy.stop();
            List<JsonNode> lines = read(recording.session());
            assertThat(lines.get(0).get("format").asText()).isEqualTo("slipstream-session/1");
            assertThat(lines.stream().map(l -> l.path("type").asText() + " " + l.path("from").asText("")
                    + " " + l.path("text").asText(l.path("binary").asText(l.path("code").asText()))).toList())
                    .containsSubsequence(
                            "connect  ", "accepted  ",
                            "frame client [\"1\",\"1\",\"echo:lobby\",\"phx_join\",{}]",
                            "frame server [\"1\",\"1\",\"echo:lobby\",\"phx_reply\",{\"response\":{\"joined\":\"echo:lobby\",\"params\":{}},\"status\":\"ok\"}]",
                            "frame server [\"1\",null,\"echo:lobby\",\"pushed\",{\"p\":1}]",
                            "frame client " + base64("0001020a063133306563686f3a6c6f62627962696e617279010203ff"),
                            "frame server " + base64("0101020a023133306563686f3a6c6f6262796f6b010203ff"),
                            "close server 4001");
            assertThat(recording.connections()).isEqualTo(1);
            assertThat(recording.frames()).isEqualTo(9);
            long previous = -1;
            for (JsonNode line : lines.subList(1, lines.size())) {
                assertThat(line.get("t").asLong()).isGreaterThanOrEqualTo(previous);
                previous = line.get("t").asLong();
            }
        }
    }

    @Test
    void theClientsCloseCodeReachesTheUpstreamAndItsAnswerComesBack() throws Exception {
        List<Integer> serverSaw = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()
                        .listener(new ServerListener() {
                            @Override
                            public void onClose(ServerConnection connection, int code, boolean byServer) {
                                serverSaw.add(code);
                            }
                        })).start();
                RecordingProxy proxy = proxyTo(server);
                WsClient c = WsClient.connect(URI.create(proxy.uri() + "?vsn=2.0.0"))) {
            c.closeNormally();
            assertThat(c.awaitClose()).isEqualTo(1000);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> serverSaw.contains(1000));
        }
    }

    @Test
    void upstreamRefusalsReachTheClientWithTheirStatus() throws Exception {
        try (FakePhoenixServer server = demo(); RecordingProxy proxy = proxyTo(server)) {
            assertThat(WsClient.refusedStatus(URI.create(proxy.uri() + "?vsn=3.0.0"))).isEqualTo(403);
            assertThat(WsClient.refusedStatus(URI.create(proxy.uri() + "?vsn=2.0.0&reject=true"))).isEqualTo(403);
            RecordingProxy.Recording recording = proxy.stop();
            assertThat(read(recording.session()).stream().filter(l -> l.path("type").asText().equals("refused"))
                    .map(l -> l.get("status").asInt()).toList()).containsExactly(403, 403);
        }
    }

    @Test
    void anUnreachableUpstreamIs502() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (RecordingProxy proxy = RecordingProxy.builder(URI.create("ws://127.0.0.1:" + closedPort + "/socket"))
                .output(out).start()) {
            assertThat(WsClient.refusedStatus(URI.create(proxy.uri() + "?vsn=2.0.0"))).isEqualTo(502);
        }
        assertThat(Files.readString(out.resolve("session.jsonl"))).contains("upstream unreachable");
    }

    @Test
    void onlyTheSocketPathIsProxied() throws Exception {
        try (FakePhoenixServer server = demo(); RecordingProxy proxy = proxyTo(server)) {
            assertThat(get(URI.create("http://127.0.0.1:" + proxy.port() + "/health")).statusCode()).isEqualTo(404);
            assertThat(get(URI.create("http://127.0.0.1:" + proxy.port() + "/socket/websocket")).statusCode())
                    .isEqualTo(400);
            HttpResponse<String> unknown = get(URI.create("http://127.0.0.1:" + proxy.port() + "/__admin/nope"));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("POST /__admin/recording/stop");
        }
    }

    @Test
    void secretsNeverReachTheFilesAndTheFilesSaySo() throws Exception {
        String token = "tok-" + "s3cr3t-connect-param";
        String bearer = "bearer-" + "s3cr3t-header";
        String phxToken = "phx-" + "s3cr3t-subprotocol";
        try (FakePhoenixServer server = demo(); RecordingProxy proxy = proxyTo(server)) {
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket ws = WsClient.HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + bearer)
                    .subprotocols("phoenix", "base64url.bearer.phx."
                            + Base64.getUrlEncoder().withoutPadding().encodeToString(phxToken.getBytes(StandardCharsets.UTF_8)))
                    .buildAsync(URI.create(proxy.uri() + "?vsn=2.0.0&token=" + token + "&user_id=u1"),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                    received.add(data.toString());
                                    w.request(1);
                                    return null;
                                }
                            })
                    .get(5, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("phoenix");
            // echo:private echoes its join params back: the password must be hidden in the server's frame too.
            ws.sendText("[\"1\",\"1\",\"echo:private\",\"phx_join\",{\"password\":\"secret\",\"room\":\"r1\"}]", true);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(
                    "[\"1\",\"1\",\"echo:private\",\"phx_reply\",{\"response\":{\"joined\":\"echo:private\","
                            + "\"params\":{\"password\":\"secret\",\"room\":\"r1\"}},\"status\":\"ok\"}]");
            ws.abort();

            RecordingProxy.Recording recording = proxy.stop();
            String session = Files.readString(recording.session());
            assertThat(session).doesNotContain(token, bearer, phxToken, "\"secret\"", "\\\"secret\\\"");
            assertThat(session).contains("\"token\":\"[redacted]\"", "\"authorization\":[\"[redacted]\"]",
                    "base64url.bearer.phx.[redacted]", "\\\"password\\\":\\\"[redacted]\\\"", "\"user_id\":\"u1\"",
                    "r1");
            JsonNode connect = read(recording.session()).get(1);
            assertThat(connect.get("redacted").toString())
                    .contains("params.token", "headers.authorization", "subprotocol.authToken");
        }
    }

    @Test
    void anAdminCallStopsTheRecording() throws Exception {
        try (FakePhoenixServer server = demo(); RecordingProxy proxy = proxyTo(server)) {
            URI admin = URI.create("http://127.0.0.1:" + proxy.port() + "/__admin/");
            assertThat(get(admin.resolve("health")).body()).isEqualTo("{\"status\":\"ok\"}");
            try (WsClient c = WsClient.connect(URI.create(proxy.uri() + "?vsn=2.0.0"))) {
                c.exchange("[\"1\",\"1\",\"echo:a\",\"phx_join\",{}]",
                        "[\"1\",\"1\",\"echo:a\",\"phx_reply\",{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"}]");
                assertThat(JSON.readTree(get(admin.resolve("recording")).body()).get("open").asInt()).isEqualTo(1);

                HttpResponse<String> stopped = WsClient.HTTP.send(HttpRequest.newBuilder(admin.resolve("recording/stop"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(stopped.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(stopped.body()).get("session").asText())
                        .isEqualTo(out.resolve("session.jsonl").toString());
                assertThat(c.awaitClose()).isEqualTo(1001);
            }
            RecordingProxy.Recording recording = proxy.awaitStop(Duration.ofSeconds(5));
            assertThat(recording).isNotNull();
            assertThat(Files.readString(recording.session())).contains("\"type\":\"stop\"");
            assertThat(proxy.stop()).isSameAs(recording);
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return WsClient.HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String base64(String hex) {
        return Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hex));
    }

    static List<JsonNode> read(Path session) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(session)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }
}
