package dev.slipstream.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A hand-rolled websocket client over a plain socket, for frames java.net.http cannot send (invalid UTF-8). */
final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawSocket(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawSocket open(FakePhoenixServer server) throws IOException {
        RawSocket raw = new RawSocket(new Socket("127.0.0.1", server.port()));
        raw.out.write(("GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        raw.out.flush();
        String status = raw.readLine();
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + status);
        }
        while (!raw.readLine().isEmpty()) {
            // skip headers
        }
        return raw;
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        InputStream s = in;
        int c;
        while ((c = s.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** Sends one masked text frame with exactly these payload bytes (under 126 bytes). */
    void sendTextFrame(byte[] payload) throws IOException {
        byte[] mask = {1, 2, 3, 4};
        out.write(0x81);
        out.write(0x80 | payload.length);
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
    }

    /** Reads frames until a close frame and returns its code. */
    int readCloseCode() throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int len = in.readUnsignedByte() & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = (int) in.readLong();
            }
            byte[] data = new byte[len];
            in.readFully(data);
            if ((b0 & 0x0f) == 8) {
                return len >= 2 ? ((data[0] & 0xff) << 8) | (data[1] & 0xff) : 1005;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
