package dev.slipstream.examples.cli;

import dev.slipstream.testing.record.RecordingProxy;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code record --upstream ws(s)://HOST/socket [--header k:v] [--param k=v] [--port N] [--out DIR]}: the recording
 * proxy ({@link RecordingProxy}) until Ctrl-C or {@code POST /__admin/recording/stop}, then the session is written
 * to {@code DIR/session.jsonl} and the stub files derived from it to {@code DIR/stubs/}. This adds the arguments, the
 * log lines and the exit codes.
 */
final class RecordCommand {
    static final String USAGE = String.join("\n",
            "usage: slipstream record --upstream ws(s)://HOST/socket [options]",
            "  --upstream URL    the real Phoenix socket to record, e.g. ws://localhost:4000/socket",
            "  --header k:v      header added to every upstream connect (repeatable; never written)",
            "  --param k=v       connect param added to every upstream connect (repeatable; never written)",
            "  --port N          port the proxy listens on (default 4001); point your client at it",
            "  --out DIR         where session.jsonl and stubs/ are written on stop (default recording)",
            "Stop with Ctrl-C or: curl -X POST localhost:PORT/__admin/recording/stop",
            "Exit: 0 written, 2 bad arguments or the port is in use.");

    private RecordCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        RecordingProxy proxy;
        try {
            proxy = parse(args).start();
        } catch (UsageException | IllegalArgumentException e) {
            err.println("slipstream record: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (RuntimeException e) {
            err.println("slipstream record: could not start: " + e.getMessage());
            return 2;
        }
        err.println("record: recording " + upstreamOf(args) + " through " + proxy.uri()
                + " (stop: Ctrl-C or POST http://127.0.0.1:" + proxy.port() + "/__admin/recording/stop)");
        Thread hook = new Thread(proxy::stop, "slipstream-record-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        RecordingProxy.Recording recording;
        try {
            do {
                recording = proxy.awaitStop(Duration.ofSeconds(60));
            } while (recording == null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            recording = proxy.stop();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is what stopped it
        }
        out.println(recording.toJson());
        err.println("record: wrote " + recording.session() + " and the stub files in " + recording.stubs()
                + " (replay: slipstream serve --stubs " + recording.stubs() + ")");
        recording.notes().forEach(note -> err.println("record: not in the stubs: " + note));
        return 0;
    }

    static RecordingProxy.Builder parse(List<String> args) throws UsageException {
        URI upstream = null;
        List<Pair> headers = new ArrayList<>();
        List<Pair> params = new ArrayList<>();
        int port = 4001;
        Path out = Path.of("recording");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--upstream":
                    upstream = url(value(args, ++i, a));
                    break;
                case "--header":
                    headers.add(Pair.header(value(args, ++i, a)));
                    break;
                case "--param":
                    params.add(Pair.param(value(args, ++i, a)));
                    break;
                case "--port":
                    try {
                        port = Integer.parseInt(value(args, ++i, a));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--port needs a number, got \"" + args.get(i) + "\"");
                    }
                    break;
                case "--out":
                    out = Path.of(value(args, ++i, a));
                    break;
                default:
                    throw new UsageException("unknown argument \"" + a + "\"");
            }
        }
        if (upstream == null) {
            throw new UsageException("--upstream is required");
        }
        RecordingProxy.Builder builder = RecordingProxy.builder(upstream).port(port).output(out);
        headers.forEach(h -> builder.header(h.name(), h.value()));
        params.forEach(p -> builder.param(p.name(), p.value()));
        return builder;
    }

    private static String upstreamOf(List<String> args) {
        int i = args.indexOf("--upstream");
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "?";
    }

    static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    static URI url(String s) throws UsageException {
        try {
            URI u = new URI(s);
            if (u.getScheme() == null || !(u.getScheme().equals("ws") || u.getScheme().equals("wss"))) {
                throw new UsageException("--upstream must be ws:// or wss://, got \"" + s + "\"");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new UsageException("--upstream is not a URL: \"" + s + "\"");
        }
    }
}
