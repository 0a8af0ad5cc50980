package dev.slipstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Protocol;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One joined channel: the equivalent of a Phoenix channel process. Its mailbox and state are touched only on its
 * connection's serial executor; while a {@link HandleResult#later} result is pending the channel is busy and its
 * mailbox waits, as a Phoenix channel process does.
 */
final class Chan implements ChannelSocket {
    private enum State { JOINING, JOINED, ENDED }

    final Conn conn;
    final String topic;
    final ChannelHandler handler;
    /** The join_ref the client sent with phx_join (may be null): phx_close and phx_error carry it. */
    final String rawJoinRef;
    /** The join_ref of pushes and replies: the client's join_ref, or the join's ref. */
    final String joinRef;
    private final Map<String, Object> assigns;

    private volatile State state = State.JOINING;
    // ---- owned by the serial executor ----
    private final Deque<Runnable> mailbox = new ArrayDeque<>();
    private boolean busy;
    private boolean terminating;
    private ReplyRef currentRef;

    Chan(Conn conn, String topic, ChannelHandler handler, String rawJoinRef, String joinRef) {
        this.conn = conn;
        this.topic = topic;
        this.handler = handler;
        this.rawJoinRef = rawJoinRef;
        this.joinRef = joinRef;
        this.assigns = new HashMap<>(conn.assigns);
    }

    boolean isJoined() {
        return state == State.JOINED;
    }

    void subscribe() {
        conn.server.subscribe(this);
    }

    void joined() {
        state = State.JOINED;
        drain();
    }

    /** The channel is gone: unsubscribe, leave presence, drop the mailbox. Idempotent. */
    void ended() {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        mailbox.clear();
        conn.server.unsubscribe(this);
        conn.server.presences().untrackAll(this);
    }

    // ------------------------------------------------------------------ mailbox

    /** Whether {@link #drain} is running the mailbox now (on this connection's executor). */
    private boolean draining;

    private void enqueue(Runnable work) {
        if (state == State.ENDED) {
            return; // a message to a dead process
        }
        mailbox.add(work);
        drain();
    }

    private void drain() {
        if (draining) {
            // A handler sent itself a message (send, or a zero-delay action): it waits in the mailbox until the
            // current message is done and its reply is out, as send(self(), m) does in a Phoenix channel.
            return;
        }
        draining = true;
        try {
            while (state == State.JOINED && !busy) {
                Runnable next = mailbox.poll();
                if (next == null) {
                    return;
                }
                next.run();
            }
        } finally {
            draining = false;
        }
    }

    void deliverIn(Message m) {
        enqueue(() -> {
            HandleResult result;
            currentRef = new Ref(m.ref());
            try {
                result = handler.handleIn(m.event(), m.payload(), this);
                if (result == null) {
                    throw new IllegalStateException("handleIn(\"" + m.event() + "\") on " + topic + " returned null");
                }
            } catch (Throwable t) {
                crash(new ChannelException("handleIn(\"" + m.event() + "\") on " + topic + " raised", t), true);
                return;
            } finally {
                currentRef = null;
            }
            apply(result, m.ref(), false);
        });
    }

    void deliverInfo(Object message) {
        enqueue(() -> {
            HandleResult result;
            try {
                result = handler.handleInfo(message, this);
                if (result == null) {
                    throw new IllegalStateException("handleInfo(" + message + ") on " + topic + " returned null");
                }
            } catch (Throwable t) {
                crash(new ChannelException("handleInfo(" + message + ") on " + topic + " raised", t), true);
                return;
            }
            apply(result, null, true);
        });
    }

    void deliverLeave(Message m) {
        enqueue(() -> {
            conn.removeChannel(this); // first, so the test's view agrees with what the client sees next
            conn.writeReply(Message.reply(joinRef, m.ref(), topic, "ok", Payload.empty()));
            conn.write(Message.of(rawJoinRef, rawJoinRef, topic, Protocol.PHX_CLOSE, Payload.empty()));
            terminate(TerminateReason.LEFT);
        });
    }

    private void apply(HandleResult result, String ref, boolean fromInfo) {
        if (state == State.ENDED) {
            return;
        }
        if (result instanceof HandleResult.Replying r) {
            if (fromInfo) {
                crash(new ChannelException("handleInfo on " + topic + " returned a reply, but there is no message "
                        + "to reply to: use a ReplyRef saved in handleIn", null), true);
                return;
            }
            reply(ref, r.reply);
        } else if (result instanceof HandleResult.Stop s) {
            if (s.reply != null && !fromInfo) {
                reply(ref, s.reply);
            }
            stop(TerminateReason.NORMAL);
        } else if (result instanceof HandleResult.Later later) {
            busy = true;
            later.stage.whenComplete((r, error) -> conn.serial.execute(() -> {
                busy = false;
                if (error != null || r == null) {
                    crash(new ChannelException("the deferred result on " + topic + " failed",
                            error != null ? error : new NullPointerException("deferred result is null")), true);
                } else {
                    apply(r, ref, fromInfo);
                }
                drain();
            }));
        }
        // NoReply: nothing to send.
    }

