package dev.slipstream.transport.nio;

import dev.slipstream.client.transport.Transport;
import dev.slipstream.testing.client.ClientAgainstFakeServerTest;

/**
 * Every case of {@link ClientAgainstFakeServerTest} (in slipstream-testing's tests) again, with the client on
 * {@link NioWebSocketTransport} instead of the JDK's websocket.
 */
class ClientAgainstFakeServerNioTest extends ClientAgainstFakeServerTest {
    @Override
    protected Transport transport() {
        return NioWebSocketTransport.shared();
    }
}
