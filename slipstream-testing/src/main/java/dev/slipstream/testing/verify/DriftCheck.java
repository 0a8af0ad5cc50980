package dev.slipstream.testing.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.internal.recording.Exchange;
import dev.slipstream.testing.internal.recording.SessionAnalysis;
import dev.slipstream.testing.internal.recording.StubExpectations;
import dev.slipstream.testing.stub.Stubs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Checks a real backend against what a recording (and the stubs made from it) says it answers: it connects with the
 * same params, performs the same joins and pushes in the same order, and reports every difference as a
 * {@link Drift}: a refused connect, a missing topic, another reply status, payload differences as JSON paths
 * (relative to the reply's response or the push's payload), a reply or a server push that did not come. Paths
 * declared volatile (ids, timestamps: {@code $.id}, {@code $.messages[*].at}) are not compared.
 *
 * <pre>{@code
 * DriftReport report = DriftCheck.builder(URI.create("wss://staging.example.com/socket"))
 *         .param("token", System.getenv("TOKEN"))   // redacted in the recording: give it again
 *         .volatilePath("$.id")
 *         .build()
 *         .checkSession(Path.of("src/test/resources/phoenix/session.jsonl"));
 * }</pre>
 *
 * A backend that cannot be reached is an {@link IOException}, not a drift.
 */
public final class DriftCheck {
    private final URI upstream;
    private final Map<String, String> params;
    private final Map<String, List<String>> headers;
    private final Duration timeout;
    private final List<String> volatilePaths;

    private DriftCheck(Builder b) {
        this.upstream = b.upstream;
        this.params = Map.copyOf(b.params);
        this.headers = Map.copyOf(b.headers);
        this.timeout = b.timeout;
        this.volatilePaths = List.copyOf(b.volatilePaths);
    }

    /** A drift check against {@code upstream}, a Phoenix socket URL such as {@code ws://localhost:4000/socket}. */
    public static Builder builder(URI upstream) {
        return new Builder(upstream);
    }

