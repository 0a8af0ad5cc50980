package dev.slipstream.examples.cli;

import dev.slipstream.testing.stub.StubFormatException;
import dev.slipstream.testing.stub.Stubs;
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
 * {@code verify --upstream URL (--stubs DIR | --session FILE) [--param k=v] [--header k:v] [--volatile PATH]
 * [--timeout S] [--json]}: the drift check ({@link DriftCheck}) of stub files (or a recorded session) against a real
 * backend. Exit 0 when the backend answers as the stubs say, 1 on drift, 2 on error (bad arguments, unreachable
 * backend, unreadable or invalid files).
 */
final class VerifyCommand {
    static final String USAGE = String.join("\n",
            "usage: slipstream verify --upstream ws(s)://HOST/socket (--stubs DIR | --session FILE) [options]",
            "  --upstream URL    the real Phoenix socket to check",
            "  --stubs DIR       stub files (*.json), or the folder slipstream record wrote (its stubs/ are used)",
            "  --session FILE    a session.jsonl of slipstream record: replay the recording itself instead",
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
        Path session = null;
        Stubs stubFiles = null;
        boolean json = args.contains("--json");
        try {
            URI upstream = null;
            Path stubs = null;
            Path sessionFile = null;
            List<Pair> params = new ArrayList<>();
            List<Pair> headers = new ArrayList<>();
            List<String> volatiles = new ArrayList<>();
            Duration timeout = Duration.ofSeconds(5);
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--upstream" -> upstream = RecordCommand.url(RecordCommand.value(args, ++i, a));
                    case "--stubs" -> stubs = Path.of(RecordCommand.value(args, ++i, a));
                    case "--session" -> sessionFile = Path.of(RecordCommand.value(args, ++i, a));
                    case "--param" -> params.add(Pair.param(RecordCommand.value(args, ++i, a)));
                    case "--header" -> headers.add(Pair.header(RecordCommand.value(args, ++i, a)));
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
            if (sessionFile != null) {
                session = sessionFile;
                if (!Files.isRegularFile(session)) {
                    throw new UsageException("no recorded session at " + session);
                }
            } else {
                stubFiles = Stubs.load(stubFolder(stubs));
            }
            DriftCheck.Builder b = DriftCheck.builder(upstream).timeout(timeout);
            params.forEach(p -> b.param(p.name(), p.value()));
            headers.forEach(h -> b.header(h.name(), h.value()));
            for (String v : volatiles) {
                b.volatilePath(v);
            }
            check = b.build();
        } catch (StubFormatException e) {
            err.println("slipstream verify: " + e.getMessage());
            return 2;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("slipstream verify: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        DriftReport report;
        try {
            report = stubFiles != null ? check.check(stubFiles) : check.checkSession(session);
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
            for (String what : report.notChecked()) {
                out.println("not checked: " + what);
            }
            out.println(report.agrees() ? "agrees: " + report.checks() + " checks, no drift"
                    : "drift: " + report.drifts().size() + " difference(s) in " + report.checks() + " checks");
        }
        return report.agrees() ? 0 : 1;
    }

    /** The stub files of {@code dir}: itself when it holds {@code *.json}, else the {@code stubs/} a recording has. */
    private static Path stubFolder(Path dir) throws UsageException {
        if (Files.isRegularFile(dir)) {
            return dir;
        }
        try (var files = Files.list(dir)) {
            if (files.anyMatch(f -> f.toString().endsWith(".json"))) {
                return dir;
            }
        } catch (IOException e) {
            throw new UsageException("cannot read --stubs " + dir + ": " + e.getMessage());
        }
        if (Files.isDirectory(dir.resolve("stubs"))) {
            return dir.resolve("stubs");
        }
        throw new UsageException("no stub files (*.json) in " + dir + (Files.isRegularFile(dir.resolve("session.jsonl"))
                ? " (a recording without stubs/: check its session with --session " + dir.resolve("session.jsonl") + ")"
                : ""));
    }
}
