package dev.slipstream.client.support;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;

/**
 * Starts the test servers' Undertow on an ephemeral loopback port, plain or TLS.
 *
 * <pre>{@code
 * Undertow undertow = LoopbackUndertow.start(handler, null);   // ws://127.0.0.1:port
 * int port = LoopbackUndertow.port(undertow);
 * }</pre>
 */
final class LoopbackUndertow {
    private LoopbackUndertow() {}

    /** Starts {@code root} on 127.0.0.1, port 0; over TLS with {@code tlsContext} when it is not null. */
    static Undertow start(HttpHandler root, SSLContext tlsContext) {
        Undertow.Builder builder = Undertow.builder().setHandler(root);
        if (tlsContext != null) {
            builder.addHttpsListener(0, "127.0.0.1", tlsContext);
        } else {
            builder.addHttpListener(0, "127.0.0.1");
        }
        Undertow undertow = builder.build();
        undertow.start();
        return undertow;
    }

    /** The port the first listener bound. */
    static int port(Undertow undertow) {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }
}
