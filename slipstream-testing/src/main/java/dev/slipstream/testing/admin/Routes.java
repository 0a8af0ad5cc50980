package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The admin API's route table: a method and a path template such as {@code /connections/{id}/push} (relative to
 * {@code /__admin}) per handler. Unknown paths are 404 and known paths with another method 405, both naming what
 * exists, so a typo in a test's URL says what was meant.
 */
final class Routes {

    /** A request as the handlers see it: path parameters decoded, query parameters, the whole body. */
    record Call(String method, Map<String, String> path, Map<String, Deque<String>> query, byte[] body) {
        String param(String name) {
            return Objects.requireNonNull(path.get(name), name);
        }

        /** The last value of a query parameter, or null. */
        String query(String name) {
            Deque<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.getLast();
        }
    }

    /** A successful answer: status and JSON body. */
    record Answer(int status, JsonNode body) {
        static Answer ok(JsonNode body) {
            return new Answer(200, body);
        }
    }

    /** Handles one route; throws {@link AdminError} to refuse. */
    @FunctionalInterface
    interface Handler {
        Answer handle(Call call);
    }

    private record Route(String method, String template, String[] segments, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    Routes add(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), handler));
        return this;
    }

    /** Finds the route for {@code rawPath} (still percent-encoded, relative to the prefix) and runs it. */
    Answer dispatch(String method, String rawPath, Map<String, Deque<String>> query, byte[] body) {
        String[] segments = split(rawPath);
        TreeSet<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = match(r.segments, segments);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method)) {
                return r.handler.handle(new Call(method, params, query, body));
            }
            allowed.add(r.method);
        }
        if (!allowed.isEmpty()) {
            throw new AdminError(405, "/__admin" + rawPath + " takes " + String.join(", ", allowed) + ", not " + method);
        }
        throw AdminError.notFound("no admin route " + method + " /__admin" + rawPath + "; the routes are: "
                + String.join(", ", list()));
    }

    /** Every route, as {@code METHOD /__admin/template}. */
    List<String> list() {
        List<String> all = new ArrayList<>();
        for (Route r : routes) {
            all.add(r.method + " /__admin" + r.template);
        }
        return all;
    }

    private static Map<String, String> match(String[] template, String[] actual) {
        if (template.length != actual.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                String value = decode(actual[i]);
                if (value.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), value);
            } else if (!t.equals(actual[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    /** Percent-decodes one path segment; unlike a query string, a {@code +} in a path is a plus. */
    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest("bad percent-encoding in the path segment \"" + segment + "\"");
        }
    }
}
