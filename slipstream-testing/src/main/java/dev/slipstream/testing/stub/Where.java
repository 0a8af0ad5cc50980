package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A place in a stub file (source and JSON path) while it is read, so every error can name it. */
record Where(String source, String path) {

    Where field(String name) {
        return new Where(source, path + "." + name);
    }

    Where index(int i) {
        return new Where(source, path + "[" + i + "]");
    }

    StubFormatException error(String problem) {
        return new StubFormatException(source, path, problem);
    }

    /** Fails on any field of {@code node} not in {@code allowed}, listing the allowed ones. */
    void onlyFields(JsonNode node, List<String> allowed) {
        if (!node.isObject()) {
            throw error("expected an object, got " + kind(node));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw field(f).error("unknown field \"" + f + "\" (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    List<JsonNode> array(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw error("expected an array, got " + kind(node));
        }
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }

    String text(JsonNode node, boolean required) {
        if (node == null || node.isMissingNode()) {
            if (required) {
                throw error("missing (required)");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw error("expected a string, got " + kind(node));
        }
        return node.asText();
    }

    static String kind(JsonNode node) {
        return node == null || node.isMissingNode() ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
