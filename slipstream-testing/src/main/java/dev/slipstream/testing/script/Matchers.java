package dev.slipstream.testing.script;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.Payload;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The {@link PayloadMatcher} implementations behind its factories. */
final class Matchers {
    static final PayloadMatcher ANY = new PayloadMatcher() {
        @Override
        public boolean matches(Payload payload) {
            return true;
        }

        @Override
        public String description() {
            return "any payload";
        }

        @Override
        public String toString() {
            return description();
        }
    };

    private Matchers() {}

    /** Equal (or partially equal) JSON. */
    static final class JsonMatcher implements PayloadMatcher {
        private final JsonNode expected;
        private final boolean partial;

        JsonMatcher(JsonNode expected, boolean partial) {
            this.expected = expected;
            this.partial = partial;
        }

        @Override
        public boolean matches(Payload payload) {
            return payload instanceof Payload.Json json
                    && JsonSupport.firstDifference(expected, json.json(), "", partial) == null;
        }

        @Override
        public String description() {
            return (partial ? "containing " : "equal to ") + JsonSupport.abbreviate(JsonSupport.compact(expected), 400);
        }

        @Override
        public String mismatch(Payload payload) {
            if (!(payload instanceof Payload.Json json)) {
                return "payload is binary, not JSON: " + JsonSupport.inline(payload);
            }
            String d = JsonSupport.firstDifference(expected, json.json(), "", partial);
            return d == null ? "payload matches" : d;
        }

        @Override
        public String expectedText() {
            return JsonSupport.pretty(expected);
        }

        @Override
        public String toString() {
            return description();
        }
    }

    /** A predicate over the JSON tree. */
    static final class PredicateMatcher implements PayloadMatcher {
        private final String description;
        private final Predicate<? super JsonNode> predicate;

        PredicateMatcher(String description, Predicate<? super JsonNode> predicate) {
            this.description = description;
            this.predicate = predicate;
        }

        @Override
        public boolean matches(Payload payload) {
            if (!(payload instanceof Payload.Json json)) {
                return false;
            }
            try {
                return predicate.test(json.json());
            } catch (RuntimeException | AssertionError e) {
                return false;
            }
        }

        @Override
        public String description() {
            return "matching \"" + description + "\"";
        }

        @Override
        public String mismatch(Payload payload) {
            if (!(payload instanceof Payload.Json json)) {
                return "payload is binary, not JSON: " + JsonSupport.inline(payload);
            }
            try {
                predicate.test(json.json());
                return "\"" + description + "\" is false for " + JsonSupport.inline(payload);
            } catch (RuntimeException | AssertionError e) {
                return "\"" + description + "\" threw " + e + " for " + JsonSupport.inline(payload);
            }
        }

        @Override
        public String toString() {
            return description();
        }
    }

    /** An assertion block over the JSON tree: matches when it returns normally. */
    static final class ConsumerMatcher implements PayloadMatcher {
        private final Consumer<? super JsonNode> assertions;

        ConsumerMatcher(Consumer<? super JsonNode> assertions) {
            this.assertions = assertions;
        }

        @Override
        public boolean matches(Payload payload) {
            return failure(payload) == null;
        }

        private Throwable failure(Payload payload) {
            if (!(payload instanceof Payload.Json json)) {
                return new AssertionError("payload is binary, not JSON: " + JsonSupport.inline(payload));
            }
            try {
                assertions.accept(json.json());
                return null;
            } catch (RuntimeException | AssertionError e) {
                return e;
            }
        }

        @Override
        public String description() {
            return "satisfying the given assertions";
        }

        @Override
        public String mismatch(Payload payload) {
            Throwable t = failure(payload);
            if (t == null) {
                return "payload matches";
            }
            String message = t instanceof AssertionError && t.getMessage() != null ? t.getMessage().strip() : t.toString();
            return "the assertions failed: " + message.replace("\n", "\n    ");
        }

        @Override
        public String toString() {
            return description();
        }
    }

    /** Exact bytes of a binary payload. */
    static final class BytesMatcher implements PayloadMatcher {
        private final Payload.Binary expected;

        BytesMatcher(Payload.Binary expected) {
            this.expected = expected;
        }

        @Override
        public boolean matches(Payload payload) {
            return expected.equals(payload);
        }

        @Override
        public String description() {
            return "equal to " + JsonSupport.binary(expected);
        }

        @Override
        public String mismatch(Payload payload) {
            if (!(payload instanceof Payload.Binary actual)) {
                return "payload is JSON, not binary: " + JsonSupport.inline(payload);
            }
            byte[] a = actual.toByteArray();
            byte[] e = expected.toByteArray();
            int n = Math.min(a.length, e.length);
            for (int i = 0; i < n; i++) {
                if (a[i] != e[i]) {
                    return String.format("bytes differ at index %d: expected %02x but was %02x (%s)",
                            i, e[i] & 0xff, a[i] & 0xff, JsonSupport.binary(actual));
                }
            }
            return "expected " + e.length + " bytes but got " + a.length + ": " + JsonSupport.binary(actual);
        }

        @Override
        public String expectedText() {
            return JsonSupport.binary(expected);
        }

        @Override
        public String toString() {
            return description();
        }
    }
}
