package dev.slipstream.testing;

import dev.slipstream.protocol.Payload;
import java.util.Objects;

/**
 * A reply to a client message: a status ({@code "ok"} or {@code "error"}) and a response, JSON or binary. On the wire
 * it becomes {@code [join_ref, ref, topic, "phx_reply", {"response": ..., "status": ...}]}, or a binary reply frame
 * when the response is binary (V2 only).
 *
 * <p>Responses are converted as described in {@link Payloads}: a {@link Payload}, {@code byte[]} or
 * {@code ByteBuffer} (binary), a Jackson {@code JsonNode}, or any map, record or list (through Jackson).
 *
 * <pre>{@code
 * Reply.ok();                                  // {"response":{},"status":"ok"}
 * Reply.ok(Map.of("n", 1));                    // {"response":{"n":1},"status":"ok"}
 * Reply.error(Map.of("reason", "forbidden"));
 * Reply.ok(new byte[] {1, 2, 3});              // a binary reply frame
 * }</pre>
 */
public final class Reply {
    private final String status;
    private final Payload response;

    private Reply(String status, Payload response) {
        this.status = Objects.requireNonNull(status, "status");
        this.response = response;
    }

    /** {@code ok} with the response {@code {}} (Phoenix's {@code {:reply, :ok, socket}}). */
    public static Reply ok() {
        return new Reply("ok", Payload.empty());
    }

    /** {@code ok} with a response. */
    public static Reply ok(Object response) {
        return new Reply("ok", Payloads.of(response, "reply response"));
    }

    /** {@code error} with a response, usually a map such as {@code {"reason": "..."}}. */
    public static Reply error(Object response) {
        return new Reply("error", Payloads.of(response, "reply response"));
    }

    /** Any status with a response. */
    public static Reply of(String status, Object response) {
        if (status == null || status.isEmpty()) {
            throw new IllegalArgumentException("reply status must be a non-empty string, got " + status);
        }
        return new Reply(status, Payloads.of(response, "reply response"));
    }

    /** The status. */
    public String status() {
        return status;
    }

    /** The response, JSON or binary. */
    public Payload response() {
        return response;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reply r && r.status.equals(status) && r.response.equals(response);
    }

    @Override
    public int hashCode() {
        return status.hashCode() * 31 + response.hashCode();
    }

    @Override
    public String toString() {
        return "Reply{status=" + status + ", response=" + response + "}";
    }
}
