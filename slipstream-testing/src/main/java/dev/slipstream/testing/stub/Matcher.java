package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One field's condition, in the spirit of WireMock's: {@code {"equalTo": v}}, {@code {"matches": "regex"}} (the whole
 * text), {@code {"contains": "s"}}, {@code {"absent": true}}; a bare JSON value other than an object means
 * {@code equalTo} (an object is compared with {@code equalTo}). Text
 * conditions read strings as they are and other values as their JSON text.
 */
abstract class Matcher {
    static final List<String> KINDS = List.of("equalTo", "matches", "contains", "absent");

    /** Whether {@code value} (null when the field is missing) passes. */
    abstract boolean test(JsonNode value);

    /**
     * A value that passes, for building a request from the rule (the drift check does): {@code equalTo}'s value, a
     * missing node for {@code absent: true} (leave the field out), or null when no one value can be named.
     */
    JsonNode example() {
        return null;
    }

    static Matcher parse(JsonNode spec, Where where) {
        if (!spec.isObject()) {
            return equalTo(spec);
        }
        if (spec.size() != 1 || !KINDS.contains(spec.fieldNames().next())) {
            throw where.error("a matcher object has exactly one of " + KINDS + " (to compare an object, use equalTo), got "
                    + spec);
        }
        String kind = spec.fieldNames().next();
        JsonNode arg = spec.get(kind);
        Where at = where.field(kind);
        switch (kind) {
            case "equalTo":
                return equalTo(arg);
            case "matches":
                if (!arg.isTextual()) {
                    throw at.error("a regular expression must be a string");
                }
                try {
                    Pattern p = Pattern.compile(arg.asText());
                    return text(v -> p.matcher(v).matches());
                } catch (PatternSyntaxException e) {
                    throw at.error("bad regular expression: " + e.getDescription() + " near index " + e.getIndex());
                }
            case "contains":
                if (!arg.isTextual()) {
                    throw at.error("contains takes a string");
                }
                String part = arg.asText();
                return text(v -> v.contains(part));
            default: // absent
                if (!arg.isBoolean()) {
                    throw at.error("absent takes true or false");
                }
                boolean absent = arg.asBoolean();
                return new Matcher() {
                    @Override
                    boolean test(JsonNode value) {
                        return (value == null || value.isMissingNode()) == absent;
                    }

                    @Override
                    JsonNode example() {
                        return absent ? MissingNode.getInstance() : null;
                    }
                };
        }
    }

    private static Matcher equalTo(JsonNode expected) {
        return new Matcher() {
            @Override
            boolean test(JsonNode value) {
                return value != null && (value.equals(expected)
                        || (value.isNumber() && expected.isNumber() && value.decimalValue().compareTo(expected.decimalValue()) == 0));
            }

            @Override
            JsonNode example() {
                return expected;
            }
        };
    }

    private interface TextTest {
        boolean test(String text);
    }

    private static Matcher text(TextTest t) {
        return new Matcher() {
            @Override
            boolean test(JsonNode value) {
                if (value == null || value.isMissingNode() || value.isNull()) {
                    return false;
                }
                return t.test(value.isTextual() ? value.asText() : value.toString());
            }
        };
    }
}
