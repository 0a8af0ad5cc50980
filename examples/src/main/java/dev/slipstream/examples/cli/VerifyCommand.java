package dev.slipstream.examples.cli;

import dev.slipstream.testing.verify.Drift;
import dev.slipstream.testing.verify.DriftCheck;
import dev.slipstream.testing.verify.DriftReport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify --upstream URL --stubs DIR [--session FILE] [--param k=v] [--header k:v] [--volatile PATH]
 * [--timeout S] [--json]}: the drift check ({@link DriftCheck}) of a recording against a real backend. Exit 0 when
 * the backend answers as recorded, 1 on drift, 2 on error (bad arguments, unreachable backend, unreadable files).
 */
final class VerifyCommand {
    static final String USAGE = String.join("\n",
            "usage: slipstream verify --upstream ws(s)://HOST/socket (--stubs DIR | --session FILE) [options]",
            "  --upstream URL    the real Phoenix socket to check",
            "  --stubs DIR       the folder slipstream record wrote (its session.jsonl says what to send and expect)",
            "  --session FILE    a session.jsonl of slipstream record, instead of --stubs",
            "  --param k=v       connect param (repeatable): give the ones the recording redacted",
            "  --header k:v      header on every connect (repeatable)",
            "  --volatile PATH   JSON path not compared, e.g. '$.id' or '$.messages[*].at' (repeatable)",
            "  --timeout S       wait this long for connects, replies and pushes (default 5)",
            "  --json            one JSON object per drift, then a summary, on standard output",
            "Exit: 0 the backend agrees, 1 drift, 2 error (bad arguments, unreachable backend).");

    private VerifyCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        DriftCheck check;
        Path session;
        boolean json = args.contains("--json");
        try {
            URI upstream = null;
            Path stubs = null;
            Path sessionFile = null;
            List<String[]> params = new ArrayList<>();
            List<String[]> headers = new ArrayList<>();
            List<String> volatiles = new ArrayList<>();
            Duration timeout = Duration.ofSeconds(5);
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--upstream" -> upstream = RecordCommand.url(RecordCommand.value(args, ++i, a));
                    case "--stubs" -> stubs = Path.of(RecordCommand.value(args, ++i, a));
                    case "--session" -> sessionFile = Path.of(RecordCommand.value(args, ++i, a));
                    case "--param" -> params.add(pair(RecordCommand.value(args, ++i, a), '=', a));
                    case "--header" -> headers.add(pair(RecordCommand.value(args, ++i, a), ':', a));
                    case "--volatile" -> volatiles.add(RecordCommand.value(args, ++i, a));
                    case "--timeout" -> {
                        try {
                            timeout = Duration.ofMillis((long) (Double.parseDouble(RecordCommand.value(args, ++i, a)) * 1000));
                        } catch (NumberFormatException e) {
                            throw new UsageException("--timeout needs seconds, got \"" + args.get(i) + "\"");
                        }
                    }
                    case "--json" -> { }
                    default -> throw new UsageException("unknown argument \"" + a + "\"");
                }
            }
            if (upstream == null) {
                throw new UsageException("--upstream is required");
            }
            if ((stubs == null) == (sessionFile == null)) {
                throw new UsageException("give one of --stubs DIR or --session FILE");
            }
            session = sessionFile != null ? sessionFile : stubs.resolve("session.jsonl");
            if (!Files.isRegularFile(session)) {
                throw new UsageException("no recorded session at " + session
                        + (stubs != null ? " (--stubs takes the folder slipstream record --out wrote)" : ""));
            }
            DriftCheck.Builder b = DriftCheck.builder(upstream).timeout(timeout);
            for (String[] p : params) {
                b.param(p[0], p[1]);
            }
            for (String[] h : headers) {
                b.header(h[0], h[1]);
            }
            for (String v : volatiles) {
                b.volatilePath(v);
            }
            check = b.build();
        } catch (UsageException | IllegalArgumentException e) {
            err.println("slipstream verify: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        DriftReport report;
        try {
            report = check.checkSession(session);
        } catch (IOException | IllegalArgumentException e) {
            err.println("slipstream verify: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
        if (json) {
            report.toJsonLines().forEach(out::println);
        } else {
            for (Drift d : report.drifts()) {
                out.println("drift: " + d);
            }
            out.println(report.agrees() ? "agrees: " + report.checks() + " checks, no drift"
                    : "drift: " + report.drifts().size() + " difference(s) in " + report.checks() + " checks");
        }
        return report.agrees() ? 0 : 1;
    }

    private static String[] pair(String kv, char sep, String option) throws UsageException {
        int at = kv.indexOf(sep);
        if (at <= 0) {
            throw new UsageException(option + " needs k" + sep + "v, got \"" + kv + "\"");
        }
        return new String[] {kv.substring(0, at).trim(), kv.substring(at + 1).trim()};
    }
}
