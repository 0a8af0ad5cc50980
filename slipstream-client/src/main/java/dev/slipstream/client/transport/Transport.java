package dev.slipstream.client.transport;

import dev.slipstream.client.time.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The small interface the client talks to for moving websocket frames. A transport opens connections, moves frames
 * both ways and reports closes; it knows nothing of Phoenix (no decoding, no timers). The default is
 * {@link JdkWebSocketTransport}, on the JDK's {@code java.net.http} WebSocket; {@code NioWebSocketTransport} (slipstream-transport-nio) is a
 * leaner one on {@code java.nio} (less memory and CPU per connection, the upgrade response headers visible).
 *
 * <p>Contract: {@link #open} completes with a connection once the upgrade succeeded, or exceptionally with an
 * {@link UpgradeRejectedException} (the server answered the upgrade with an HTTP status other than 101), or another
 * exception (refused TCP connection, TLS failure, ...). Cancelling the returned future abandons the attempt (a link
 * that opens afterwards is dropped). The listener gets nothing before the returned future completes; then it gets
 * every whole message in order, then exactly one {@code onClosed} or
 * {@code onError}. Listener methods must be called one at a time and must not block; the client's listener only
 * hands the frame over to the client's owner.
 *
 * <pre>{@code
 * Transport transport = JdkWebSocketTransport.shared();
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("ws://localhost:4000/socket"))
 *     .transport(transport)
 *     .build();
 * }</pre>
 */
public interface Transport {

    /**
     * Opens one websocket connection. The future fails with {@link UpgradeRejectedException} when the server answers
     * the upgrade with another status, and with a {@link java.net.http.HttpTimeoutException} (such as
     * {@link java.net.http.HttpConnectTimeoutException}) when the request's connect timeout runs out; the client
     * reports these as a rejected and a timed-out connect, anything else as a network failure.
     */
    CompletableFuture<TransportConnection> open(TransportRequest request, TransportListener listener);

    /**
     * Where the client completes callers' futures, so where the stages chained on them run, given the client's
     * completion pool: by default that pool. A transport whose reading thread can leave its I/O to another thread
     * returns an executor that runs a task given while handling a frame on the thread that read it, once that thread
     * no longer does I/O (another thread ready to take the I/O over), and on the pool otherwise. Either way a task
     * never runs on a thread that is doing I/O, nor inside the listener call it was given in: callers' code can block
     * there without holding up any connection for long (NIO: about 17 ms at most, until the other thread takes
     * over).
     */
    default Executor completions(Executor pool) {
        return pool;
    }

    /**
     * Where the client's timers (heartbeats, backoff, push and join deadlines) fire, given the scheduler the client
     * would use: by default that one. Asked only when the application set no scheduler (the client then passes
     * {@link Scheduler#system()}); a scheduler the application set (a virtual clock in tests) is always kept. A transport that already runs a loop with timers may
     * host the client's there, so that a client on it needs no timer thread of its own: a task then runs on the
     * loop's thread, where it must only hand work to the client (as the client's tasks do), to the millisecond.
     */
    default Scheduler scheduler(Scheduler system) {
        return system;
    }
}
