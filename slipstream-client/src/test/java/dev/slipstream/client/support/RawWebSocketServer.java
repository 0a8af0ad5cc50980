package dev.slipstream.client.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written websocket server for what Undertow will not do: after the upgrade it runs a script that writes raw
 * frames (fragments, for instance), then drops the TCP connection without a close frame, as a crashed proxy or a
 * dead peer would. Accepts connections until closed.
 */
public final class RawWebSocketServer implements AutoCloseable {

    /** Writes raw bytes after the upgrade. */
    @FunctionalInterface
    public interface AfterUpgrade {
        void run(Socket socket, OutputStream out) throws IOException;
    }

    private final AfterUpgrade afterUpgrade;
    private final ServerSocket socket;
    private final Thread acceptor;
    private final AtomicInteger upgrades = new AtomicInteger();

    /** Drops every connection right after the upgrade. */
    public RawWebSocketServer() throws IOException {
        this((s, out) -> { });
    }

    public RawWebSocketServer(AfterUpgrade afterUpgrade) throws IOException {
        this.afterUpgrade = afterUpgrade;
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "raw-websocket-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                String key = null;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                        key = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                upgrades.incrementAndGet();
                afterUpgrade.run(s, out);
                out.flush();
                s.setSoLinger(true, 0); // close with RST: no close frame, no FIN handshake
            } catch (IOException | NoSuchAlgorithmException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    public int upgrades() {
        return upgrades.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
