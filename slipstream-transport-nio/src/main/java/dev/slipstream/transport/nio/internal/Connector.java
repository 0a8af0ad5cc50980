package dev.slipstream.transport.nio.internal;

import static dev.slipstream.transport.nio.internal.NioConnection.CONNECTING;
import static dev.slipstream.transport.nio.internal.NioConnection.OPEN;
import static dev.slipstream.transport.nio.internal.NioConnection.READING_UPGRADE;
import static dev.slipstream.transport.nio.internal.NioConnection.RESOLVING;
import static dev.slipstream.transport.nio.internal.NioConnection.SENDING_UPGRADE;
import static dev.slipstream.transport.nio.internal.NioConnection.TLS_HANDSHAKE;

import dev.slipstream.client.transport.UpgradeRejectedException;
import dev.slipstream.client.transport.UpgradeResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * How a {@link NioConnection} opens, on its loop thread: resolve the host (the lookup itself on the worker pool),
 * connect to its addresses in turn, set up TLS and drive its handshake, send the HTTP upgrade request and read the
 * response. It owns the addresses, the last connect failure and the upgrade under way; the connect timeout covers
 * all of it. Writes go through the {@link Outbound}, under the write lock.
 */
final class Connector {
    private final NioConnection c;
    /** Null for ws://. */
    private final SSLContext sslContext;
    private final String host; // as in the URI, IPv6 in brackets
    private final int port;

    // ---- loop-owned
    private InetAddress[] addresses;
    private int nextAddress;
    private IOException connectFailure;
    private UpgradeHandshake handshake;
    private ByteBuffer upgradeBytes;

    Connector(NioConnection c, SSLContext sslContext) {
        this.c = c;
        this.sslContext = sslContext;
        URI uri = c.request.uri();
        this.host = uri.getHost();
        this.port = uri.getPort() != -1 ? uri.getPort() : sslContext != null ? 443 : 80;
    }

    // ======================================================================================== TCP

    void start() throws IOException {
        if (c.opening.isDone() || c.loop.isTerminated()) {
            c.closing.failOpen(new IOException("the websocket transport was closed"));
            return;
        }
        c.schedule(NioConnection.nanos(c.request.connectTimeout()), this::connectTimedOut);
        if (isIpLiteral(host)) {
            addresses = InetAddress.getAllByName(host); // parsed, no lookup
            connectNext();
            return;
        }
        // A DNS lookup blocks: never on the loop (nor on the caller, the client's owner thread).
        c.phase = RESOLVING;
        c.worker.execute(() -> {
            try {
                InetAddress[] found = InetAddress.getAllByName(host);
                c.onLoop(() -> resolved(found, null));
            } catch (UnknownHostException | RuntimeException e) {
                c.onLoop(() -> resolved(null, e));
            }
        });
    }

    private void resolved(InetAddress[] found, Exception error) throws IOException {
        if (c.phase != RESOLVING) {
            return; // timed out or abandoned meanwhile
        }
        if (error != null) {
            c.closing.failOpen(error);
            return;
        }
        addresses = found;
        connectNext();
    }

    /** Tries the next address of the host; fails the open when none is left. */
    private void connectNext() throws IOException {
        c.phase = CONNECTING;
        while (nextAddress < addresses.length) {
            InetSocketAddress target = new InetSocketAddress(addresses[nextAddress++], port);
            SocketChannel ch = null;
            boolean connected;
            try {
                ch = SocketChannel.open();
                c.channel = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // frames go out when written
                connected = ch.connect(target);
                c.key = ch.register(c.loop.selector(), connected ? 0 : SelectionKey.OP_CONNECT, c);
            } catch (IOException e) {
                NioConnection.closeQuietly(ch);
                connectFailure = connectError(target, e);
                continue;
            }
            if (connected) {
                onConnected();
            }
            return;
        }
        c.closing.failOpen(connectFailure != null ? connectFailure : new ConnectException("no address for " + host));
    }

    void onConnectable() throws IOException {
        boolean done;
        try {
            done = c.channel.finishConnect();
        } catch (IOException e) {
            connectFailure = connectError(new InetSocketAddress(addresses[nextAddress - 1], port), e);
            NioConnection.closeQuietly(c.channel);
            c.key = null;
            connectNext();
            return;
        }
        if (done) {
            onConnected();
        }
    }

    private static IOException connectError(InetSocketAddress target, IOException e) {
        ConnectException failure = new ConnectException("could not connect to " + target + ": " + e.getMessage());
        failure.initCause(e);
        return failure;
    }

