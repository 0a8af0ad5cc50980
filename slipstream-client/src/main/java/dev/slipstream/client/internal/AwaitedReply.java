package dev.slipstream.client.internal;

import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A join, leave or push the {@link ConnectionOwner} sent and waits for the reply to, by its ref, with its deadline in
 * the owner's {@link Deadlines} until then. Owner-only state.
 *
 * <pre>{@code
 * AwaitedReply p = new AwaitedReply(AwaitedReply.Kind.PUSH, "7", "room:lobby", "ping", Duration.ofSeconds(10), future);
 * }</pre>
 */
final class AwaitedReply extends Deadlines.Entry {
    enum Kind { JOIN, LEAVE, PUSH }

    final Kind kind;
    final String ref;
    final String topic;
    final String event;
    final Duration timeout;
    final CompletableFuture<Payload.Reply> result;
    long sentNanos;

    AwaitedReply(Kind kind, String ref, String topic, String event, Duration timeout,
            CompletableFuture<Payload.Reply> result) {
        this.kind = kind;
        this.ref = ref;
        this.topic = topic;
        this.event = event;
        this.timeout = timeout;
        this.result = result;
    }
}
