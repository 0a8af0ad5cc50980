package dev.slipstream.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Payload;
import java.io.PrintStream;
import java.util.Base64;

/** The output of {@code cat}: one compact JSON object per line, each with a {@code type}, flushed at once. */
final class JsonLines {
    private final PrintStream out;

    JsonLines(PrintStream out) {
        this.out = out;
    }

    /** A new line object of {@code type}; fill it and {@link #print} it. */
    static ObjectNode line(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }

    /** JSON payloads as they are; binary ones as {@code {"binary":"<base64>"}}. */
    static JsonNode payload(Payload payload) {
        if (payload instanceof Payload.Binary b) {
            return JsonNodeFactory.instance.objectNode().put("binary", Base64.getEncoder().encodeToString(b.toByteArray()));
        }
        if (payload instanceof Payload.Reply r) {
            return payload(r.response());
        }
        return payload.asJson().json();
    }

    // Callers print from the client's callbacks (one at a time) and from the main thread; the lock keeps lines whole.
    synchronized void print(ObjectNode line) {
        out.println(JsonCodec.write(line));
        out.flush();
    }
}
