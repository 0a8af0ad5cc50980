package dev.slipstream.client.internal;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.protocol.DecodeException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Protocol;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Where each frame the server sends goes, as phoenix.js routes it: decoded, then a heartbeat's reply to the
 * {@link Heartbeat}, a reply to the join, leave or push awaiting it ({@code ReplyReceived}, {@code TopicJoined}...),
 * {@code phx_error} and {@code phx_close} to the {@link Topics}, presence to {@link PresenceUpdates}, and every other
 * message to the module ({@code MessageReceived}); a message of an older incarnation of its topic (a stale join_ref)
 * or of a topic not joined is dropped with the reason. Owned by the {@link ConnectionOwner}; touched only on its
 * executor.
 *
 * <pre>{@code
 * inbound.onFrame(new Command.FrameReceived(generation, frame)); // decoded and routed, or dropped
 * }</pre>
 */
final class InboundRouter {
    /** The owner's logger, as before this part had a file of its own: a logging setup that names it still works. */
    private static final System.Logger LOG = System.getLogger(ConnectionOwner.class.getName());

    private final ConnectionOwner owner;
    private final ClientConfig config;
    private final SlipstreamClient handle;
    private final ClientModule module;
    private final ClientEventListener listener;
    private final Scheduler scheduler;
    private final Delivery out;
    private final AwaitedReplies replies;

    InboundRouter(ConnectionOwner owner, AwaitedReplies replies) {
        this.owner = owner;
        this.config = owner.config;
        this.handle = owner.handle;
        this.module = owner.module;
        this.listener = owner.listener;
        this.scheduler = owner.scheduler;
        this.out = owner.out;
        this.replies = replies;
    }


    void onFrame(Command.FrameReceived f) {
        if (f.generation() != owner.connection.generation() || !owner.connection.receiving()) {
            return;
        }
        Frame frame = f.frame();
        int size = listener == null ? -1 : frame.size(); // a text frame's size is a pass over it: only for events
        if (listener != null) {
            out.emit(new ClientEvent.FrameReceived(size, frame instanceof Frame.Binary));
        }
        Message m;
        try {
            m = config.serializer().decodeFromServer(frame);
        } catch (DecodeException e) {
            if (listener != null) {
                out.emit(new ClientEvent.DecodeFailed(e, size));
            } else {
                LOG.log(Level.WARNING, "slipstream client dropped an undecodable frame: " + e.getMessage());
            }
            return;
        }
        route(m, size);
    }

    private void route(Message m, int size) {
        String topic = m.topic();
        String event = m.event();
        boolean isReply = m.isReply();
        if (isReply && Protocol.PHOENIX_TOPIC.equals(topic)) {
            if (!owner.heartbeat.acked(m.ref()) && listener != null) {
                out.emit(new ClientEvent.UnmatchedReply(topic, m.ref(), m.payload().asReply().status()));
            }
            return;
        }
        TopicState t = owner.topics.get(topic);
        String joinRef = m.joinRef();
        if (joinRef == null && m.ref() != null && (Protocol.PHX_CLOSE.equals(event) || Protocol.PHX_ERROR.equals(event))) {
            // Phoenix writes phx_close and phx_error with ref = the join_ref of the incarnation they end. V1 frames
            // have no join_ref, so the ref is what tells a late close of an older join from one of the current join.
            joinRef = m.ref();
        }
        if (t != null && joinRef != null && !joinRef.equals(t.joinRef)) {
            // An older incarnation of the topic (phoenix.js: "dropping outdated message").
            if (listener != null) {
                out.emit(new ClientEvent.MessageDropped(topic, event, "stale join_ref " + joinRef
                        + " (current " + t.joinRef + ")"));
            }
            return;
        }
        if (isReply) {
            onReply(m, t);
            return;
        }
        if (t == null) {
            if (listener != null) {
                out.emit(new ClientEvent.MessageDropped(topic, event, "topic not joined"));
            }
            return;
        }
        // Bound to this client's mapper (a wrapper sharing the text: nothing is parsed or copied until someone maps).
        Payload payload = m.payload().mappedBy(config.objectMapper(), topic, event);
        if (Protocol.PHX_ERROR.equals(event)) {
            owner.topics.onChannelError(t, payload);
        } else if (Protocol.PHX_CLOSE.equals(event)) {
            owner.topics.onServerClose(t, payload);
        } else {
            if (listener != null) {
                out.emit(new ClientEvent.MessageReceived(topic, event, size));
            }
            if (TopicPresence.STATE_EVENT.equals(event) || TopicPresence.DIFF_EVENT.equals(event)) {
                owner.presence.onPresence(t, event, m.payload());
            }
            if (module != null) {
                out.callback("message", () -> module.message(handle, topic, event, payload));
            }
        }
    }

    private void onReply(Message m, TopicState t) {
        Payload.Reply received = m.payload().asReply();
        AwaitedReply p = m.ref() == null ? null : replies.get(m.ref());
        if (p == null || !p.topic.equals(m.topic())) {
            if (listener != null) {
                out.emit(new ClientEvent.UnmatchedReply(m.topic(), m.ref(), received.status()));
            }
            return;
        }
        replies.forget(p);
        // A mapping error of the response names the event of the push (or phx_join) that it answers.
        Payload.Reply reply = received.mappedBy(config.objectMapper(), p.topic, p.event);
        if (p.kind == AwaitedReply.Kind.PUSH) {
            if (listener != null) {
                out.emit(new ClientEvent.ReplyReceived(p.topic, p.ref, reply.status(),
                        Duration.ofNanos(scheduler.nanoTime() - p.sentNanos)));
            }
            out.complete(p.result, reply);
            if (module != null) {
                out.callback("reply", () -> module.reply(handle, p.topic, p.ref, reply));
            }
        } else if (p.kind == AwaitedReply.Kind.JOIN) {
            if (t == null || !p.ref.equals(t.joinRef) || t.phase != TopicState.Phase.JOINING) {
                if (listener != null) {
                    out.emit(new ClientEvent.UnmatchedReply(m.topic(), m.ref(), reply.status()));
                }
            } else if (reply.isOk()) {
                owner.topics.joined(t, reply.response());
            } else {
                owner.topics.joinRefused(t, reply.response());
            }
        } else if (t != null) {
            owner.topics.topicLeft(t);
        }
    }
}
