package dev.slipstream.examples.scripting;

import dev.slipstream.client.ReceivedMessage;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SyncClient;
import dev.slipstream.protocol.Payload;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * Scripting with the synchronous interface, start to finish: connect, join, push and wait for the reply, wait for a
 * message the server pushes, leave, disconnect. Every call blocks until the server answered (bounded), which is what
 * a script, a smoke test or a REPL session wants. Written for the demo server's {@code echo:*} channel
 * ({@code slipstream serve}).
 *
 * <pre>{@code
 * EchoScript.run(URI.create("ws://localhost:4000/socket"), System.out);
 * }</pre>
 *
 * <p>From the command line, with {@code slipstream serve} running:
 * {@code java -cp examples/target/slipstream.jar dev.slipstream.examples.scripting.EchoScript ws://localhost:4000/socket}
 */
public final class EchoScript {
    private EchoScript() {
    }

    /** Runs the script against the socket URL in {@code args[0]} (default {@code ws://localhost:4000/socket}). */
    public static void main(String[] args) {
        run(URI.create(args.length > 0 ? args[0] : "ws://localhost:4000/socket"), System.out);
    }

    /** Runs the script against {@code endpoint}, printing what happens to {@code out}. */
    public static void run(URI endpoint, PrintStream out) {
        // tag::script[]
        record Greeting(String hello) {}
        record Count(int n) {}
        record Note(String note) {}
        try (SyncClient sync = SlipstreamClient.builder(endpoint).buildSync()) {
            sync.connect();
            Payload joined = sync.join("echo:script", new Greeting("server"));
            out.println("joined: " + joined);

            Payload.Reply reply = sync.push("echo:script", "echo", new Count(1));
            out.println("reply: " + reply.status() + " n=" + reply.as(Count.class).n());

            sync.push("echo:script", "push_back", new Note("for later"));
            ReceivedMessage pushed = sync.awaitMessage("echo:script", "pushed", Duration.ofSeconds(5));
            out.println("message: " + pushed.event() + " " + pushed.payload().as(Note.class).note());

            sync.leave("echo:script");
            sync.disconnect();
            out.println("done");
        }
        // end::script[]
    }
}
