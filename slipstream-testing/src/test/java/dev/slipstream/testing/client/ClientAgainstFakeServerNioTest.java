package dev.slipstream.testing.client;

import dev.slipstream.client.transport.NioWebSocketTransport;
import dev.slipstream.client.transport.Transport;

/**
 * Every case of {@link ClientAgainstFakeServerTest} again, with the client on {@link NioWebSocketTransport} instead of
 * the JDK's websocket.
 */
class ClientAgainstFakeServerNioTest extends ClientAgainstFakeServerTest {
    @Override
    Transport transport() {
        return NioWebSocketTransport.shared();
    }
}
