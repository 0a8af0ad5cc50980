package dev.slipstream.client.internal;

import dev.slipstream.protocol.Payload;
import dev.slipstream.client.time.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One topic as the {@link ConnectionOwner} tracks it: its phase, the join_ref of its current incarnation, its rejoin
 * and join-wait timers, who waits for its join or leave, and the pushes buffered until it is joined. Owner-only state.
 *
 * <pre>{@code
 * TopicState t = new TopicState("room:lobby", Payload::empty);
 * t.phase = TopicState.Phase.JOINED;
 * }</pre>
 */
final class TopicState {
    enum Phase { JOINING, JOINED, ERRORED, LEAVING }

    final String topic;
    Supplier<? extends Payload> params;
    Phase phase = Phase.JOINING;
    String joinRef;
    long joinStartNanos;
    Payload lastResponse = Payload.empty();
    int rejoinAttempt;
    long rejoinToken;
    Scheduler.Cancellable rejoinTimer;
    long joinWaitToken;
    Scheduler.Cancellable joinWaitTimer;
    // Sized for one waiter, the usual case: the array a list grows to stays after it is cleared.
    final List<CompletableFuture<Payload>> joinWaiters = new ArrayList<>(1);
    final List<CompletableFuture<Void>> leaveWaiters = new ArrayList<>(1);
    final ArrayDeque<BufferedPush> buffer = new ArrayDeque<>(0); // grows when used: most topics never buffer a push
    /** Who is online on this topic; made by the first presence message. */
    TopicPresence presence;

    TopicState(String topic, Supplier<? extends Payload> params) {
        this.topic = topic;
        this.params = params;
    }
}
