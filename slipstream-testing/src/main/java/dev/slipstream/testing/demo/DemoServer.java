package dev.slipstream.testing.demo;

import dev.slipstream.protocol.Message;
import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.PhoenixVersion;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.ServerListener;
import dev.slipstream.testing.admin.AdminApi;
import dev.slipstream.testing.stub.Stubs;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * The standalone fake Phoenix server with the {@link DemoChannels}, for testing clients in any language:
 * {@code serve [--port N] [--phoenix 1.7|1.8] [--idle-timeout-ms N] [--idle-close-code 1000|1002] [--no-admin] [--stubs DIR]}.
 * Logs connections and frames to standard error and runs until the process is stopped (Ctrl-C). The HTTP admin API
 * ({@link AdminApi}) is on under {@code /__admin/} unless {@code --no-admin} is given.
 *
 * <pre>{@code
 * java -cp slipstream-testing.jar:... dev.slipstream.testing.demo.DemoServer --port 4000 --phoenix 1.7
 * }</pre>
 */
public final class DemoServer {
    private DemoServer() {}

    /** Runs the server until the JVM stops. */
    public static void main(String[] args) throws InterruptedException {
        FakePhoenixServer server;
        try {
            server = start(args, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println("serve: " + e.getMessage());
            System.err.println("usage: serve [--port N] [--phoenix 1.7|1.8] [--idle-timeout-ms N] [--idle-close-code 1000|1002] [--no-admin] [--stubs DIR]");
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "slipstream-serve-shutdown"));
        stopped.await();
    }

    /**
     * Parses {@code args}, starts the demo server and logs to {@code log}. For embedding {@code serve} in another
     * command-line tool.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static FakePhoenixServer start(String[] args, PrintStream log) {
        int port = 4000;
        PhoenixVersion version = PhoenixVersion.V1_8;
        int idleCode = 1000;
        long idleMs = 60_000;
        boolean admin = true;
        Stubs stubs = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port":
                    port = parseInt(a, value(args, ++i, a));
                    break;
                case "--phoenix":
                    version = PhoenixVersion.parse(value(args, ++i, a));
                    break;
                case "--idle-timeout-ms":
                    idleMs = parseInt(a, value(args, ++i, a));
                    break;
                case "--idle-close-code":
                    idleCode = parseInt(a, value(args, ++i, a));
                    break;
                case "--no-admin":
                    admin = false;
                    break;
                case "--stubs":
                    stubs = Stubs.load(value(args, ++i, a));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
        // Stub files describe the user's backend instead of the demo one: then no demo channels, connects or helpers.
        // Without files, an empty stub set after the demo channels, so stubs can be added over the admin API.
        FakePhoenixServer.Builder builder = stubs != null ? FakePhoenixServer.builder().stubs(stubs)
                : DemoChannels.install(FakePhoenixServer.builder())
                        .stubs(Stubs.parse("{\"slipstream\":\"stubs/1\"}", "(added over the admin API)"));
        FakePhoenixServer server = builder
                .port(port)
                .phoenixVersion(version)
                .recording(false)
                .adminApi(admin)
                .idleTimeout(java.time.Duration.ofMillis(idleMs))
                .idleTimeoutCloseCode(idleCode)
                .listener(new Logger(log))
                .build()
                .start();
        log.println("serve: fake Phoenix " + (version == PhoenixVersion.V1_7 ? "1.7" : "1.8") + " listening on "
                + server.uri() + (stubs != null ? " (" + stubs : " (channels echo:*, presence:*; POST /disconnect/:user_id, "
                + "POST /broadcast/:topic/:event, GET /health")
                + (admin ? "; admin API " + server.httpUri() + AdminApi.PREFIX + "/" : "") + ")");
        return server;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got \"" + value + "\"");
        }
    }

    private static final class Logger implements ServerListener {
        private final PrintStream log;

        Logger(PrintStream log) {
            this.log = log;
        }

        @Override
        public void onOpen(ServerConnection c) {
            log.println("[" + c.id() + "] open vsn=" + c.vsn() + " params=" + c.request().params());
        }

        @Override
        public void onRefused(ConnectRequest request, int status) {
            log.println("[refused] HTTP " + status + " params=" + request.params());
        }

        @Override
        public void onInbound(ServerConnection c, Message m) {
            log.println("[" + c.id() + "] C> " + m);
        }

        @Override
        public void onOutbound(ServerConnection c, Message m) {
            log.println("[" + c.id() + "] S> " + m);
        }

        @Override
        public void onClose(ServerConnection c, int code, boolean byServer) {
            log.println("[" + c.id() + "] closed code=" + code + (byServer ? " by the server" : " by the client"));
        }
    }
}
