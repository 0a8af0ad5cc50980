package dev.slipstream.protocol;

/**
 * A JSON syntax check over text that builds nothing: the fast path in front of Jackson for the frames and payloads
 * of every message. It answers "a valid value ends here" or {@link #UNSURE}, never "invalid": it accepts only plain
 * RFC 8259 JSON well inside Jackson's limits (nesting, number and name lengths) and gives up on anything else, so
 * the caller then asks Jackson, which accepts or rejects with its own error. Whatever this accepts, the codec's
 * Jackson configuration accepts too, with the same value boundaries; the tests check that on every vector and on
 * random and mutated input.
 *
 * <pre>{@code
 * int end = JsonScan.value(text, start, 0);   // index just past the value, or UNSURE
 * boolean one = JsonScan.isOneValue(text);    // the whole text is exactly one value (whitespace around allowed)
 * }</pre>
 */
final class JsonScan {
    /** The scan gave up: the input may be invalid, or valid but outside what the fast path handles. */
    static final int UNSURE = -1;

    /** Jackson's limit is 1000 (JsonCodec); deeper values go to Jackson. */
    private static final int MAX_DEPTH = 200;
    /** Jackson's default limit is 1000 characters per number. */
    private static final int MAX_NUMBER_CHARS = 100;
    /** Jackson's default limit is 50,000 characters per property name. */
    private static final int MAX_NAME_CHARS = 1_000;

    private JsonScan() {}

    /** Whether {@code s} is exactly one JSON value, with optional whitespace around it. */
    static boolean isOneValue(String s) {
        int end = value(s, skipWhitespace(s, 0), 0);
        return end != UNSURE && skipWhitespace(s, end) == s.length();
    }

    /** The first index at or after {@code i} that is not JSON whitespace (space, tab, line feed, carriage return). */
    static int skipWhitespace(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * The index just past the JSON value that starts exactly at {@code i}, or {@link #UNSURE}.
     *
     * @param depth the nesting depth of the value's container (0 at the top)
     */
    static int value(String s, int i, int depth) {
        if (i >= s.length()) {
            return UNSURE;
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object(s, i, depth + 1);
            case '[':
                return array(s, i, depth + 1);
            case '"':
                return string(s, i, Integer.MAX_VALUE);
            case 't':
                return s.startsWith("true", i) ? i + 4 : UNSURE;
            case 'f':
                return s.startsWith("false", i) ? i + 5 : UNSURE;
            case 'n':
                return s.startsWith("null", i) ? i + 4 : UNSURE;
            default:
                return c == '-' || (c >= '0' && c <= '9') ? number(s, i) : UNSURE;
        }
    }

    /**
     * The index just past the string literal starting at {@code i} (its opening quote), or {@link #UNSURE} for an
     * unescaped control character, a bad escape, no closing quote, or more than {@code maxChars} characters between
     * the quotes.
     */
    static int string(String s, int i, int maxChars) {
        int n = s.length();
        int start = ++i;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                return i - start > maxChars ? UNSURE : i + 1;
            }
            if (c < 0x20) {
                return UNSURE;
            }
            if (c == '\\') {
                if (++i >= n) {
                    return UNSURE;
                }
                switch (s.charAt(i)) {
                    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                        break;
                    case 'u':
                        if (i + 4 >= n || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2)) || !hex(s.charAt(i + 3))
                                || !hex(s.charAt(i + 4))) {
                            return UNSURE;
                        }
                        i += 4;
                        break;
                    default:
                        return UNSURE;
                }
            }
            i++;
        }
        return UNSURE;
    }

    /**
     * The index just past a string literal at {@code i} that holds no escape, or {@link #UNSURE}: such a string's
     * value is exactly the text between its quotes.
     */
    static int plainString(String s, int i) {
        if (i >= s.length() || s.charAt(i) != '"') {
            return UNSURE;
        }
        int n = s.length();
        for (int k = i + 1; k < n; k++) {
            char c = s.charAt(k);
            if (c == '"') {
                return k + 1;
            }
            if (c < 0x20 || c == '\\') {
                return UNSURE;
            }
        }
        return UNSURE;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int number(String s, int i) {
        int n = s.length();
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i >= n) {
            return UNSURE;
        }
        char c = s.charAt(i);
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            i = digits(s, i);
        } else {
            return UNSURE;
        }
        if (i < n && s.charAt(i) == '.') {
            int afterDot = ++i;
            i = digits(s, i);
            if (i == afterDot) {
                return UNSURE;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expStart = i;
            i = digits(s, i);
            if (i == expStart) {
                return UNSURE;
            }
        }
        return i - start > MAX_NUMBER_CHARS ? UNSURE : i;
    }

    private static int digits(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int array(String s, int i, int depth) {
        if (depth > MAX_DEPTH) {
            return UNSURE;
        }
        int n = s.length();
        i = skipWhitespace(s, i + 1);
        if (i < n && s.charAt(i) == ']') {
            return i + 1;
        }
        while (true) {
            i = value(s, i, depth);
            if (i == UNSURE) {
                return UNSURE;
            }
            i = skipWhitespace(s, i);
            if (i >= n) {
                return UNSURE;
            }
            char c = s.charAt(i);
            if (c == ']') {
                return i + 1;
            }
            if (c != ',') {
                return UNSURE;
            }
            i = skipWhitespace(s, i + 1);
        }
    }

    private static int object(String s, int i, int depth) {
        if (depth > MAX_DEPTH) {
            return UNSURE;
        }
        int n = s.length();
        i = skipWhitespace(s, i + 1);
        if (i < n && s.charAt(i) == '}') {
            return i + 1;
        }
        while (true) {
            if (i >= n || s.charAt(i) != '"') {
                return UNSURE;
            }
            i = string(s, i, MAX_NAME_CHARS);
            if (i == UNSURE) {
                return UNSURE;
            }
            i = skipWhitespace(s, i);
            if (i >= n || s.charAt(i) != ':') {
                return UNSURE;
            }
            i = value(s, skipWhitespace(s, i + 1), depth);
            if (i == UNSURE) {
                return UNSURE;
            }
            i = skipWhitespace(s, i);
            if (i >= n) {
                return UNSURE;
            }
            char c = s.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c != ',') {
                return UNSURE;
            }
            i = skipWhitespace(s, i + 1);
        }
    }
}
