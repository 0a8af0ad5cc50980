package dev.slipstream.testing.script;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.Payload;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a scripted assertion expects of a payload (join params, a push's payload): equal JSON, some keys only, a
 * predicate, an AssertJ-style consumer, or exact bytes for binary payloads. Static-import the factories:
 *
 * <pre>{@code
 * import static dev.slipstream.testing.script.PayloadMatcher.*;
 *
 * server.assertPush("room:lobby", "new_msg", json(Map.of("body", "hi")));        // equal JSON
 * server.assertPush("room:lobby", "new_msg", json("{\"body\":\"hi\"}"));         // from JSON text
 * server.assertPush("room:lobby", "new_msg", json(new NewMessage("hi")));        // from a record, via Jackson
 * server.assertPush("room:lobby", "new_msg", partial(Map.of("body", "hi")));     // only the keys given
 * server.assertPush("room:lobby", "new_msg", matching("long body", p -> p.get("body").asText().length() > 10));
 * server.assertPush("room:lobby", "new_msg",
 *     satisfying(p -> assertThat(p.get("body").asText()).startsWith("hi")));     // any assertion library
 * server.assertPush("room:lobby", "upload", bytes(new byte[] {1, 2, 3}));       // binary payloads
 * }</pre>
 *
 * <p>Numbers compare by value ({@code 1} matches {@code 1.0}). Keys are compared regardless of order. The assert
 * methods also take a plain value (a map, JSON text, a record) and treat it as {@link #json(Object)}.
 *
 * <p>Implementations must be thread-safe and free of side effects: a matcher may be called many times while an
 * assertion waits, once for every frame that arrives.
 */
public interface PayloadMatcher {

    /**
     * Whether {@code payload} matches. Never throws for a payload of the wrong kind (binary instead of JSON): it
     * does not match.
     */
    boolean matches(Payload payload);

    /** What this matcher expects, for failure messages, e.g. {@code equal to {"body":"hi"}}. */
    String description();

    /**
     * Why {@code payload} does not match, as precisely as possible (the JSON pointer of the first difference, the
     * assertion message of a consumer); only called for payloads that do not match.
     */
    default String mismatch(Payload payload) {
        return "payload was " + JsonSupport.inline(payload);
    }

    /**
     * The expected payload as text for an IDE diff against the actual payload (pretty JSON with sorted keys when the
     * matcher knows the whole expected value; its description otherwise).
     */
    default String expectedText() {
        return description();
    }

    /** Matches every payload. */
    static PayloadMatcher any() {
        return Matchers.ANY;
    }

    /**
     * Equal JSON. {@code expected} may be a {@link java.util.Map} or {@link java.util.List}, JSON text in a
     * {@link String}, a record or POJO (converted by Jackson's default bean mapping), a {@link JsonNode} or a
     * {@link Payload}. A {@code byte[]} means {@link #bytes(byte[])}.
     *
     * @throws IllegalArgumentException if a {@code String} is not JSON text, or Jackson cannot convert the value
     */
    static PayloadMatcher json(Object expected) {
        if (expected instanceof PayloadMatcher m) {
            return m;
        }
        Payload payload = JsonSupport.toPayload(expected, "expected payload");
        if (payload instanceof Payload.Binary b) {
            return new Matchers.BytesMatcher(b);
        }
        return new Matchers.JsonMatcher(payload.asJson().json(), false);
    }

    /**
     * A partial match: every key given must be present with an equal value, recursively; other keys are ignored (as
     * in an Elixir map pattern). Arrays must have the same length and match element by element.
     *
     * @throws IllegalArgumentException if {@code expected} cannot be turned into JSON (see {@link #json(Object)})
     */
    static PayloadMatcher partial(Object expected) {
        return new Matchers.JsonMatcher(JsonSupport.toJson(expected, "expected partial payload"), true);
    }

    /**
     * A predicate over the JSON payload, with a description for failure messages. A predicate that throws counts as
     * not matching, and its exception is shown in the failure message.
     */
    static PayloadMatcher matching(String description, Predicate<? super JsonNode> predicate) {
        return new Matchers.PredicateMatcher(
                Objects.requireNonNull(description, "description"), Objects.requireNonNull(predicate, "predicate"));
    }

    /**
     * An assertion over the JSON payload in any assertion library: the payload matches when {@code assertions}
     * returns normally, and the {@link AssertionError} (or exception) it throws for the closest frame is the
     * failure message.
     *
     * <pre>{@code
     * server.assertPush("room:lobby", "new_msg",
     *     satisfying(p -> assertThat(p.get("body").asText()).startsWith("hi")));
     * }</pre>
     */
    static PayloadMatcher satisfying(Consumer<? super JsonNode> assertions) {
        return new Matchers.ConsumerMatcher(Objects.requireNonNull(assertions, "assertions"));
    }

    /** A binary payload with exactly these bytes (copied now). */
    static PayloadMatcher bytes(byte[] expected) {
        return new Matchers.BytesMatcher(Payload.binary(Objects.requireNonNull(expected, "expected")));
    }
}
