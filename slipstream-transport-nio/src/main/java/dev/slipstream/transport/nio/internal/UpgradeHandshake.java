package dev.slipstream.transport.nio.internal;

import dev.slipstream.client.transport.TransportRequest;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The opening handshake of RFC 6455 §4.1: the client's HTTP/1.1 upgrade request, and the server's response read from
 * whatever bytes arrive, up to {@link #MAX_RESPONSE_BYTES}. Lives only while the connection upgrades.
 */
final class UpgradeHandshake {
    static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String key;
    private List<String> offered = List.of();
    private byte[] response = new byte[512];
    private int length;
    private int status;
    private Map<String, List<String>> headers;

    UpgradeHandshake() {
        this(newKey());
    }

    UpgradeHandshake(String key) {
        this.key = key;
    }

    /** 16 random bytes, base64: the Sec-WebSocket-Key. */
    static String newKey() {
        byte[] k = new byte[16];
        RANDOM.nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    String key() {
        return key;
    }

    /**
     * The upgrade request: request line, Host, the websocket headers (with the subprotocols offered, if any), then the
     * request's own headers.
     */
    byte[] request(TransportRequest request) {
        offered = request.subprotocols();
        URI uri = request.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery();
        StringBuilder sb = new StringBuilder(256);
        sb.append("GET ").append(path);
        if (query != null) {
            sb.append('?').append(query);
        }
        sb.append(" HTTP/1.1\r\nHost: ").append(hostHeader(uri)).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (!offered.isEmpty()) {
            sb.append("Sec-WebSocket-Protocol: ").append(String.join(", ", offered)).append("\r\n");
        }
        request.headers().forEach((name, values) -> {
            for (String value : values) {
                sb.append(name).append(": ").append(value).append("\r\n");
            }
        });
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code host} or {@code host:port} when the port is not the scheme's default (RFC 6455 §4.1 item 4). */
    static String hostHeader(URI uri) {
        String host = uri.getHost();
        int port = uri.getPort();
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        if (port == -1 || port == (secure ? 443 : 80)) {
            return host;
        }
        return host + ":" + port;
    }

    /**
     * Takes response bytes until the empty line that ends the header block; true once it arrived, with {@code in}
     * positioned at the first byte after it (the first frame, if the server sent one at once).
     *
     * @throws ProtocolException when the header block passes {@link #MAX_RESPONSE_BYTES} or is not HTTP
     */
    boolean feed(ByteBuffer in) throws ProtocolException {
        while (in.hasRemaining()) {
            if (length == response.length) {
                if (length == MAX_RESPONSE_BYTES) {
                    throw new ProtocolException("the upgrade response headers are larger than " + MAX_RESPONSE_BYTES
                            + " bytes");
                }
                response = java.util.Arrays.copyOf(response, Math.min(MAX_RESPONSE_BYTES, length * 2));
            }
            byte b = in.get();
            response[length++] = b;
            if (b == '\n' && endsHeaderBlock()) {
                parse();
                response = null;
                return true;
            }
        }
        return false;
    }

    private boolean endsHeaderBlock() {
        // CRLF CRLF, or bare LF LF (RFC 9112 §2.2 lets a recipient accept LF alone)
        int n = length;
        return (n >= 2 && response[n - 2] == '\n')
                || (n >= 3 && response[n - 2] == '\r' && response[n - 3] == '\n');
    }

    private void parse() throws ProtocolException {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (response[i] == '\n') {
                int end = i > start && response[i - 1] == '\r' ? i - 1 : i;
                lines.add(new String(response, start, end - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        String statusLine = lines.get(0);
        // HTTP/1.1 101 Switching Protocols
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
                || !isDigits(statusLine, 9, 12) || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new ProtocolException("the answer to the websocket upgrade is not an HTTP/1.x response: "
                    + printable(statusLine));
        }
        status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, List<String>> map = new LinkedHashMap<>();
        String lastName = null;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                break;
            }
            char first = line.charAt(0);
            if ((first == ' ' || first == '\t') && lastName != null) { // obs-fold: joined with a space
                List<String> values = map.get(lastName);
                int last = values.size() - 1;
                values.set(last, (values.get(last) + " " + line.strip()).strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line, colon)) {
                throw new ProtocolException("malformed header line in the upgrade response: " + printable(line));
            }
            String name = line.substring(0, colon);
            map.computeIfAbsent(name, n -> new ArrayList<>(1)).add(line.substring(colon + 1).strip());
            lastName = name;
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        map.forEach((name, values) -> frozen.put(name, List.copyOf(values)));
        headers = Collections.unmodifiableMap(frozen);
    }

    int status() {
        return status;
    }

    /** The response headers, names as the server sent them. */
    Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * Checks a 101 response as RFC 6455 §4.1 asks: Upgrade is websocket, Connection has the upgrade token, the
     * accept value matches our key, the server chose no extension (we offer none), and at most one subprotocol, one
     * we offered. A server that chooses none is accepted, as the JDK's WebSocket does. The error names a refused
     * subprotocol only when it was not one we offered (ours may carry the auth token).
     */
    void validateSwitch() throws ProtocolException {
        List<String> upgrade = values("Upgrade");
        if (upgrade.size() != 1 || !upgrade.get(0).equalsIgnoreCase("websocket")) {
            throw new ProtocolException("the 101 upgrade response has Upgrade " + upgrade + ", not websocket");
        }
        boolean connectionUpgrade = false;
        for (String v : values("Connection")) {
            for (String token : v.split(",")) {
                connectionUpgrade |= token.strip().equalsIgnoreCase("upgrade");
            }
        }
        if (!connectionUpgrade) {
            throw new ProtocolException("the 101 upgrade response has Connection " + values("Connection")
                    + ", without the upgrade token");
        }
        List<String> accept = values("Sec-WebSocket-Accept");
        String expected = accept(key);
        if (accept.size() != 1 || !accept.get(0).equals(expected)) {
            throw new ProtocolException("the 101 upgrade response has Sec-WebSocket-Accept " + accept
                    + ", expected " + expected + " for the key sent");
        }
        for (String v : values("Sec-WebSocket-Extensions")) {
            if (!v.isBlank()) {
                throw new ProtocolException("the server chose websocket extension \"" + printable(v)
                        + "\", which the client did not offer");
            }
        }
        List<String> chosen = new ArrayList<>(1);
        for (String v : values("Sec-WebSocket-Protocol")) {
            if (!v.isBlank()) {
                chosen.add(v.strip());
            }
        }
        if (chosen.size() > 1) {
            throw new ProtocolException("the server chose " + chosen.size() + " websocket subprotocols; it may choose"
                    + " at most one");
        }
        if (chosen.size() == 1 && !offered.contains(chosen.get(0))) {
            throw new ProtocolException("the server chose websocket subprotocol \"" + printable(chosen.get(0))
                    + "\", which the client did not offer");
        }
    }

    private List<String> values(String name) {
        List<String> all = new ArrayList<>(1);
        headers.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) {
                all.addAll(v);
            }
        });
        return all;
    }

    /** base64(SHA-1(key + GUID)): the Sec-WebSocket-Accept the server must send back. */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    private static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** At most 80 characters, control characters escaped: the response is not secret but may be anything. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.length() < s.length() ? sb + "..." : sb.toString();
    }
}
