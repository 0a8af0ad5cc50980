package dev.slipstream.testing.verify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a drift check found: how many checks ran, and every {@link Drift}. Agreement is an empty list.
 *
 * <pre>{@code
 * DriftReport report = DriftCheck.builder(URI.create("ws://localhost:4000/socket")).build().check(stubs);
 * if (!report.agrees()) report.drifts().forEach(System.out::println);
 * }</pre>
 *
 * @param checks how many connects, joins, pushes and expected server pushes were compared
 * @param drifts every difference, in the order the checks ran
 */
public record DriftReport(int checks, List<Drift> drifts) {
    public DriftReport {
        drifts = List.copyOf(drifts);
    }

    /** Whether the backend answered every check as the stubs say. */
    public boolean agrees() {
        return drifts.isEmpty();
    }

    /** JSON lines: one per drift, then {@code {"type":"summary","checks":N,"drifts":M}}. */
    public List<String> toJsonLines() {
        List<String> lines = new ArrayList<>();
        drifts.forEach(d -> lines.add(d.toJson().toString()));
        ObjectNode summary = PhoenixProbe.JSON.createObjectNode();
        summary.put("type", "summary");
        summary.put("checks", checks);
        summary.put("drifts", drifts.size());
        lines.add(summary.toString());
        return lines;
    }
}
