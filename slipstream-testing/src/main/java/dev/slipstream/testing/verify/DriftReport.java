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
 * @param notChecked what the stubs say that no request could be built for, each with the reason (empty for a
 *     recorded session)
 */
public record DriftReport(int checks, List<Drift> drifts, List<String> notChecked) {
    public DriftReport {
        drifts = List.copyOf(drifts);
        notChecked = List.copyOf(notChecked);
    }

    /** Whether the backend answered every check as the stubs say. */
    public boolean agrees() {
        return drifts.isEmpty();
    }

    /**
     * JSON lines: one per drift, one {@code {"type":"not_checked","what":...}} per rule not checked, then
     * {@code {"type":"summary","checks":N,"drifts":M,"not_checked":K}}.
     */
    public List<String> toJsonLines() {
        List<String> lines = new ArrayList<>();
        drifts.forEach(d -> lines.add(d.toJson().toString()));
        for (String what : notChecked) {
            ObjectNode line = PhoenixProbe.JSON.createObjectNode();
            line.put("type", "not_checked");
            line.put("what", what);
            lines.add(line.toString());
        }
        ObjectNode summary = PhoenixProbe.JSON.createObjectNode();
        summary.put("type", "summary");
        summary.put("checks", checks);
        summary.put("drifts", drifts.size());
        summary.put("not_checked", notChecked.size());
        lines.add(summary.toString());
        return lines;
    }
}
