package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the harness's report as an SVG: throughput per client (with the raw websocket ceiling) and latency p50 /
 * p99 / p99.9 per client, as horizontal bars. Plain text, no library.
 *
 * <pre>{@code
 * Files.writeString(Path.of("bench.svg"), Plot.svg(report));
 * }</pre>
 */
final class Plot {
    private static final int WIDTH = 760;
    private static final int BAR = 18;
    private static final int LABEL = 170;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#7f7f7f", "#d62728", "#8c564b"};

    private Plot() {}

    static String svg(JsonNode report) {
        Map<String, Double> throughput = new LinkedHashMap<>();
        Map<String, double[]> latency = new LinkedHashMap<>();
        for (JsonNode f : report.get("figures")) {
            String b = f.get("benchmark").asText();
            String c = f.get("client").asText();
            String m = f.get("metric").asText();
            double v = f.get("value").asDouble();
            if (b.equals("throughput")) {
                throughput.put(c, v);
            } else if (b.equals("latency")) {
                double[] l = latency.computeIfAbsent(c, k -> new double[3]);
                switch (m) {
                    case "p50Micros" -> l[0] = v;
                    case "p99Micros" -> l[1] = v;
                    case "p999Micros" -> l[2] = v;
                    default -> { }
                }
            }
        }
        StringBuilder s = new StringBuilder();
        int height = 90 + throughput.size() * (BAR + 6) + 60 + latency.size() * 3 * (BAR + 2) + latency.size() * 8 + 40;
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        String title = "Slipstream load harness (" + report.path("mode").asText() + ", " + report.path("startedAt").asText()
                + ", load " + String.format(Locale.ROOT, "%.1f", report.path("machine").path("loadAverageAtStart").asDouble()) + ")";
        text(s, 10, 20, title, "bold");
        int y = 45;
        text(s, 10, y, "Round trips per second, one connection, window 64, 100-byte payloads (higher is better)", "bold");
        y += 10;
        double max = throughput.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        // One colour per client, the same in both charts.
        Map<String, String> colours = new LinkedHashMap<>();
        java.util.stream.Stream.concat(throughput.keySet().stream(), latency.keySet().stream())
                .forEach(c -> colours.computeIfAbsent(c, k -> COLOURS[colours.size() % COLOURS.length]));
        for (Map.Entry<String, Double> e : throughput.entrySet()) {
            y += BAR + 6;
            bar(s, y, e.getKey(), e.getValue(), max, colours.get(e.getKey()), String.format(Locale.ROOT, "%,.0f /s", e.getValue()));
        }
        y += 50;
        text(s, 10, y, "Push-to-reply latency at 1,000 pushes/s, p50 / p99 / p99.9 in µs (lower is better)", "bold");
        y += 10;
        double lmax = latency.values().stream().flatMapToDouble(java.util.Arrays::stream).max().orElse(1);
        List<String> names = new ArrayList<>(List.of("p50", "p99", "p99.9"));
        for (Map.Entry<String, double[]> e : latency.entrySet()) {
            String colour = colours.get(e.getKey());
            for (int k = 0; k < 3; k++) {
                y += BAR + 2;
                bar(s, y, k == 0 ? e.getKey() : "", e.getValue()[k], lmax, colour,
                        String.format(Locale.ROOT, "%s %,.0f µs", names.get(k), e.getValue()[k]));
            }
            y += 8;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void bar(StringBuilder s, int y, String label, double value, double max, String colour, String caption) {
        int w = (int) Math.max(1, (WIDTH - LABEL - 130) * value / max);
        text(s, 10, y - 5, label, "normal");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                LABEL, y - BAR + 2, w, BAR - 4, colour));
        text(s, LABEL + w + 6, y - 5, caption, "normal");
    }

    private static void text(StringBuilder s, int x, int y, String t, String weight) {
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"%s\">%s</text>%n", x, y, weight,
                t.replace("&", "&amp;").replace("<", "&lt;")));
    }
}
