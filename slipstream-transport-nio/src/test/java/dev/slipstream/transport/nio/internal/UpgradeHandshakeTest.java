package dev.slipstream.transport.nio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.client.transport.TransportRequest;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The opening handshake: the request's bytes, and the response read in any split. */
class UpgradeHandshakeTest {
    // RFC 6455 §1.3's example key and accept value
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final String OK = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + ACCEPT + "\r\nX-Request-Id: r1\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n";

    private static UpgradeHandshake read(String response) throws ProtocolException {
        UpgradeHandshake h = new UpgradeHandshake(KEY);
        assertThat(h.feed(ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1)))).isTrue();
        return h;
    }

    @Test
    void theAcceptValueOfRfc6455() {
        assertThat(UpgradeHandshake.accept(KEY)).isEqualTo(ACCEPT);
        assertThat(UpgradeHandshake.newKey()).hasSize(24).isNotEqualTo(UpgradeHandshake.newKey());
    }

    @Test
    void theRequest() {
        TransportRequest r = new TransportRequest(URI.create("ws://example.com:4000/socket/websocket?token=a%20b&vsn=2.0.0"),
                Map.of("Authorization", List.of("Bearer x")), Duration.ofSeconds(1), 100);
        String req = new String(new UpgradeHandshake(KEY).request(r), StandardCharsets.ISO_8859_1);
        assertThat(req).isEqualTo("GET /socket/websocket?token=a%20b&vsn=2.0.0 HTTP/1.1\r\n"
                + "Host: example.com:4000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer x\r\n\r\n");
    }

    @Test
    void theHostHeaderLeavesOutTheDefaultPort() {
        assertThat(UpgradeHandshake.hostHeader(URI.create("ws://h/s"))).isEqualTo("h");
        assertThat(UpgradeHandshake.hostHeader(URI.create("ws://h:80/s"))).isEqualTo("h");
        assertThat(UpgradeHandshake.hostHeader(URI.create("wss://h:443/s"))).isEqualTo("h");
        assertThat(UpgradeHandshake.hostHeader(URI.create("wss://h:80/s"))).isEqualTo("h:80");
        assertThat(UpgradeHandshake.hostHeader(URI.create("ws://[::1]:4000/s"))).isEqualTo("[::1]:4000");
        TransportRequest noPath = new TransportRequest(URI.create("ws://h"), Map.of(), Duration.ofSeconds(1), 100);
        assertThat(new String(new UpgradeHandshake(KEY).request(noPath), StandardCharsets.ISO_8859_1))
                .startsWith("GET / HTTP/1.1\r\nHost: h\r\n");
    }

    @Test
    void aResponseInAnySplitStopsRightAfterTheHeaderBlock() throws ProtocolException {
        byte[] wire = (OK + "FRAME").getBytes(StandardCharsets.ISO_8859_1);
        for (int cut = 0; cut < wire.length - 5; cut++) {
            UpgradeHandshake h = new UpgradeHandshake(KEY);
            ByteBuffer first = ByteBuffer.wrap(wire, 0, cut);
            assertThat(h.feed(first)).isFalse();
            ByteBuffer rest = ByteBuffer.wrap(wire, cut, wire.length - cut);
            assertThat(h.feed(rest)).isTrue();
            assertThat(rest.remaining()).as("cut at %d", cut).isEqualTo(5);
            assertThat(h.status()).isEqualTo(101);
            h.validateSwitch();
        }
    }

    @Test
    void headersKeepTheirNamesAndEveryValue() throws ProtocolException {
        UpgradeHandshake h = read(OK);
        assertThat(h.headers()).containsEntry("X-Request-Id", List.of("r1"))
                .containsEntry("Set-Cookie", List.of("a=1")).containsEntry("set-cookie", List.of("b=2"));
    }

    @Test
    void bareLineFeedsAndFoldedLinesAreRead() throws ProtocolException {
        UpgradeHandshake h = read("HTTP/1.1 403 Forbidden\nX-Why: no\n  token\nContent-Length: 0\n\n");
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.headers()).containsEntry("X-Why", List.of("no token"));
    }

    @Test
    void whatIsNotAValidSwitchIsRefusedNamingTheHeader() throws ProtocolException {
        assertThatThrownBy(() -> read(OK.replace(ACCEPT, "AAAA")).validateSwitch())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("Sec-WebSocket-Accept");
        assertThatThrownBy(() -> read(OK.replace("Upgrade: websocket\r\n", "")).validateSwitch())
                .hasMessageContaining("Upgrade");
        assertThatThrownBy(() -> read(OK.replace("Connection: Upgrade", "Connection: close")).validateSwitch())
                .hasMessageContaining("Connection");
        assertThatThrownBy(() -> read(OK.replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"))
                .validateSwitch()).hasMessageContaining("permessage-deflate");
        assertThatThrownBy(() -> read(OK.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n"))
                .validateSwitch()).hasMessageContaining("chat");
        read(OK.replace("Connection: Upgrade", "Connection: keep-alive, UPGRADE").replace("websocket", "WebSocket"))
                .validateSwitch();
    }

    @Test
    void malformedOrOversizedResponsesAreRefused() {
        assertThatThrownBy(() -> read("SSH-2.0-OpenSSH_9\r\n\r\n")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("not an HTTP/1.x response");
        assertThatThrownBy(() -> read("HTTP/1.1 10x Nope\r\n\r\n")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> read("HTTP/1.1 101 OK\r\nno colon here\r\n\r\n"))
                .hasMessageContaining("malformed header line");
        String huge = "HTTP/1.1 101 OK\r\nX: " + "y".repeat(70_000) + "\r\n\r\n";
        assertThatThrownBy(() -> read(huge)).isInstanceOf(ProtocolException.class).hasMessageContaining("65536");
    }
}