    private void reply(String ref, Reply reply) {
        conn.writeReply(Message.reply(joinRef, ref, topic, reply.status(), reply.response()));
    }

    /** Stops normally: phx_close, then terminate (whose pushes still reach the client). */
    void stop(TerminateReason reason) {
        if (state == State.ENDED) {
            return;
        }
        conn.removeChannel(this);
        conn.write(Message.of(rawJoinRef, rawJoinRef, topic, Protocol.PHX_CLOSE, Payload.empty()));
        terminate(reason);
    }

    /** Crashes: phx_error, no terminate. */
    void crash(Throwable cause, boolean record) {
        if (state == State.ENDED) {
            return;
        }
        if (record) {
            conn.server.recordError(cause);
        }
        conn.removeChannel(this);
        Payload payload = conn.server.version() == PhoenixVersion.V1_8
                ? Payload.json(JsonNodeFactory.instance.objectNode().put("reason", "channel_crash"))
                : Payload.empty();
        conn.write(Message.of(rawJoinRef, rawJoinRef, topic, Protocol.PHX_ERROR, payload));
    }

    void terminate(TerminateReason reason) {
        terminating = true;
        try {
            handler.terminate(reason, this);
        } catch (Throwable t) {
            conn.server.recordError(new ChannelException("terminate(" + reason + ") on " + topic + " raised", t));
        } finally {
            terminating = false;
        }
    }

    // ------------------------------------------------------------------ ChannelSocket

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String joinRef() {
        return joinRef;
    }

    @Override
    public ServerConnection connection() {
        return conn;
    }

    @Override
    public Map<String, Object> assigns() {
        return assigns;
    }

    @Override
    public void push(String event, Object payload) {
        Payload p = Payloads.pushable(payload, "push payload");
        if (state == State.JOINING && conn.serial.inExecutor()) {
            throw new IllegalStateException("push(\"" + event + "\") inside join of " + topic
                    + ": Phoenix forbids pushing before the join reply; send yourself a message with "
                    + "socket.send(...) and push from handleInfo");
        }
        conn.run(() -> {
            if (state == State.JOINED || terminating) {
                conn.write(Message.of(joinRef, null, topic, event, p));
            } else if (state == State.ENDED) {
                conn.server.recordError(new IllegalStateException(
                        "push(\"" + event + "\") on " + topic + " after the channel ended: dropped"));
            }
        });
    }

    @Override
    public void broadcast(String event, Object payload) {
        conn.server.broadcast(topic, event, Payloads.pushable(payload, "broadcast payload"), null);
    }

    @Override
    public void broadcastFrom(String event, Object payload) {
        conn.server.broadcast(topic, event, Payloads.pushable(payload, "broadcast payload"), this);
    }

    @Override
    public ReplyRef replyRef() {
        ReplyRef ref = currentRef;
        if (ref == null || !conn.serial.inExecutor()) {
            throw new IllegalStateException("replyRef() is only available inside handleIn");
        }
        return ref;
    }

    @Override
    public void send(Object message) {
        conn.run(() -> deliverInfo(message));
    }

    @Override
    public Future<?> sendAfter(Duration delay, Object message) {
        return conn.server.schedule(() -> send(message), delay);
    }

    @Override
    public void track(String key, Object meta) {
        conn.server.presences().track(this, key, Payloads.object(meta, "presence meta"));
    }

    @Override
    public void updatePresence(String key, Object meta) {
        conn.server.presences().update(this, key, Payloads.object(meta, "presence meta"));
    }

    @Override
    public void untrack(String key) {
        conn.server.presences().untrack(this, key);
    }

    @Override
    public JsonNode presenceList() {
        return conn.server.presences().list(topic);
    }

    @Override
    public String toString() {
        return "ChannelSocket{" + topic + ", join_ref " + joinRef + ", " + conn.id + ", " + state + "}";
    }

    private final class Ref implements ReplyRef {
        private final String ref;

        Ref(String ref) {
            this.ref = ref;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public String joinRef() {
            return joinRef;
        }

        @Override
        public String ref() {
            return ref;
        }

        @Override
        public void reply(Reply reply) {
            conn.run(() -> conn.writeReply(Message.reply(joinRef, ref, topic, reply.status(), reply.response())));
        }

        @Override
        public String toString() {
            return "ReplyRef{" + topic + ", join_ref " + joinRef + ", ref " + ref + "}";
        }
    }
}
