package dev.slipstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} against a real TLS websocket server on Undertow, with certificates made in the test by the JDK's
 * {@code keytool}: an untrusted certificate is refused, a trusted certificate for another hostname is refused
 * (hostname verification is on by default, also with a caller's {@code SSLContext}), and the right one connects.
 */
@Timeout(60)
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    static KeyStore rightHost;
    static KeyStore wrongHost;
    static SSLContext trustingBoth;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        rightHost = keyPair("right", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        wrongHost = keyPair("wrong", "CN=wrong.example", "SAN=dns:wrong.example");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("right", rightHost.getCertificate("right"));
        trust.setCertificateEntry("wrong", wrongHost.getCertificate("wrong"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustingBoth = SSLContext.getInstance("TLS");
        trustingBoth.init(null, tmf.getTrustManagers(), null);
    }

    private static KeyStore keyPair(String alias, String dname, String san) throws Exception {
        Path file = dir.resolve(alias + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", alias, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", dname, "-ext", san, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("keytool finished: %s", output).isTrue();
        assertThat(p.exitValue()).as("keytool: %s", output).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(file.toFile())) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** An Undertow wss server that upgrades every request, with {@code keys}' certificate. */
    private int wssServer(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        Undertow server = Undertow.builder()
                .setIoThreads(1).setWorkerThreads(1)
                .addHttpsListener(0, "127.0.0.1", ctx)
                .setHandler(Handlers.websocket((exchange, channel) -> channel.resumeReceives()))
                .build();
        server.start();
        toClose.add(server::stop);
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private SlipstreamClient client(String uri, SSLContext ssl) {
        SlipstreamClient.Builder b = SlipstreamClient.builder(uri).reconnect(false)
                .connectTimeout(java.time.Duration.ofSeconds(10));
        if (ssl != null) {
            b.transport(JdkWebSocketTransport.withSslContext(ssl));
        }
        SlipstreamClient c = b.build();
        toClose.add(c);
        return c;
    }

    private static ConnectFailedException connectFailure(SlipstreamClient c) throws Exception {
        try {
            c.connect().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ConnectFailedException.class);
            return (ConnectFailedException) e.getCause();
        }
        throw new AssertionError("the connect succeeded");
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aTrustedCertificateForTheRightHostConnects() throws Exception {
        int port = wssServer(rightHost);
        client("wss://localhost:" + port + "/socket", trustingBoth).connect().get(15, TimeUnit.SECONDS);
        client("wss://127.0.0.1:" + port + "/socket", trustingBoth).connect().get(15, TimeUnit.SECONDS);
    }

    @Test
    void aCertificateNobodyTrustsIsRefused() throws Exception {
        int port = wssServer(rightHost);
        ConnectFailedException e = connectFailure(client("wss://localhost:" + port + "/socket", null));
        assertThat(e.kind()).isEqualTo(ConnectFailedException.Kind.NETWORK);
        assertThat(causedBy(e, SSLException.class)).as("an SSLException in %s", e).isTrue();
        assertThat(e.getMessage()).contains("wss://localhost:" + port);
    }

    @Test
    void aTrustedCertificateForAnotherHostnameIsRefusedByDefault() throws Exception {
        int port = wssServer(wrongHost);
        for (String host : List.of("localhost", "127.0.0.1")) {
            ConnectFailedException e = connectFailure(client("wss://" + host + ":" + port + "/socket", trustingBoth));
            assertThat(e.kind()).isEqualTo(ConnectFailedException.Kind.NETWORK);
            assertThat(causedBy(e, SSLException.class) || causedBy(e, CertificateException.class))
                    .as("a TLS failure in %s", e).isTrue();
            assertThat(stackTrace(e)).containsAnyOf("No name matching", "No subject alternative");
        }
    }

    @Test
    void plainWsToATlsPortFailsInsteadOfHanging() throws Exception {
        int port = wssServer(rightHost);
        ConnectFailedException e = connectFailure(SlipstreamClient.builder("ws://127.0.0.1:" + port + "/socket")
                .reconnect(false).connectTimeout(java.time.Duration.ofSeconds(2)).build());
        assertThat(e.kind()).isIn(ConnectFailedException.Kind.NETWORK, ConnectFailedException.Kind.TIMEOUT,
                ConnectFailedException.Kind.REJECTED);
    }

    static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
