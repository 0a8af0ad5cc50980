package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * {@code GET /__admin/journal} (filters {@code topic}, {@code event}, {@code connection}, {@code socket_id},
 * {@code since}, {@code after}) and {@code DELETE /__admin/journal}.
 */
final class JournalRoutes {
    private static final Set<String> FILTERS = Set.of("topic", "event", "connection", "socket_id", "since", "after");

    private JournalRoutes() {}

    static void install(Routes routes, Journal journal) {
        routes.add("GET", "/journal", call -> {
            Predicate<Journal.Entry> filter = filter(call);
            List<Journal.Entry> found = journal.find(filter);
            ArrayNode entries = Json.array();
            found.forEach(e -> entries.add(e.toJson()));
            ObjectNode body = Json.object()
                    .put("limit", journal.capacity())
                    .put("dropped", journal.dropped())
                    .put("count", found.size());
            body.set("entries", entries);
            return Routes.Answer.ok(body);
        });
        routes.add("DELETE", "/journal", call -> Routes.Answer.ok(Json.object().put("deleted", journal.reset())));
    }

    private static Predicate<Journal.Entry> filter(Routes.Call call) {
        TreeSet<String> unknown = new TreeSet<>(call.query().keySet());
        unknown.removeAll(FILTERS);
        if (!unknown.isEmpty()) {
            throw AdminError.badRequest("unknown journal filter " + unknown + "; the filters are "
                    + new TreeSet<>(FILTERS));
        }
        Predicate<Journal.Entry> filter = e -> true;
        String topic = call.query("topic");
        if (topic != null) {
            // The channel routes' pattern rule: a trailing * matches every topic with that prefix.
            String prefix = topic.endsWith("*") ? topic.substring(0, topic.length() - 1) : null;
            filter = filter.and(e -> prefix != null ? e.message().topic().startsWith(prefix)
                    : e.message().topic().equals(topic));
        }
        String event = call.query("event");
        if (event != null) {
            filter = filter.and(e -> e.message().event().equals(event));
        }
        String connection = call.query("connection");
        if (connection != null) {
            filter = filter.and(e -> e.connection().equals(connection));
        }
        String socketId = call.query("socket_id");
        if (socketId != null) {
            filter = filter.and(e -> socketId.equals(e.socketId()));
        }
        String since = call.query("since");
        if (since != null) {
            Instant from = instant(since);
            filter = filter.and(e -> !e.time().isBefore(from));
        }
        String after = call.query("after");
        if (after != null) {
            long seq = number("after", after);
            filter = filter.and(e -> e.seq() > seq);
        }
        return filter;
    }

    /** An ISO-8601 instant ({@code 2025-01-31T12:00:00Z}) or milliseconds since the epoch. */
    private static Instant instant(String value) {
        if (value.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochMilli(number("since", value));
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw AdminError.badRequest("since must be an ISO-8601 instant such as 2025-01-31T12:00:00Z or "
                    + "milliseconds since the epoch, got \"" + value + "\"");
        }
    }

    private static long number(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw AdminError.badRequest(name + " must be a whole number, got \"" + value + "\"");
        }
    }
}