    // ======================================================================================== TLS

    private void onConnected() throws IOException {
        if (sslContext == null) {
            sendUpgrade();
            return;
        }
        String peer = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        SSLEngine engine = sslContext.createSSLEngine(peer, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // hostname verification, as browsers do
        if (!isIpLiteral(host)) {
            try {
                params.setServerNames(List.of(new SNIHostName(peer)));
            } catch (IllegalArgumentException notAnSniName) {
                // a name SNI cannot carry: the handshake goes without SNI, verification still applies
            }
        }
        engine.setSSLParameters(params);
        c.tls = new TlsSession(engine, c.channel);
        c.phase = TLS_HANDSHAKE;
        engine.beginHandshake();
        tlsHandshake();
    }

    /** Drives the TLS handshake as far as it goes without waiting. */
    void tlsHandshake() throws IOException {
        TlsSession tls = c.tls;
        while (c.phase == TLS_HANDSHAKE) {
            HandshakeStatus hs = tls.engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    c.reader.runTlsTasks();
                    return;
                case NEED_WRAP: {
                    if (!c.outbound.wrapHandshake()) {
                        c.updateInterest();
                        return;
                    }
                    break;
                }
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN: {
                    int r = tls.read(c.loop, c.reader);
                    if (r == TlsSession.EOF) {
                        throw new SSLHandshakeException("the server closed the connection during the TLS handshake");
                    }
                    if (r == TlsSession.NO_PROGRESS) {
                        c.updateInterest();
                        return;
                    }
                    break;
                }
                default: // NOT_HANDSHAKING
                    sendUpgrade();
                    return;
            }
        }
    }

    /** OP_WRITE during the TLS handshake: the rest of a handshake message went out, or not yet. */
    void tlsWritable() throws IOException {
        boolean flushed = c.outbound.flushHandshake();
        c.updateInterest();
        if (flushed) {
            tlsHandshake();
        }
    }

    // ======================================================================================== the upgrade

    private void sendUpgrade() throws IOException {
        handshake = new UpgradeHandshake();
        upgradeBytes = ByteBuffer.wrap(handshake.request(c.request));
        c.phase = SENDING_UPGRADE;
        continueUpgrade();
    }

    /** Writes what the socket takes of the upgrade request; on OP_WRITE too. */
    void continueUpgrade() throws IOException {
        if (c.outbound.writeUpgrade(upgradeBytes)) {
            upgradeBytes = null;
            c.phase = READING_UPGRADE;
        }
        c.updateInterest();
    }

    /** Feeds the upgrade response; true once its header block is complete and was acted on. */
    boolean readUpgrade(ByteBuffer in) throws IOException {
        if (handshake == null || !handshake.feed(in)) {
            return false;
        }
        upgraded();
        return true;
    }

    /** The response header block arrived. */
    private void upgraded() throws IOException {
        UpgradeHandshake h = handshake;
        handshake = null;
        if (h.status() != 101) {
            c.closing.failOpen(new UpgradeRejectedException(h.status(), h.headers()));
            return;
        }
        if (upgradeBytes != null) {
            throw new ProtocolException("the server switched protocols before the whole upgrade request was sent");
        }
        h.validateSwitch();
        c.response = new UpgradeResponse(101, h.headers(), true);
        c.reader.opened();
        c.cancelTimer();
        c.phase = OPEN;
        if (!c.opening.complete(c)) { // cancelled or timed out by the caller meanwhile
            c.closing.markFinished();
            c.closing.closeSocket();
        }
    }

    /** The socket closed: the upgrade's state goes. */
    void release() {
        handshake = null;
        upgradeBytes = null;
    }

    // ======================================================================================== the time bound

    private void connectTimedOut() {
        if (c.phase >= OPEN) {
            return;
        }
        c.closing.failOpen(new HttpConnectTimeoutException("no websocket at " + c.request.redactedUri() + " within "
                + c.request.connectTimeout() + " (" + phaseName() + ")"));
    }

    private String phaseName() {
        switch (c.phase) {
            case RESOLVING:
                return "still resolving " + host;
            case CONNECTING:
                return "TCP connect not finished";
            case TLS_HANDSHAKE:
                return "TLS handshake not finished";
            case SENDING_UPGRADE:
                return "upgrade request not fully sent";
            default:
                return "no upgrade response";
        }
    }

    /** A bracketed IPv6 literal or a dotted IPv4 address: parsed without any DNS lookup. */
    static boolean isIpLiteral(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
