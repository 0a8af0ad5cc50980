package dev.slipstream.testing.internal.recording;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One thing a recorded client asked and what the backend answered. Not API.
 *
 * <pre>{@code
 * if (exchange instanceof Exchange.Join j) { j.topic(); j.status(); j.response(); j.after(); }
 * }</pre>
 */
public sealed interface Exchange permits Exchange.Connect, Exchange.Join, Exchange.Push {

    /** The connection it happened on ({@code c1}, {@code c2}, ... in the session). */
    String conn();

    /** Milliseconds since the recording started. */
    long t();

    /** A connect: its params as written (secrets are {@code "[redacted]"}) and 101 (accepted) or the HTTP status. */
    record Connect(String conn, long t, Map<String, String> params, int status) implements Exchange {
    }

    /** A join and its reply ({@code status} null when none came), then what the server pushed on the topic. */
    record Join(String conn, long t, String topic, JsonNode params, String status, JsonNode response,
            List<After> after) implements Exchange {
    }

    /**
     * A push and its reply ({@code status} null when none came), then what the server pushed on the topic. Binary
     * payloads and responses are {@code {"binary": "<base64>"}} with {@code binary} true.
     */
    record Push(String conn, long t, String topic, String event, JsonNode payload, boolean binary, String status,
            JsonNode response, List<After> after) implements Exchange {
    }

    /**
     * A server push or broadcast on the topic, {@code delayMs} after the client's message; {@code beforeReply} when it
     * reached the client before the reply to that message (a push inside Phoenix's {@code handle_in}).
     */
    record After(String event, JsonNode payload, long delayMs, boolean beforeReply) {
    }
}
