package dev.slipstream.client.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A websocket server the test thread scripts byte by byte over a plain {@link ServerSocket}: it can send what no
 * well-behaved server sends (masked frames, bad UTF-8, reserved bits, half frames) and reads the client's frames,
 * checking they are masked. Every read is bounded by a socket timeout.
 *
 * <pre>{@code
 * try (RawPeer peer = new RawPeer()) {
 *     CompletableFuture<TransportConnection> open = transport.open(request(peer.uri()), recorder);
 *     peer.accept().upgrade();
 *     peer.send(RawPeer.frame(0x81, "hi".getBytes()));
 *     RawPeer.ClientFrame close = peer.readFrame();
 * }
 * }</pre>
 */
public final class RawPeer implements AutoCloseable {
    /** A frame the client sent, unmasked. */
    public record ClientFrame(int b0, byte[] payload) {
        public int opcode() {
            return b0 & 0x0F;
        }

        public boolean fin() {
            return (b0 & 0x80) != 0;
        }

        /** The close code of a close frame (1005 when it has none). */
        public int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final boolean tls;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    /** The request headers of the last upgrade, names lower-cased. */
    public final Map<String, String> requestHeaders = new LinkedHashMap<>();

    public RawPeer() throws IOException {
        this(null);
    }

    /** A peer on TLS with this server context ({@code wss://}), or plain when null. */
    public RawPeer(javax.net.ssl.SSLContext tlsContext) throws IOException {
        tls = tlsContext != null;
        server = tls ? tlsContext.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(20_000);
    }

    public URI uri() {
        return URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + server.getLocalPort() + "/socket/websocket?vsn=2.0.0");
    }

    /** Accepts the next connection (within 20 s). */
    public RawPeer accept() throws IOException {
        socket = server.accept();
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        return this;
    }

    /** Reads the upgrade request; answers 101 with the right accept value, then {@code extra} in the same write. */
    public RawPeer upgrade(byte[]... extra) throws IOException {
        return upgradeWith("", extra);
    }

    /** As {@link #upgrade}, with extra header lines (each ending in CRLF) in the 101. */
    public RawPeer upgradeWith(String extraHeaders, byte[]... extra) throws IOException {
        String key = readRequest();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        response.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n" + extraHeaders + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] e : extra) {
            response.writeBytes(e);
        }
        send(response.toByteArray());
        return this;
    }

    /** Reads the request and returns its Sec-WebSocket-Key. */
    public String readRequest() throws IOException {
        requestHeaders.clear();
        String line = readLine();
        if (!line.startsWith("GET ")) {
            throw new IOException("not an upgrade request: " + line);
        }
        for (line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            requestHeaders.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).trim());
        }
        return requestHeaders.get("sec-websocket-key");
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the client closed the connection inside the request");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    public static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public RawPeer send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawPeer send(String latin1) throws IOException {
        return send(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** An unmasked server frame with the shortest length encoding. */
    public static byte[] frame(int b0, byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b0);
        int n = payload.length;
        if (n < 126) {
            o.write(n);
        } else if (n <= 0xFFFF) {
            o.write(126);
            o.write(n >>> 8);
            o.write(n);
        } else {
            o.write(127);
            for (int i = 7; i >= 0; i--) {
                o.write((int) ((long) n >>> (8 * i)));
            }
        }
        o.writeBytes(payload);
        return o.toByteArray();
    }

    public static byte[] frame(int b0, String text) {
        return frame(b0, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one client frame, which must be masked, and unmasks it. */
    public ClientFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) == 0) {
            throw new IOException("client frame not masked");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] key = new byte[4];
        in.readFully(key);
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= key[i & 3];
        }
        return new ClientFrame(b0, payload);
    }

    /** Waits for the client to close the TCP connection; true at the end of the stream (or a reset). */
    public boolean awaitEof() throws IOException {
        try {
            InputStream s = socket.getInputStream();
            while (s.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Ends the TCP connection: a FIN, or a reset when {@code reset}. */
    public void drop(boolean reset) throws IOException {
        if (reset) {
            socket.setSoLinger(true, 0);
        }
        socket.close();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
