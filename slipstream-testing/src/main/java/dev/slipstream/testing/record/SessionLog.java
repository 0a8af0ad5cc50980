package dev.slipstream.testing.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The raw session a {@link RecordingProxy} saw, as JSON lines ({@code session.jsonl}), one object per line:
 *
 * <pre>{@code
 * {"type":"session","format":"slipstream-session/1","upstream":"ws://localhost:4000/socket","started":"2025-..."}
 * {"t":0,"conn":"c1","type":"connect","path":"/socket/websocket","params":{"vsn":"2.0.0","token":"[redacted]"},...}
 * {"t":4,"conn":"c1","type":"accepted","subprotocol":null}
 * {"t":6,"conn":"c1","type":"frame","from":"client","text":"[\"1\",\"1\",\"room:1\",\"phx_join\",{}]"}
 * {"t":7,"conn":"c1","type":"frame","from":"server","binary":"AAEB..."}
 * {"t":9,"conn":"c1","type":"close","from":"client","code":1000,"reason":""}
 * }</pre>
 *
 * {@code t} is milliseconds since the recording started. Types: {@code connect} (what the client asked for, secrets
 * redacted), {@code accepted} or {@code refused} (the upstream's answer), {@code frame} (from {@code client} or
 * {@code server}: {@code text}, or {@code binary} in base64), {@code close} (a close frame, with its code and reason),
 * {@code dropped} (a side went away without a close frame), {@code error}. An entry with secrets hidden lists them in
 * {@code redacted}. Thread-safe: both directions of every connection append to it.
 */
final class SessionLog {
    static final String FORMAT = "slipstream-session/1";
    static final ObjectMapper JSON = new ObjectMapper();

    private final long startNanos = System.nanoTime();
    private final Instant started = Instant.now();
    private final String upstream;
    private final List<ObjectNode> entries = new ArrayList<>();
    private final Secrets secrets = new Secrets();

    SessionLog(String upstream) {
        this.upstream = upstream;
    }

    Secrets secrets() {
        return secrets;
    }

    /** A new entry stamped with the time; fill it in, then {@link #add} it. */
    ObjectNode entry(String conn, String type) {
        ObjectNode e = JSON.createObjectNode();
        e.put("t", (System.nanoTime() - startNanos) / 1_000_000);
        e.put("conn", conn);
        e.put("type", type);
        return e;
    }

    void add(ObjectNode entry) {
        synchronized (entries) {
            entries.add(entry);
        }
    }

    void frame(String conn, String from, String text, List<String> redacted) {
        ObjectNode e = entry(conn, "frame");
        e.put("from", from);
        e.put("text", text);
        redactedList(e, redacted);
        add(e);
    }

    void frame(String conn, String from, byte[] binary) {
        ObjectNode e = entry(conn, "frame");
        e.put("from", from);
        e.put("binary", Base64.getEncoder().encodeToString(binary));
        add(e);
    }

    void close(String conn, String type, String from, int code, String reason) {
        ObjectNode e = entry(conn, type);
        e.put("from", from);
        if (type.equals("close")) {
            e.put("code", code);
            e.put("reason", reason);
        }
        add(e);
    }

    static void redactedList(ObjectNode entry, List<String> redacted) {
        if (!redacted.isEmpty()) {
            ArrayNode list = entry.putArray("redacted");
            redacted.forEach(list::add);
        }
    }

    /** The first line of the file. */
    ObjectNode header() {
        ObjectNode h = JSON.createObjectNode();
        h.put("type", "session");
        h.put("format", FORMAT);
        h.put("upstream", upstream);
        h.put("started", started.toString());
        return h;
    }

    /** Every line, the header first, in the order they happened, with every secret seen hidden. */
    List<JsonNode> lines() {
        List<JsonNode> lines = new ArrayList<>();
        lines.add(header());
        synchronized (entries) {
            for (ObjectNode e : entries) {
                lines.add(scrubbed(e.deepCopy()));
            }
        }
        return lines;
    }

    private JsonNode scrubbed(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                o.set(name, v.isTextual() ? JSON.getNodeFactory().textNode(secrets.scrub(v.asText())) : scrubbed(v));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                a.set(i, v.isTextual() ? JSON.getNodeFactory().textNode(secrets.scrub(v.asText())) : scrubbed(v));
            }
        }
        return node;
    }

    int frames() {
        synchronized (entries) {
            return (int) entries.stream().filter(e -> e.get("type").asText().equals("frame")).count();
        }
    }

    static void write(List<JsonNode> lines, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (JsonNode line : lines) {
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
            }
        }
    }

    /** Reads a session file written by {@link #write}. */
    static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new IOException(file + ":" + n + ": not a JSON object: " + e.getMessage(), e);
            }
        }
        return lines;
    }
}
