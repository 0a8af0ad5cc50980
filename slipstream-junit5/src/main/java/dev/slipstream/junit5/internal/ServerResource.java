package dev.slipstream.junit5.internal;

import dev.slipstream.testing.script.ScriptedServer;

/**
 * A server as the extension keeps it in JUnit's extension store. It is {@link AutoCloseable}, so JUnit (5.13 and
 * later) closes it when its context ends even if an after-callback never ran; the extension also closes it
 * explicitly, so turning {@code junit.jupiter.extensions.store.close.autocloseable.enabled} off leaks nothing.
 * Closing twice is harmless.
 *
 * <pre>{@code
 * context.getStore(namespace).put(key, new ServerResource(ScriptedServer.start(), "MyTest"));
 * }</pre>
 */
public final class ServerResource implements AutoCloseable {
    private final ScriptedServer server;
    private final String owner;

    /** Wraps {@code server}, started for {@code owner} (a test or class name, for messages). */
    public ServerResource(ScriptedServer server, String owner) {
        this.server = server;
        this.owner = owner;
    }

    /** The server. */
    public ScriptedServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Slipstream server of " + owner + " at " + server;
    }
}