    /**
     * Checks the backend against a recorded session ({@code session.jsonl} of {@code slipstream record}).
     *
     * @throws IOException when the file cannot be read or the backend cannot be reached
     * @throws IllegalArgumentException when the session is malformed or a redacted connect param was not given
     */
    public DriftReport checkSession(Path session) throws IOException, InterruptedException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(session)) {
            if (!line.isBlank()) {
                lines.add(PhoenixProbe.JSON.readTree(line));
            }
        }
        return check(SessionAnalysis.analyse(lines), Map.of(), List.of());
    }

    /**
     * Checks the backend against stub files: performs, for every rule, a request it matches (built from its
     * {@code equalTo} and {@code absent} conditions) and compares the answer with the one the stubs give (each
     * channel's {@code volatile} paths skipped). Rules no request can be built for are listed in
     * {@link DriftReport#notChecked()}.
     *
     * <pre>{@code
     * DriftReport report = DriftCheck.builder(upstream).build().check(Stubs.load("src/test/resources/phoenix"));
     * }</pre>
     *
     * @throws IOException when the backend cannot be reached
     */
    public DriftReport check(Stubs stubs) throws IOException, InterruptedException {
        StubExpectations.Expected expected = StubExpectations.of(stubs);
        return check(expected.exchanges(), expected.volatiles(), expected.notChecked());
    }

    /** Runs the exchanges connection by connection; {@code volatiles} adds volatile paths per exchange. */
    DriftReport check(List<Exchange> exchanges, Map<Exchange, List<String>> volatiles, List<String> notChecked)
            throws IOException, InterruptedException {
        Map<String, List<Exchange>> byConn = new LinkedHashMap<>();
        for (Exchange e : exchanges) {
            byConn.computeIfAbsent(e.conn(), k -> new ArrayList<>()).add(e);
        }
        List<Drift> drifts = new ArrayList<>();
        int[] checks = {0};
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "slipstream-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpClient http = HttpClient.newBuilder().executor(threads).connectTimeout(timeout).build();
            for (List<Exchange> conn : byConn.values()) {
                runConnection(http, conn, volatiles, drifts, checks);
            }
        } finally {
            threads.shutdownNow();
        }
        return new DriftReport(checks[0], drifts, notChecked);
    }

    private void runConnection(HttpClient http, List<Exchange> exchanges, Map<Exchange, List<String>> volatiles,
            List<Drift> drifts, int[] checks) throws IOException, InterruptedException {
        Exchange.Connect connect = exchanges.get(0) instanceof Exchange.Connect c ? c
                : new Exchange.Connect(exchanges.get(0).conn(), 0, Map.of(), 101);
        PhoenixProbe probe;
        checks[0]++;
        try {
            probe = PhoenixProbe.connect(http, upstream, connectParams(connect.params()), headers, timeout);
        } catch (PhoenixProbe.ConnectFailed e) {
            if (e.status == 0) {
                throw new IOException(e.getMessage(), e.getCause());
            }
            if (e.status != connect.status()) {
                drifts.add(new Drift(Drift.Kind.CONNECT, "connect", null, status(connect.status()), status(e.status)));
            }
            return;
        }
        try (probe) {
            if (connect.status() != 101) {
                drifts.add(new Drift(Drift.Kind.CONNECT, "connect", null, status(connect.status()), status(101)));
                return;
            }
            Map<String, String> joinRefs = new HashMap<>();
            for (Exchange e : exchanges) {
                JsonDiff diff = new JsonDiff(concat(volatilePaths, volatiles.getOrDefault(e, List.of())));
                if (e instanceof Exchange.Join j) {
                    checks[0]++;
                    PhoenixProbe.Answer a = probe.join(j.topic(), j.params());
                    joinRefs.put(j.topic(), probe.lastRef());
                    compare("join " + j.topic(), j.status(), j.response(), a, true, diff, drifts);
                    after(probe, "join " + j.topic(), j.topic(), j.after(), diff, drifts, checks);
                } else if (e instanceof Exchange.Push p) {
                    checks[0]++;
                    Payload payload = p.binary()
                            ? Payload.binary(Base64.getDecoder().decode(p.payload().get("binary").asText()))
                            : Payload.json(p.payload());
                    String where = "push " + p.topic() + " " + p.event();
                    PhoenixProbe.Answer a = probe.push(joinRefs.get(p.topic()), p.topic(), p.event(), payload,
                            p.status() == null ? Duration.ofMillis(Math.min(500, timeout.toMillis())) : timeout);
                    compare(where, p.status(), p.response(), a, false, diff, drifts);
                    after(probe, where, p.topic(), p.after(), diff, drifts, checks);
                }
            }
        }
    }

    private static void compare(String where, String status, JsonNode response, PhoenixProbe.Answer a,
            boolean join, JsonDiff diff, List<Drift> drifts) {
        if (status == null || a == null) {
            if (status != null || a != null) {
                drifts.add(new Drift(Drift.Kind.REPLY, where, null, status == null ? null : TextNode.valueOf(status),
                        a == null ? null : TextNode.valueOf(a.status())));
            }
            return;
        }
        if (!status.equals(a.status())) {
            boolean unmatched = join && "error".equals(a.status())
                    && "unmatched topic".equals(a.response().path("reason").asText());
            drifts.add(new Drift(unmatched ? Drift.Kind.MISSING_TOPIC : Drift.Kind.STATUS, where, null,
                    TextNode.valueOf(status), TextNode.valueOf(a.status())));
            return;
        }
        for (JsonDiff.Difference d : diff.diff(response, a.response())) {
            drifts.add(new Drift(Drift.Kind.PAYLOAD, where, d.path(), d.expected(), d.actual()));
        }
    }

    private void after(PhoenixProbe probe, String where, String topic, List<Exchange.After> expected, JsonDiff diff,
            List<Drift> drifts, int[] checks) throws InterruptedException {
        for (Exchange.After x : expected) {
            checks[0]++;
            PhoenixProbe.Pushed got = probe.awaitPush(topic, x.event(), timeout.plusMillis(x.delayMs()));
            String at = where + " -> " + x.event();
            if (got == null) {
                drifts.add(new Drift(Drift.Kind.MISSING_PUSH, at, null, TextNode.valueOf(x.event()), null));
                continue;
            }
            for (JsonDiff.Difference d : diff.diff(x.payload(), got.payload())) {
                drifts.add(new Drift(Drift.Kind.PAYLOAD, at, d.path(), d.expected(), d.actual()));
            }
        }
    }

    private Map<String, String> connectParams(Map<String, String> recorded) {
        Map<String, String> out = new LinkedHashMap<>();
        recorded.forEach((k, v) -> {
            if (k.equals("vsn")) {
                return;
            }
            if ("[redacted]".equals(v) && !params.containsKey(k)) {
                throw new IllegalArgumentException("the connect param \"" + k + "\" was redacted in the recording:"
                        + " give its value (--param " + k + "=...)");
            }
            out.put(k, v);
        });
        out.putAll(params);
        return out;
    }

    private static JsonNode status(int s) {
        return PhoenixProbe.JSON.getNodeFactory().numberNode(s);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * Configures a {@link DriftCheck}.
     *
     * <pre>{@code
     * DriftCheck check = DriftCheck.builder(URI.create("ws://localhost:4000/socket"))
     *         .header("authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build();
     * }</pre>
     */
    public static final class Builder {
        private final URI upstream;
        private final Map<String, String> params = new LinkedHashMap<>();
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private final List<String> volatilePaths = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(5);

        private Builder(URI upstream) {
            Objects.requireNonNull(upstream, "upstream");
            if (upstream.getScheme() == null || !upstream.getScheme().matches("wss?") || upstream.getHost() == null) {
                throw new IllegalArgumentException("upstream must be a ws:// or wss:// URL with a host, such as"
                        + " ws://localhost:4000/socket; got " + upstream);
            }
            this.upstream = upstream;
        }

        /** A connect param sent on every connect, replacing the recorded one (a redacted token, say). */
        public Builder param(String name, String value) {
            params.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** A header sent on every connect. */
        public Builder header(String name, String value) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
            return this;
        }

        /** A JSON path not compared anywhere, e.g. {@code $.id} or {@code $.messages[*].inserted_at}. */
        public Builder volatilePath(String path) {
            if (!path.startsWith("$")) {
                throw new IllegalArgumentException("a volatile path starts with $, e.g. $.id; got " + path);
            }
            volatilePaths.add(path);
            return this;
        }

        /** How long to wait for a connect, a reply or an expected push (plus its recorded delay); 5 s by default. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        public DriftCheck build() {
            return new DriftCheck(this);
        }
    }
}
