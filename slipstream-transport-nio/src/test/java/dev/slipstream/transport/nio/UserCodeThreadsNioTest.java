package dev.slipstream.transport.nio;

import dev.slipstream.client.threads.UserCodeThreadsTest;
import dev.slipstream.client.transport.Transport;

/**
 * Every case of {@link UserCodeThreadsTest} (in slipstream-client's tests) again on {@link NioWebSocketTransport}: the
 * owner runs on the loop's leading thread when a reply arrives, user code never does while that thread leads.
 */
class UserCodeThreadsNioTest extends UserCodeThreadsTest {
    @Override
    protected Transport transport() {
        return NioWebSocketTransport.shared();
    }
}
