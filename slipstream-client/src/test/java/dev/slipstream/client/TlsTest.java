package dev.slipstream.client;

import static dev.slipstream.client.VirtualTimeTest.assertThatFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.client.support.TestPhoenixServer;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.protocol.Payload;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://} with a self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static KeyStore keyStore;

    @BeforeAll
    @Timeout(90) // keytool is a separate JVM: slow on a loaded machine
    static void makeCertificate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-storepass", "changeit", "-keystore", file.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, PASSWORD);
        }
    }

    private static SSLContext serverContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static SSLContext trustingContext() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void connectsOverTlsWithASuppliedSslContext() throws Exception {
        try (TestPhoenixServer server = new TestPhoenixServer(serverContext());
                SlipstreamClient client = SlipstreamClient.builder(server.uri()).sslContext(trustingContext()).build()) {
            client.connect().join();
            client.join("room:lobby").join();
            assertThat(client.push("room:lobby", "ping", Payload.empty()).join().isOk()).isTrue();
        }
    }

    @Test
    void aTransportAndAnSslContextTogetherAreRefusedRatherThanOneSilentlyIgnored() throws Exception {
        SlipstreamClient.Builder builder = SlipstreamClient.builder(URI.create("wss://example.invalid/socket"))
                .transport(JdkWebSocketTransport.shared())
                .sslContext(trustingContext());
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transport(JdkWebSocketTransport)")
                .hasMessageContaining("withSslContext");
    }

    @Test
    void anUntrustedCertificateIsRefusedByDefault() throws Exception {
        try (TestPhoenixServer server = new TestPhoenixServer(serverContext());
                SlipstreamClient client = SlipstreamClient.builder(server.uri()).reconnect(false).build()) {
            ConnectFailedException e = assertThatFailsWith(client.connect(), ConnectFailedException.class);
            assertThat(e.kind()).isEqualTo(ConnectFailedException.Kind.NETWORK);
            assertThat(server.upgrades()).isZero();
        }
    }
}
