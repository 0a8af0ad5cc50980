package dev.slipstream.transport.nio;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.support.Certificates;
import dev.slipstream.client.support.EchoWebSocketServer;
import dev.slipstream.client.support.RawPeer;
import dev.slipstream.client.support.TransportRecorder;
import dev.slipstream.client.support.TransportRecorder.Closed;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.client.transport.TransportRequest;
import dev.slipstream.protocol.Frame;
import io.undertow.websockets.core.WebSockets;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.slipstream.client.support.RawPeer.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code wss://} on {@link NioWebSocketTransport}: self-signed certificates made by keytool, Undertow and a raw peer. */
@Timeout(60)
class NioTlsTest {
    private static KeyStore loopback; // SAN ip:127.0.0.1, dns:localhost
    private static KeyStore elsewhere; // SAN dns:example.com only
    private static EchoWebSocketServer server;

    @BeforeAll
    @Timeout(180) // keytool is a separate JVM: slow on a loaded machine
    static void makeCertificatesAndServer(@TempDir Path dir) throws Exception {
        loopback = Certificates.selfSigned(dir, "localhost", "ip:127.0.0.1,dns:localhost");
        elsewhere = Certificates.selfSigned(dir, "example.com", "dns:example.com");
        server = new EchoWebSocketServer(Certificates.server(loopback));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static TransportRequest request(URI uri) {
        return new TransportRequest(uri, Map.of(), Duration.ofSeconds(10), 32 * 1024 * 1024);
    }

    private static TransportConnection connect(NioWebSocketTransport t, URI uri, TransportRecorder r) throws Exception {
        return t.open(request(uri), r).get(20, TimeUnit.SECONDS);
    }

    @Test
    void onTheClientBuilderTheSslContextGoesToThisTransportNotBesideIt() throws Exception {
        SlipstreamClient.Builder builder = SlipstreamClient.builder(URI.create("wss://example.invalid/socket"))
                .transport(NioWebSocketTransport.shared())
                .sslContext(Certificates.trusting(loopback, "TLS"));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transport(NioWebSocketTransport)")
                .hasMessageContaining("NioWebSocketTransport.withSslContext(ctx)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 16_384, 16_385, 65_536, 1024 * 1024, 16 * 1024 * 1024})
    void binaryEchoesOverTls(int size) throws Exception {
        NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(loopback, "TLS"));
        TransportRecorder r = new TransportRecorder();
        TransportConnection c = connect(t, server.uri(), r);
        byte[] sent = new byte[size];
        new Random(size).nextBytes(sent);
        c.send(Frame.binary(sent)).get(20, TimeUnit.SECONDS);
        assertThat(r.nextBinary()).isEqualTo(sent);
        c.abort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void bothTlsVersionsWorkAndTheHeadersAreVisible(String protocol) throws Exception {
        server.upgradeHeader("x-tls", "yes");
        NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(loopback, protocol));
        TransportRecorder r = new TransportRecorder();
        TransportConnection c = connect(t, server.uri(), r);
        assertThat(c.upgradeResponse().header("x-tls")).hasValue("yes");
        c.send(Frame.text("héllo " + protocol)).get(20, TimeUnit.SECONDS);
        assertThat(r.nextText()).isEqualTo("héllo " + protocol);
        c.close(1000, "");
        assertThat(r.next(Closed.class).code()).isEqualTo(1000);
    }

    @Test
    void aHostNameGoesThroughDnsAndSni() throws Exception {
        NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(loopback, "TLS"));
        TransportRecorder r = new TransportRecorder();
        TransportConnection c = connect(t, URI.create("wss://localhost:" + server.port() + "/socket/websocket"), r);
        c.send(Frame.text("by name")).get(20, TimeUnit.SECONDS);
        assertThat(r.nextText()).isEqualTo("by name");
        c.abort();
    }

    @Test
    void anUntrustedCertificateIsRefusedByDefault() {
        CompletableFuture<TransportConnection> f = NioWebSocketTransport.shared().open(request(server.uri()),
                new TransportRecorder());
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
        try (EchoWebSocketServer wrongName = new EchoWebSocketServer(Certificates.server(elsewhere))) {
            NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(elsewhere, "TLS"));
            CompletableFuture<TransportConnection> f = t.open(request(wrongName.uri()), new TransportRecorder());
            assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("127.0.0.1");
        }
    }

    @Test
    void aServerCloseOverTlsIsReportedAndEchoed() throws Exception {
        NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(loopback, "TLS"));
        TransportRecorder r = new TransportRecorder();
        connect(t, server.uri(), r);
        WebSockets.sendClose(4002, "tls bye", server.last(), null);
        assertThat(r.next(Closed.class)).isEqualTo(new Closed(4002, "tls bye"));
    }

    @Test
    void aTls13KeyUpdateFromTheServerIsAnsweredAndTrafficGoesOn() throws Exception {
        try (RawPeer peer = new RawPeer(Certificates.server(loopback))) {
            NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(loopback, "TLSv1.3"));
            TransportRecorder r = new TransportRecorder();
            CompletableFuture<TransportConnection> f = t.open(request(peer.uri()), r);
            peer.accept().upgrade();
            TransportConnection c = f.get(20, TimeUnit.SECONDS);
            for (int round = 0; round < 3; round++) {
                ((SSLSocket) peer.socket()).startHandshake(); // in TLS 1.3: a KeyUpdate asking for ours
                peer.send(frame(0x81, "round " + round));
                assertThat(r.nextText()).isEqualTo("round " + round);
                c.send(Frame.text("back " + round)).get(20, TimeUnit.SECONDS);
                assertThat(peer.readFrame().text()).isEqualTo("back " + round);
            }
            peer.send(frame(0x88, new byte[] {0x03, (byte) 0xE8}));
            assertThat(r.next(Closed.class).code()).isEqualTo(1000);
            assertThat(peer.readFrame().closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void theServerDroppingTheTlsConnectionEndsIt() throws Exception {
        try (RawPeer peer = new RawPeer(Certificates.server(loopback))) {
            NioWebSocketTransport t = NioWebSocketTransport.withSslContext(Certificates.trusting(loopback, "TLS"));
            TransportRecorder r = new TransportRecorder();
            CompletableFuture<TransportConnection> f = t.open(request(peer.uri()), r);
            peer.accept().upgrade();
            f.get(20, TimeUnit.SECONDS);
            peer.drop(false); // close_notify, then FIN
            assertThat(r.next(Closed.class)).isEqualTo(new Closed(1006, ""));
            await().atMost(Duration.ofSeconds(5)).until(() -> r.all.size() == 1);
        }
    }
}
