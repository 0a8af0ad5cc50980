package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** Simple dotted field paths into a payload ({@code user.name}, {@code items.0.id}). */
final class Paths {
    private Paths() {}

    static JsonNode at(JsonNode root, String dotted) {
        JsonNode node = root;
        for (String part : dotted.split("\\.")) {
            if (node == null || node.isMissingNode()) {
                return MissingNode.getInstance();
            }
            node = node.isArray() && part.chars().allMatch(Character::isDigit) ? node.path(Integer.parseInt(part))
                    : node.path(part);
        }
        return node;
    }
}
