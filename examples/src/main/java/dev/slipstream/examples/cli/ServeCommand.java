package dev.slipstream.examples.cli;

import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoServer;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve [--port N] [--phoenix 1.7|1.8] [--no-admin] [--stubs DIR]}: the standalone fake Phoenix server with the
 * demo channels, or the stub files given, and the admin API under {@code /__admin/}, logging to standard error until the process is stopped. The work is {@link DemoServer}'s; this adds the usage and exit codes.
 */
final class ServeCommand {
    static final String USAGE =
            "usage: slipstream serve [--port N] [--phoenix 1.7|1.8] [--no-admin] [--stubs DIR]   (default port 4000, Phoenix 1.8;\n"
                    + "       --stubs: answer from your stub files instead of the demo channels)";

    private ServeCommand() {
    }

    /** Starts the server, or returns null after printing why it could not (bad arguments, port in use). */
    static FakePhoenixServer start(List<String> args, PrintStream err) {
        try {
            return DemoServer.start(args.toArray(String[]::new), err);
        } catch (IllegalArgumentException e) {
            err.println("slipstream serve: " + e.getMessage());
            err.println(USAGE);
            return null;
        } catch (RuntimeException e) {
            err.println("slipstream serve: could not start: " + e.getMessage());
            return null;
        }
    }

    /** Runs until the JVM is stopped (Ctrl-C); returns 2 at once if the server could not start. */
    static int run(List<String> args, PrintStream err) {
        FakePhoenixServer server = start(args, err);
        if (server == null) {
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "slipstream-serve-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
