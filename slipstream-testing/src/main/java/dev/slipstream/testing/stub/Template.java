package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON value whose strings may hold {@code {{...}}} placeholders, filled from the request: {@code payload.x.y} (the
 * event's payload), {@code params.x} (the join's params), {@code connect.params.x} (the socket's connect params),
 * {@code topic}, {@code event}, {@code counter} (how many times the rule has answered, from 1). A string that is exactly
 * one placeholder takes the JSON value itself (a number stays a number); a missing value is JSON null there and empty
 * text inside a longer string.
 */
final class Template {
    static final List<String> ROOTS = List.of("payload", "params", "connect.params", "topic", "event", "counter");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    private final JsonNode value;

    private Template(JsonNode value) {
        this.value = value;
    }

    /** Checks every placeholder now, so a bad one fails at load naming its path. */
    static Template parse(JsonNode value, Where where) {
        check(value, where);
        return new Template(value == null ? JsonNodeFactory.instance.objectNode() : value.deepCopy());
    }

    JsonNode render(Map<String, JsonNode> context) {
        return fill(value, context);
    }

    private static void check(JsonNode node, Where where) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.asText());
            while (m.find()) {
                String name = m.group(1);
                if (root(name) == null) {
                    throw where.error("bad template {{" + name + "}}: it must start with one of " + ROOTS);
                }
            }
            if (node.asText().replaceAll(PLACEHOLDER.pattern(), "").contains("{{")) {
                throw where.error("bad template: unclosed {{ in \"" + node.asText() + "\"");
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> check(e.getValue(), where.field(e.getKey())));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), where.index(i));
            }
        }
    }

    private static String root(String name) {
        for (String r : ROOTS) {
            if (name.equals(r) || (name.startsWith(r + ".") && !r.equals("topic") && !r.equals("event")
                    && !r.equals("counter"))) {
                return r;
            }
        }
        return null;
    }

    private static JsonNode fill(JsonNode node, Map<String, JsonNode> context) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher m = PLACEHOLDER.matcher(text);
            if (m.matches()) {
                return lookup(m.group(1), context);
            }
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                JsonNode v = lookup(m.group(1), context);
                m.appendReplacement(out, Matcher.quoteReplacement(v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString()));
            }
            m.appendTail(out);
            return JsonNodeFactory.instance.textNode(out.toString());
        }
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> o.set(e.getKey(), fill(e.getValue(), context)));
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> a.add(fill(n, context)));
            return a;
        }
        return node;
    }

    private static JsonNode lookup(String name, Map<String, JsonNode> context) {
        String root = root(name);
        JsonNode v = context.get(root);
        if (v != null && name.length() > root.length()) {
            v = Paths.at(v, name.substring(root.length() + 1));
        }
        return v == null || v.isMissingNode() ? JsonNodeFactory.instance.nullNode() : v;
    }
}
