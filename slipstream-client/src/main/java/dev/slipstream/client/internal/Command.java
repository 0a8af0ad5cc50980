package dev.slipstream.client.internal;

import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the {@link ConnectionOwner} is asked to do: callers' method calls, transport reports and timer expiries all
 * become commands, applied one at a time on the client's serial executor. Timer and transport commands carry the
 * generation (connection attempt) or token they belong to, so a late one is recognised and ignored.
 *
 * <pre>{@code
 * owner.send(new Command.PushMessage("room:lobby", "ping", Payload.empty(), null, new CompletableFuture<>()));
 * }</pre>
 */
sealed interface Command {

    record Start() implements Command {
    }

    record Connect(CompletableFuture<Void> result) implements Command {
    }

    record Disconnect(CompletableFuture<Void> result) implements Command {
    }

    record Close(CompletableFuture<Void> result) implements Command {
    }

    record JoinTopic(String topic, Supplier<? extends Payload> params, CompletableFuture<Payload> result)
            implements Command {
    }

    record LeaveTopic(String topic, CompletableFuture<Void> result) implements Command {
    }

    record PushMessage(String topic, String event, Payload payload, Duration timeout,
            CompletableFuture<Payload.Reply> result) implements Command {
    }

    record TransportOpened(long generation, TransportConnection connection, Throwable error) implements Command {
    }

    record ConnectTimedOut(long generation) implements Command {
    }

    record FrameReceived(long generation, Frame frame) implements Command {
    }

    record TransportClosed(long generation, int code, String reason) implements Command {
    }

    record TransportFailed(long generation, Throwable error) implements Command {
    }

    record CloseTimedOut(long generation) implements Command {
    }

    record HeartbeatTick(long generation) implements Command {
    }

    record ReconnectDue(long token) implements Command {
    }

    record RejoinDue(String topic, long token) implements Command {
    }

    /** The deadline timer of the replies awaited fired; {@code token} tells a stale firing from the current one. */
    record DeadlinesDue(long token) implements Command {
    }

    record JoinWaitTimedOut(String topic, long token) implements Command {
    }

    record BufferedPushTimedOut(String topic, long id) implements Command {
    }
}
