package dev.slipstream.junit5;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/** Whether nothing listens at a server's address any more. */
final class Closed {
    private Closed() {}

    static boolean refuses(URI uri) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
