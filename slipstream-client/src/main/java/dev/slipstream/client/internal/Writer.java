package dev.slipstream.client.internal;

import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.transport.TransportConnection;
import dev.slipstream.protocol.EncodeException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Serializer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link ConnectionOwner}'s way out to the wire: hands out the refs, encodes each message, registers the reply it
 * awaits, and keeps the frames of the owner's current drain in an outbox that goes to the transport in one call when
 * the owner runs dry, so a burst of pushes costs one transport call, not one per frame. Owned by the
 * {@link ConnectionOwner}; touched only on its executor.
 *
 * <pre>{@code
 * String ref = writer.nextRef();
 * writer.write(Message.of(joinRef, ref, "room:lobby", "ping", payload), awaitedPush); // into the outbox
 * writer.flush();                                                                      // owner ran dry: one send
 * }</pre>
 */
final class Writer {
    private final ConnectionOwner owner;
    private final Serializer serializer;
    private final ClientEventListener listener;
    private final Delivery out;
    private final AwaitedReplies replies;
    /** Frames written while the owner drains a burst of commands, sent together when it runs dry. */
    private final List<Frame> outbox = new ArrayList<>();
    private long refCounter;

    Writer(ConnectionOwner owner, AwaitedReplies replies) {
        this.owner = owner;
        this.serializer = owner.config.serializer();
        this.listener = owner.listener;
        this.out = owner.out;
        this.replies = replies;
    }

    /** The ref of the next message written: heartbeats, joins, leaves and pushes share one counter. */
    String nextRef() {
        return Long.toString(++refCounter);
    }

    boolean write(Message m) {
        return write(m, null);
    }

    /**
     * Encodes {@code m} into the outbox; registers {@code awaiting} (with its timeout) for the reply. False when
     * {@code m} cannot be encoded: what waited for it has failed then (a push's future; a join's topic is dropped).
     */
    boolean write(Message m, AwaitedReply awaiting) {
        Frame frame;
        try {
            frame = serializer.encodeToServer(m);
        } catch (EncodeException | IllegalArgumentException e) {
            if (awaiting != null && awaiting.result != null) {
                out.fail(awaiting.result, new SlipstreamException("cannot encode \"" + m.event() + "\" on \""
                        + m.topic() + "\": " + e.getMessage(), e));
            } else if (awaiting != null && awaiting.kind == AwaitedReply.Kind.JOIN) {
                owner.topics.joinNotEncoded(m.topic(), e);
            }
            return false;
        }
        if (awaiting != null) {
            replies.await(awaiting);
        }
        outbox.add(frame); // sent with the rest of the burst when the owner runs dry (whenIdle)
        if (listener != null) {
            int size = frame.size();
            out.emit(new ClientEvent.FrameSent(size, frame instanceof Frame.Binary));
            if (awaiting != null && awaiting.kind == AwaitedReply.Kind.PUSH) {
                out.emit(new ClientEvent.PushSent(m.topic(), m.event(), m.ref(), size));
            }
        }
        return true;
    }

    /**
     * Sends the frames of the burst the owner just drained, in one call so a transport can write them in one go.
     * Runs when the owner runs dry, and before anything else reaches the transport (a close, an abort) or the
     * transport changes.
     */
    void flush() {
        if (outbox.isEmpty()) {
            return;
        }
        TransportConnection transport = owner.connection.transport();
        if (transport == null) {
            outbox.clear(); // the connection ended in this burst; what waited for it has failed already
            return;
        }
        CompletableFuture<Void> sent = outbox.size() == 1 ? transport.send(outbox.get(0)) : transport.sendAll(outbox);
        outbox.clear();
        if (!sent.isDone() || sent.isCompletedExceptionally()) {
            sent.whenComplete(owner.connection.sendFailed()); // one listener per connection, not a new one per frame
        }
    }
}
