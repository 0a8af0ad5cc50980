package dev.slipstream.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written websocket server on loopback for what no real server sends: it completes the upgrade, then writes
 * whatever raw frame bytes the test gives (invalid UTF-8 in a text frame, say). One connection at a time; each
 * accepted socket is handed to the test. Also usable as a server that accepts TCP but never answers the upgrade.
 */
final class RawFrameServer implements AutoCloseable {
    private final ServerSocket server;
    private final BlockingQueue<Socket> upgraded = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    RawFrameServer(boolean answerUpgrade) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    if (answerUpgrade) {
                        upgrade(s);
                    }
                    upgraded.add(s);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "raw-frame-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next upgraded (or, without upgrade, accepted) connection. */
    Socket awaitConnection() throws InterruptedException {
        Socket s = upgraded.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no connection within 10 s");
        }
        return s;
    }

    /** Writes one unmasked, final frame with {@code opcode} (1 text, 2 binary) and {@code payload} (< 126 bytes). */
    static void writeFrame(Socket s, int opcode, byte[] payload) throws IOException {
        if (payload.length >= 126) {
            throw new IllegalArgumentException("short frames only");
        }
        OutputStream out = s.getOutputStream();
        out.write(0x80 | opcode);
        out.write(payload.length);
        out.write(payload);
        out.flush();
    }

    private static void upgrade(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade");
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1
                    : (b == '\r' ? 1 : 0);
        }
        String key = null;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        String accept;
        try {
            accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s;
        while ((s = upgraded.poll()) != null) {
            s.close();
        }
    }
}
