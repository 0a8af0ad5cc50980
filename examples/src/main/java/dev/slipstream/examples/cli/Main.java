package dev.slipstream.examples.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code slipstream} command line: {@code demo}, {@code serve}, {@code cat}, {@code record} and {@code verify}. Results go to standard output,
 * logs and usage errors to standard error; the exit code is 0 on success, 1 when something the command did failed,
 * 2 when it could not connect or the arguments are wrong.
 *
 * <pre>{@code
 * java -jar examples/target/slipstream.jar demo
 * java -jar examples/target/slipstream.jar serve --port 4000 --phoenix 1.7
 * java -jar examples/target/slipstream.jar cat ws://localhost:4000/socket --join echo:lobby --push echo:lobby echo '{"hi":1}'
 * }</pre>
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: slipstream <command> [arguments]",
            "  demo                                  fake Phoenix server, two chat clients and a presence client",
            "  serve [--port N] [--phoenix 1.7|1.8]  the fake Phoenix server with the demo channels",
            "  cat URL [options]                     a Phoenix-aware client printing JSON lines (cat --help)",
            "  record --upstream URL [options]       a recording proxy: a real Phoenix's session as JSON lines (record --help)",
            "  verify --upstream URL --stubs DIR     checks a recording against a real Phoenix: 0 agree, 1 drift (verify --help)");

    private Main() {
    }

    /** Runs the command in {@code args} and exits with its code. */
    public static void main(String[] args) {
        // Library chatter (Undertow, XNIO, the client) stays on standard error, and only warnings by default.
        Logger.getLogger("").setLevel(Level.WARNING);
        int code = run(args, stdinForPushes(), System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs the command in {@code args} with the given streams and returns its exit code; {@code stdin} (null for
     * none) is where {@code cat} reads pushes. {@code serve} returns only when the JVM shuts down.
     */
    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "demo":
                return DemoCommand.run(rest, out, err);
            case "serve":
                return ServeCommand.run(rest, err);
            case "cat":
                if (rest.contains("--help") || rest.contains("-h")) {
                    out.println(CatOptions.USAGE);
                    return 0;
                }
                return CatCommand.run(rest, stdin, out, err);
            case "record":
                if (rest.contains("--help") || rest.contains("-h")) {
                    out.println(RecordCommand.USAGE);
                    return 0;
                }
                return RecordCommand.run(rest, out, err);
            case "verify":
                if (rest.contains("--help") || rest.contains("-h")) {
                    out.println(VerifyCommand.USAGE);
                    return 0;
                }
                return VerifyCommand.run(rest, out, err);
            case "help":
            case "--help":
            case "-h":
                out.println(USAGE);
                return 0;
            default:
                err.println("slipstream: unknown command \"" + args[0] + "\"");
                err.println(USAGE);
                return 2;
        }
    }

    /**
     * Standard input when it is a pipe or a file; null when it is a terminal, so that {@code cat} does not wait for
     * typing. The {@code slipstream} launcher knows for sure and says so in {@code slipstream.stdin}; without it,
     * a console means a terminal.
     */
    private static InputStream stdinForPushes() {
        String hint = System.getProperty("slipstream.stdin");
        if ("tty".equals(hint)) {
            return null;
        }
        if ("pipe".equals(hint)) {
            return System.in;
        }
        return System.console() != null ? null : System.in;
    }
}
