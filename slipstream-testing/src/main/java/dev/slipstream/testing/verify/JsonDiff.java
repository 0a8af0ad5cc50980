package dev.slipstream.testing.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every difference between two JSON values, as JSON paths ({@code $.user.name}, {@code $.items[2]}): a field with
 * another value, a field missing on either side, an array of another length. Paths named volatile are skipped with
 * everything under them; a volatile path may use {@code *} for any one field name or array index
 * ({@code $.messages[*].id}). Numbers compare by value ({@code 1} equals {@code 1.0}).
 */
final class JsonDiff {
    /** One difference; {@code expected} or {@code actual} is null when that side has no value at the path. */
    record Difference(String path, JsonNode expected, JsonNode actual) {
    }

    private final List<String[]> volatilePaths = new ArrayList<>();

    JsonDiff(List<String> volatilePaths) {
        for (String p : volatilePaths) {
            this.volatilePaths.add(segments(p));
        }
    }

    List<Difference> diff(JsonNode expected, JsonNode actual) {
        List<Difference> out = new ArrayList<>();
        walk("$", expected, actual, out);
        return out;
    }

    private void walk(String path, JsonNode expected, JsonNode actual, List<Difference> out) {
        if (isVolatile(path)) {
            return;
        }
        if (expected == null || actual == null || expected.isMissingNode() || actual.isMissingNode()) {
            if (!(absent(expected) && absent(actual))) {
                out.add(new Difference(path, absent(expected) ? null : expected, absent(actual) ? null : actual));
            }
            return;
        }
        if (expected.isObject() && actual.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                walk(path + "." + name, expected.get(name), actual.get(name), out);
            }
        } else if (expected.isArray() && actual.isArray()) {
            int n = Math.max(expected.size(), actual.size());
            for (int i = 0; i < n; i++) {
                walk(path + "[" + i + "]", expected.get(i), actual.get(i), out);
            }
        } else if (expected.isNumber() && actual.isNumber()) {
            if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                out.add(new Difference(path, expected, actual));
            }
        } else if (!expected.equals(actual)) {
            out.add(new Difference(path, expected, actual));
        }
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isMissingNode();
    }

    private boolean isVolatile(String path) {
        String[] at = segments(path);
        for (String[] v : volatilePaths) {
            if (v.length <= at.length && prefixMatches(v, at)) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixMatches(String[] pattern, String[] path) {
        for (int i = 0; i < pattern.length; i++) {
            if (!pattern[i].equals("*") && !pattern[i].equals(path[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code $.a.b[2].c} as {@code [a, b, 2, c]}; a leading {@code $} is optional. */
    static String[] segments(String path) {
        String p = path.startsWith("$") ? path.substring(1) : path;
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = List.of(p.replace("[", ".").replace("]", "").split("\\.")).iterator();
                it.hasNext(); ) {
            String s = it.next();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out.toArray(String[]::new);
    }
}
