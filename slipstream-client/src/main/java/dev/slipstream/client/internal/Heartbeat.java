package dev.slipstream.client.internal;

import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.protocol.Message;
import java.time.Duration;
import java.util.Optional;

/**
 * The heartbeat of a connected client, as phoenix.js keeps it: every interval a {@code heartbeat} on the
 * {@code phoenix} topic, and if the previous one is still unanswered when the next is due, the link is taken for
 * dead (closed without waiting for an answer it will never give) and the connection is lost. Owned by the
 * {@link ConnectionOwner}; touched only on its executor. Its timer only hands the owner a {@code HeartbeatTick}.
 *
 * <pre>{@code
 * heartbeat.start();           // connected: first heartbeat after one interval
 * heartbeat.onTick(generation); // HeartbeatTick: send one, or give up on the link
 * heartbeat.acked("12");        // a reply on the phoenix topic: true if it answers the pending heartbeat
 * }</pre>
 */
final class Heartbeat {
    private final ConnectionOwner owner;
    private final ClientConfig config;
    private final ClientEventListener listener;
    private final Scheduler scheduler;
    private final Delivery out;
    private Scheduler.Cancellable timer;
    /** The ref of the heartbeat sent and not answered yet, else null. */
    private String pending;
    private long sentNanos;

    Heartbeat(ConnectionOwner owner) {
        this.owner = owner;
        this.config = owner.config;
        this.listener = owner.listener;
        this.scheduler = owner.scheduler;
        this.out = owner.out;
    }

    /** Connected: nothing pending from an older link, the first heartbeat one interval from now. */
    void start() {
        pending = null;
        schedule();
    }

    /**
     * No more heartbeats (a clean close started). The one in flight may still be answered while the close runs.
     */
    void stop() {
        if (timer != null) {
            timer.cancel();
        }
        timer = null;
    }

    /** The connection ended: no more heartbeats, and no answer is awaited any more. */
    void ended() {
        stop();
        pending = null;
    }

    void onTick(long gen) {
        if (gen != owner.connection.generation() || !owner.connection.connected()) {
            return;
        }
        if (pending != null) {
            String ref = pending;
            if (listener != null) {
                out.emit(new ClientEvent.HeartbeatTimedOut(ref));
            }
            closeDeadLink(owner.connection.transport(), 1000, "heartbeat timeout");
            owner.connection.connectionLost(new DisconnectReason(DisconnectReason.Kind.HEARTBEAT_TIMEOUT, 1000,
                    "heartbeat timeout", Optional.empty()));
            return;
        }
        String ref = owner.writer.nextRef();
        pending = ref;
        sentNanos = scheduler.nanoTime();
        owner.writer.write(Message.heartbeat(ref));
        if (listener != null) {
            out.emit(new ClientEvent.HeartbeatSent(ref));
        }
        schedule();
    }

    /** A reply on the {@code phoenix} topic: true (and {@code HeartbeatAcked}) if it answers the pending heartbeat. */
    boolean acked(String ref) {
        if (ref == null || !ref.equals(pending)) {
            return false;
        }
        pending = null;
        if (listener != null) {
            out.emit(new ClientEvent.HeartbeatAcked(ref, Duration.ofNanos(scheduler.nanoTime() - sentNanos)));
        }
        return true;
    }

    private void schedule() {
        if (config.heartbeatInterval().isZero()) {
            return;
        }
        long gen = owner.connection.generation();
        timer = scheduler.schedule(config.heartbeatInterval(), () -> owner.send(new Command.HeartbeatTick(gen)));
    }

    /** Sends a close frame but does not wait for an answer that a dead link will never give. */
    private void closeDeadLink(TransportConnection dead, int code, String reason) {
        owner.writer.flush();
        dead.close(code, reason);
        scheduler.schedule(config.closeTimeout(), dead::abort);
    }
}
