package dev.slipstream.client.internal;

import dev.slipstream.protocol.Payload;
import dev.slipstream.client.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A push waiting in its topic's buffer for the (re)join, with its own timeout timer. Owner-only state.
 *
 * <pre>{@code
 * BufferedPush b = new BufferedPush(1, "ping", Payload.empty(), Duration.ofSeconds(10), future);
 * }</pre>
 */
final class BufferedPush {
    final long id;
    final String event;
    final Payload payload;
    final Duration timeout;
    final CompletableFuture<Payload.Reply> result;
    Scheduler.Cancellable timer;

    BufferedPush(long id, String event, Payload payload, Duration timeout, CompletableFuture<Payload.Reply> result) {
        this.id = id;
        this.event = event;
        this.payload = payload;
        this.timeout = timeout;
        this.result = result;
    }
}
