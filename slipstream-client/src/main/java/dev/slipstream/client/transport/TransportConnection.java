package dev.slipstream.client.transport;

import dev.slipstream.protocol.Frame;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One open websocket connection, as a {@link Transport} hands it to the client. Safe to call from any thread; sends
 * are queued and written in call order.
 *
 * <pre>{@code
 * connection.send(Frame.text("[null,\"1\",\"phoenix\",\"heartbeat\",{}]"));
 * connection.close(1000, "bye");
 * }</pre>
 */
public interface TransportConnection {

    /** Sends one whole frame; the future completes when the frame was handed to the network. */
    CompletableFuture<Void> send(Frame frame);

    /**
     * Sends {@code frames} in order, as {@link #send} does for each, in as few socket writes as the transport can:
     * the client hands over together the frames a burst of its commands produced. The list is only read during the
     * call. The future completes when every frame was handed to the network, or fails as the first failed one does.
     * The default sends them one by one.
     */
    default CompletableFuture<Void> sendAll(List<Frame> frames) {
        CompletableFuture<?>[] sent = new CompletableFuture<?>[frames.size()];
        boolean allDone = true;
        for (int i = 0; i < sent.length; i++) {
            sent[i] = send(frames.get(i));
            allDone &= sent[i].isDone() && !sent[i].isCompletedExceptionally();
        }
        return allDone ? CompletableFuture.completedFuture(null) : CompletableFuture.allOf(sent);
    }

    /** Starts the closing handshake by sending a close frame; the listener's {@code onClosed} follows. */
    void close(int code, String reason);

    /**
     * The server's answer to the upgrade that opened this connection. Transports that cannot see the response
     * headers (the JDK's) keep this default; {@code NioWebSocketTransport} (slipstream-transport-nio) reports them all.
     */
    default UpgradeResponse upgradeResponse() {
        return UpgradeResponse.headersNotVisible();
    }

    /** Drops the connection at once, without a closing handshake; no further listener calls are needed. */
    void abort();
}
