package dev.slipstream.client.internal;

import dev.slipstream.client.ClientClosedException;
import dev.slipstream.client.NotConnectedException;
import dev.slipstream.client.PushBufferFullException;
import dev.slipstream.client.PushTimeoutException;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.TopicClosedException;
import dev.slipstream.client.TopicNotJoinedException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Pushes as the {@link ConnectionOwner} handles them: a {@code PushMessage} is sent at once to a joined topic,
 * buffered (with its own timeout) while its topic's join or the reconnect is under way, or dropped with the reason;
 * and the replies awaited (pushes, joins, leaves) time out here when their deadline passes. Owned by the
 * {@link ConnectionOwner}; touched only on its executor.
 *
 * <pre>{@code
 * pushes.onPush(command);            // PushMessage: sent, buffered or dropped
 * pushes.sendBuffered(t);            // the topic joined: its buffer goes out in order
 * pushes.failTopicPushes(t, "why");  // the topic ended: its pushes awaiting replies fail
 * }</pre>
 */
final class Pushes {
    private final ConnectionOwner owner;
    private final ClientConfig config;
    private final ClientEventListener listener;
    private final Scheduler scheduler;
    private final Delivery out;
    private final AwaitedReplies replies;
    /** Ids of buffered pushes, so a buffered push's timer finds its own push and no other. */
    private long bufferedIds;

    Pushes(ConnectionOwner owner, AwaitedReplies replies) {
        this.owner = owner;
        this.config = owner.config;
        this.listener = owner.listener;
        this.scheduler = owner.scheduler;
        this.out = owner.out;
        this.replies = replies;
    }

    void onPush(Command.PushMessage p) {
        if (owner.connection.closed()) {
            dropPush(p.topic(), p.event(), p.result(), new ClientClosedException("push on a closed client"));
            return;
        }
        Duration timeout = p.timeout() == null ? config.pushTimeout() : p.timeout();
        TopicState t = owner.topics.get(p.topic());
        if (t != null && t.phase == TopicState.Phase.JOINED && owner.connection.connected()) {
            sendPush(t, p.event(), p.payload(), timeout, p.result());
            return;
        }
        if (t != null && t.phase != TopicState.Phase.LEAVING && config.pushBufferSize() > 0
                && owner.connection.willBeConnected()) {
            if (t.buffer.size() >= config.pushBufferSize()) {
                dropPush(t.topic, p.event(), p.result(), new PushBufferFullException(t.topic, config.pushBufferSize()));
                return;
            }
            long id = ++bufferedIds;
            BufferedPush b = new BufferedPush(id, p.event(), p.payload(), timeout, p.result());
            String topic = t.topic;
            b.timer = scheduler.schedule(timeout, () -> owner.send(new Command.BufferedPushTimedOut(topic, id)));
            t.buffer.add(b);
            if (listener != null) {
                out.emit(new ClientEvent.PushBuffered(topic, p.event(), t.buffer.size()));
            }
            return;
        }
        if (t == null) {
            dropPush(p.topic(), p.event(), p.result(), new TopicNotJoinedException(p.topic(), "never joined, left or closed"));
        } else if (!owner.connection.connected()) {
            dropPush(p.topic(), p.event(), p.result(), new NotConnectedException("cannot push \"" + p.event() + "\" to \"" + p.topic()
                    + "\": not connected"));
        } else {
            dropPush(p.topic(), p.event(), p.result(),
                    new TopicNotJoinedException(p.topic(), t.phase.name().toLowerCase(java.util.Locale.ROOT)));
        }
    }

    /** The topic joined: its buffered pushes go out in the order they were made, each timer cancelled. */
    void sendBuffered(TopicState t) {
        while (!t.buffer.isEmpty() && owner.connection.connected()) {
            BufferedPush b = t.buffer.poll();
            cancel(b.timer);
            sendPush(t, b.event, b.payload, b.timeout, b.result);
        }
    }

    private void sendPush(TopicState t, String event, Payload payload, Duration timeout,
            CompletableFuture<Payload.Reply> result) {
        String ref = owner.writer.nextRef();
        AwaitedReply p = new AwaitedReply(AwaitedReply.Kind.PUSH, ref, t.topic, event, timeout, result);
        owner.writer.write(Message.of(t.joinRef, ref, t.topic, event, payload), p);
    }

    /** The deadline timer fired: each overdue reply times out, earliest first ({@link AwaitedReplies#takeDue}). */
    void onDeadlinesDue(long token) {
        for (AwaitedReply p : replies.takeDue(token)) {
            // An earlier one's handling (a leave timing out closes its topic) may have failed this one already.
            if (replies.remove(p)) {
                onPendingTimeout(p);
            }
        }
    }

    private void onPendingTimeout(AwaitedReply p) {
        String ref = p.ref;
        PushTimeoutException error = new PushTimeoutException(p.topic, p.event, p.timeout);
        if (listener != null) {
            out.emit(new ClientEvent.PushTimedOut(p.topic, p.event, ref, p.timeout));
        }
        TopicState t = owner.topics.get(p.topic);
        if (p.kind == AwaitedReply.Kind.PUSH) {
            out.fail(p.result, error);
        } else if (p.kind == AwaitedReply.Kind.LEAVE) {
            if (t != null) {
                owner.topics.topicLeft(t); // phoenix.js: a leave that times out closes the topic all the same
            }
        } else if (t != null && ref.equals(t.joinRef) && t.phase == TopicState.Phase.JOINING) {
            owner.topics.joinTimedOut(t, error);
        }
    }

    void onBufferedPushTimeout(Command.BufferedPushTimedOut b) {
        TopicState t = owner.topics.get(b.topic());
        if (t == null) {
            return;
        }
        for (Iterator<BufferedPush> it = t.buffer.iterator(); it.hasNext(); ) {
            BufferedPush x = it.next();
            if (x.id == b.id()) {
                it.remove();
                if (listener != null) {
                    out.emit(new ClientEvent.PushTimedOut(t.topic, x.event, null, x.timeout));
                }
                out.fail(x.result, new PushTimeoutException(t.topic, x.event, x.timeout));
                return;
            }
        }
    }

    /** The topic ended or crashed: its pushes awaiting replies fail with {@code why}. */
    void failTopicPushes(TopicState t, String why) {
        for (AwaitedReply p : replies.snapshot()) {
            if (p.kind == AwaitedReply.Kind.PUSH && p.topic.equals(t.topic)) {
                replies.forget(p);
                out.fail(p.result, new TopicClosedException(t.topic, why));
            }
        }
    }

    /** No join will come for the topic: its buffered pushes are dropped, each with a fresh error. */
    void failBuffer(TopicState t, Supplier<SlipstreamException> error) {
        BufferedPush b;
        while ((b = t.buffer.poll()) != null) {
            cancel(b.timer);
            dropPush(t.topic, b.event, b.result, error.get());
        }
    }

    /** The client closes: the pushes still awaiting replies fail now, whatever the close handshake does. */
    void clientClosed() {
        for (AwaitedReply p : replies.snapshot()) {
            if (p.kind == AwaitedReply.Kind.PUSH) {
                replies.forget(p);
                out.fail(p.result, new ClientClosedException("client closed before the reply"));
            }
        }
        replies.disarmIfIdle();
    }

    /** A push that ends unsent: the {@code PushDropped} event, then its future fails. */
    private void dropPush(String topic, String event, CompletableFuture<Payload.Reply> result, SlipstreamException error) {
        if (listener != null) {
            out.emit(new ClientEvent.PushDropped(topic, event, error));
        }
        out.fail(result, error);
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
