package dev.slipstream.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Writes JSON exactly as a Phoenix server does (Jason encoding the Erlang terms that Jason decoded), so the fake's
 * frames match a real server's byte for byte. Not part of the API.
 *
 * <ul>
 * <li>Compact, whatever whitespace the client sent.</li>
 * <li>Objects of up to 32 keys (Erlang "flatmaps") come out with their keys in Erlang term order: keys decoded from
 *     client JSON are binaries, compared by their UTF-8 bytes; keys Phoenix puts into maps itself are atoms, which sort
 *     before binaries. The only atom keys that share a map with application keys are Presence's {@code phx_ref} and
 *     {@code phx_ref_prev} (a real server sends {@code {"phx_ref":...,"online_at":...}}), so those two come first.
 *     Larger maps come out in hash order, which nobody can predict; they keep their order here.</li>
 * <li>Strings escape only {@code "}, {@code \} and control characters ({@code \b \t \n \f \r}, else
 *     {@code \}{@code u00XX} in upper case), as Jason's default {@code :json} escape does; {@code /} and non-ASCII
 *     characters are written as they are.</li>
 * <li>Floats as Erlang's {@code io_lib_format:fwrite_g/1}: the shortest digits that read back to the same double,
 *     in plain notation unless scientific notation is shorter (always scientific from 2^53 up), e.g. {@code 100.0},
 *     {@code 1.0e21}, {@code 1.5e-7}, {@code 0.001}.</li>
 * </ul>
 *
 * <pre>{@code
 * String text = PhoenixJson.write(JsonCodec.parse("{ \"b\": 1, \"a\": 1E2 }")); // {"a":100.0,"b":1}
 * }</pre>
 */
public final class PhoenixJson {
    /** Erlang's {@code MAP_SMALL_MAP_LIMIT}. */
    static final int FLATMAP_LIMIT = 32;
    private static final double TWO_POW_53 = 9007199254740992.0;

    private PhoenixJson() {}

    /** {@code node} as Phoenix would write it. */
    public static String write(JsonNode node) {
        StringBuilder out = new StringBuilder(64);
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT:
                List<String> keys = new ArrayList<>(node.size());
                node.fieldNames().forEachRemaining(keys::add);
                if (keys.size() <= FLATMAP_LIMIT) {
                    keys.sort(PhoenixJson::compareKeys);
                }
                out.append('{');
                for (int i = 0; i < keys.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(keys.get(i), out);
                    out.append(':');
                    write(node.get(keys.get(i)), out);
                }
                out.append('}');
                return;
            case ARRAY:
                out.append('[');
                for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                    write(it.next(), out);
                    if (it.hasNext()) {
                        out.append(',');
                    }
                }
                out.append(']');
                return;
            case STRING:
                string(node.textValue(), out);
                return;
            case NUMBER:
                if (node.isIntegralNumber()) {
                    out.append(node.bigIntegerValue());
                } else {
                    out.append(erlangFloat(node.doubleValue()));
                }
                return;
            case BOOLEAN:
                out.append(node.booleanValue());
                return;
            case NULL:
                out.append("null");
                return;
            default:
                throw new IllegalArgumentException("cannot write " + node.getNodeType() + " as JSON: " + node);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\b': out.append("\\b"); break;
                case '\t': out.append("\\t"); break;
                case '\n': out.append("\\n"); break;
                case '\f': out.append("\\f"); break;
                case '\r': out.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                                .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** A double as Erlang's {@code io_lib_format:fwrite_g/1} prints it (what Jason uses for floats). */
    static String erlangFloat(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d + " (Jason cannot decode or encode it)");
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortestDigits(Math.abs(d)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int place = -shortest.scale();
        int length = digits.length();
        int exp = place + length - 1;
        String expText = Integer.toString(exp);
        int expCost = expText.length() + 2;
        String text;
        if (place < 0) {
            if (exp >= 0) {
                text = digits.substring(0, length + place) + "." + digits.substring(length + place);
            } else if (2 - place - length <= expCost) {
                text = "0." + "0".repeat(-place - length) + digits;
            } else {
                text = scientific(digits, expText);
            }
        } else {
            int dot = length == 1 ? 1 : 0;
            if (expCost + dot >= place + 2 && Math.abs(d) < TWO_POW_53) {
                text = digits + "0".repeat(place) + ".0";
            } else {
                text = scientific(digits, expText);
            }
        }
        return d < 0 ? "-" + text : text;
    }

    private static String scientific(String digits, String expText) {
        return digits.length() == 1
                ? digits + ".0e" + expText
                : digits.charAt(0) + "." + digits.substring(1) + "e" + expText;
    }

    /** The decimal with the fewest significant digits that reads back as {@code d} (the closest such). */
    private static BigDecimal shortestDigits(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate;
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }

    static int compareKeys(String a, String b) {
        boolean atomA = isAtom(a);
        boolean atomB = isAtom(b);
        if (atomA != atomB) {
            return atomA ? -1 : 1;
        }
        return compareUtf8(a, b);
    }

    private static boolean isAtom(String key) {
        return key.equals("phx_ref") || key.equals("phx_ref_prev");
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
