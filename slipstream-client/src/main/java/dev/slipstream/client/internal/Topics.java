package dev.slipstream.client.internal;

import dev.slipstream.client.ClientClosedException;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectionLostException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.NotConnectedException;
import dev.slipstream.client.PushTimeoutException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.client.TopicClosedException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topics of a client and their lifecycle, as phoenix.js's channels have it: {@code JoinTopic} and
 * {@code LeaveTopic}, the join's reply ({@code TopicJoined}, or refused), the rejoin with backoff after a crash, a
 * refusal or a reconnect, a join made while not connected waiting for the connection (bounded by the push timeout),
 * and the ends of a topic ({@code TopicLeft}, {@code TopicClosed}). Each topic is a {@link TopicState}, keyed by
 * name; its pushes and their buffer are {@link Pushes}'. Owned by the {@link ConnectionOwner}; touched only on its
 * executor, except the joined snapshot that {@code isJoined} reads from any thread.
 *
 * <pre>{@code
 * topics.onJoin(command);     // JoinTopic: phx_join sent now, or once connected
 * topics.joined(t, response); // its ok reply: TopicJoined, the buffered pushes go out
 * topics.rejoinErrored();     // connected again: every errored topic is joined again
 * }</pre>
 */
final class Topics {
    private final ConnectionOwner owner;
    private final ClientConfig config;
    private final SlipstreamClient handle;
    private final ClientModule module;
    private final ClientEventListener listener;
    private final Scheduler scheduler;
    private final Delivery out;
    private final AwaitedReplies replies;
    private final Map<String, TopicState> topics = new LinkedHashMap<>();
    /** Tokens of per-topic timers, unique across topic incarnations, so a late timer never hits a newer topic. */
    private long timerTokens;
    /** The joined topics, for {@code isJoined} on any thread; replaced (never changed) on the owner's executor. */
    private volatile Set<String> joinedSnapshot = Set.of();

    Topics(ConnectionOwner owner, AwaitedReplies replies) {
        this.owner = owner;
        this.config = owner.config;
        this.handle = owner.handle;
        this.module = owner.module;
        this.listener = owner.listener;
        this.scheduler = owner.scheduler;
        this.out = owner.out;
        this.replies = replies;
    }

    /** The topic by name, or null when it is not joined, joining, errored or leaving. */
    TopicState get(String name) {
        return topics.get(name);
    }

    /** Whether {@code topic} is joined, from the snapshot: any thread may ask. */
    boolean isJoined(String topic) {
        return joinedSnapshot.contains(topic);
    }


    void onJoin(Command.JoinTopic j) {
        if (owner.connection.closed()) {
            out.fail(j.result(), new ClientClosedException("join on a closed client"));
            return;
        }
        TopicState t = topics.get(j.topic());
        if (t != null) {
            switch (t.phase) {
                case JOINED:
                    out.complete(j.result(), t.lastResponse);
                    return;
                case JOINING:
                    t.params = j.params();
                    t.joinWaiters.add(j.result());
                    return;
                case ERRORED:
                    t.params = j.params();
                    t.joinWaiters.add(j.result());
                    if (owner.connection.connected()) {
                        cancel(t.rejoinTimer);
                        t.rejoinTimer = null;
                        sendJoin(t, false);
                    } else {
                        startJoinWait(t);
                    }
                    return;
                default:
                    out.fail(j.result(), new TopicClosedException(j.topic(), "a leave is in progress"));
                    return;
            }
        }
        if (!owner.connection.connected() && !owner.connection.wantConnected()) {
            out.fail(j.result(), new NotConnectedException("cannot join \"" + j.topic() + "\": not connected"));
            return;
        }
        t = new TopicState(j.topic(), j.params());
        topics.put(t.topic, t);
        t.joinWaiters.add(j.result());
        if (owner.connection.connected()) {
            sendJoin(t, false);
        } else {
            // Connecting or waiting to reconnect: joined as soon as connected, as phoenix.js does.
            t.phase = TopicState.Phase.ERRORED;
            startJoinWait(t);
        }
    }

    /** A join made while not connected still ends within the push timeout, as phoenix.js's join push does. */
    private void startJoinWait(TopicState t) {
        if (t.joinWaitTimer != null) {
            return;
        }
        long token = ++timerTokens;
        t.joinWaitToken = token;
        String topic = t.topic;
        t.joinWaitTimer = scheduler.schedule(config.pushTimeout(), () -> owner.send(new Command.JoinWaitTimedOut(topic, token)));
    }

    void onJoinWaitTimeout(Command.JoinWaitTimedOut w) {
        TopicState t = topics.get(w.topic());
        if (t == null || t.joinWaitToken != w.token() || t.joinWaitTimer == null) {
            return;
        }
        t.joinWaitTimer = null;
        if (t.phase == TopicState.Phase.ERRORED && !t.joinWaiters.isEmpty()) {
            PushTimeoutException error = new PushTimeoutException(t.topic, Protocol.PHX_JOIN, config.pushTimeout());
            if (listener != null) {
                out.emit(new ClientEvent.PushTimedOut(t.topic, Protocol.PHX_JOIN, null, config.pushTimeout()));
            }
            joinFailed(t, error); // the topic stays and is joined once connected
        }
    }

    private void sendJoin(TopicState t, boolean rejoin) {
        Payload params;
        try {
            params = t.params.get();
            if (params == null) {
                throw new IllegalArgumentException("the join params supplier returned null");
            }
        } catch (RuntimeException e) {
            remove(t.topic);
            SlipstreamException error = new SlipstreamException("join params of \"" + t.topic + "\" failed: " + e, e);
            joinFailed(t, error);
            owner.pushes.failBuffer(t, () -> new TopicClosedException(t.topic, "join params failed"));
            publishJoined();
            return;
        }
        cancel(t.joinWaitTimer);
        t.joinWaitTimer = null;
        String ref = owner.writer.nextRef();
        t.joinRef = ref; // phoenix.js: the join's own ref is the join_ref of this incarnation
        t.phase = TopicState.Phase.JOINING;
        t.joinStartNanos = scheduler.nanoTime();
        AwaitedReply p = new AwaitedReply(AwaitedReply.Kind.JOIN, ref, t.topic, Protocol.PHX_JOIN, config.pushTimeout(), null);
        if (!owner.writer.write(Message.of(ref, ref, t.topic, Protocol.PHX_JOIN, params), p)) {
            return;
        }
        if (listener != null) {
            out.emit(new ClientEvent.JoinStarted(t.topic, ref, rejoin));
        }
    }

    void joined(TopicState t, Payload response) {
        t.phase = TopicState.Phase.JOINED;
        t.rejoinAttempt = 0;
        t.lastResponse = response;
        publishJoined();
        if (listener != null) {
            out.emit(new ClientEvent.TopicJoined(t.topic, response,
                    Duration.ofNanos(scheduler.nanoTime() - t.joinStartNanos)));
        }
        out.completeAll(t.joinWaiters, response);
        owner.pushes.sendBuffered(t);
        if (module != null) {
            out.callback("joined", () -> module.joined(handle, t.topic, response));
        }
    }

    void joinRefused(TopicState t, Payload response) {
        // By default final; with rejoinAfterRefusal the topic stays, errored, and is joined again with backoff as
        // phoenix.js does (buffered pushes keep their own timeouts), unless the callback leaves it.
        boolean retry = config.rejoinAfterRefusal();
        if (retry) {
            t.phase = TopicState.Phase.ERRORED;
        } else {
            remove(t.topic);
        }
        publishJoined();
        joinFailed(t, new JoinRefusedException(t.topic, response));
        if (!retry) {
            owner.pushes.failBuffer(t, () -> new TopicClosedException(t.topic, "join refused"));
        }
        topicClosed(t, new TopicCloseReason(TopicCloseReason.Kind.JOIN_REFUSED, response));
        if (retry && topics.get(t.topic) == t && t.phase == TopicState.Phase.ERRORED) {
            scheduleRejoin(t);
        }
    }

    void joinFailed(TopicState t, SlipstreamException error) {
        if (listener != null) {
            out.emit(new ClientEvent.JoinFailed(t.topic, error, Duration.ofNanos(scheduler.nanoTime() - t.joinStartNanos)));
        }
        out.failAll(t.joinWaiters, error);
    }

    /** The join's reply did not come in time. */
    void joinTimedOut(TopicState t, PushTimeoutException error) {
        // phoenix.js: leave the timed-out join on the server, then rejoin with backoff.
        owner.writer.write(Message.of(t.joinRef, owner.writer.nextRef(), t.topic, Protocol.PHX_LEAVE, Payload.empty()));
        t.joinRef = null; // whatever that incarnation still sends (its leave reply, its phx_close) is stale
        t.phase = TopicState.Phase.ERRORED;
        joinFailed(t, error);
        scheduleRejoin(t);
    }

    void onChannelError(TopicState t, Payload payload) {
        if (t.phase == TopicState.Phase.LEAVING) {
            topicLeft(t);
            return;
        }
        TopicState.Phase was = t.phase;
        t.phase = TopicState.Phase.ERRORED;
        publishJoined();
        owner.pushes.failTopicPushes(t, "the channel crashed");
        if (was == TopicState.Phase.JOINING) {
            AwaitedReply join = replies.get(t.joinRef);
            if (join != null) {
                replies.forget(join);
            }
            joinFailed(t, new TopicClosedException(t.topic, "the channel crashed during the join"));
        }
        topicClosed(t, new TopicCloseReason(TopicCloseReason.Kind.CRASHED, payload));
        if (!topics.containsKey(t.topic)) {
            return; // the callback left the topic
        }
        if (config.rejoinAfterCrash()) {
            scheduleRejoin(t);
        } else {
            remove(t.topic);
            owner.pushes.failBuffer(t, () -> new TopicClosedException(t.topic, "the channel crashed"));
        }
    }

    private void scheduleRejoin(TopicState t) {
        if (!owner.connection.connected()) {
            return; // rejoined on the next connect
        }
        t.rejoinAttempt++;
        Duration delay = config.rejoinBackoff().delay(t.rejoinAttempt);
        long token = ++timerTokens;
        t.rejoinToken = token;
        if (listener != null) {
            out.emit(new ClientEvent.RejoinScheduled(t.topic, t.rejoinAttempt, delay));
        }
        String topic = t.topic;
        t.rejoinTimer = scheduler.schedule(delay, () -> owner.send(new Command.RejoinDue(topic, token)));
    }

    void onLeave(Command.LeaveTopic l) {
        TopicState t = topics.get(l.topic());
        if (t == null) {
            out.complete(l.result(), null);
            return;
        }
        if (t.phase == TopicState.Phase.LEAVING) {
            t.leaveWaiters.add(l.result());
            return;
        }
        t.leaveWaiters.add(l.result());
        cancel(t.rejoinTimer);
        t.rejoinTimer = null;
        if (t.phase == TopicState.Phase.JOINING) {
            AwaitedReply join = replies.get(t.joinRef);
            if (join != null) {
                replies.forget(join);
            }
            out.failAll(t.joinWaiters, new TopicClosedException(t.topic, "left before the join completed"));
        }
        if (!owner.connection.connected() || t.phase == TopicState.Phase.ERRORED) {
            topicLeft(t); // nothing joined on the server: leaving is local
            return;
        }
        t.phase = TopicState.Phase.LEAVING;
        publishJoined();
        String ref = owner.writer.nextRef();
        AwaitedReply p = new AwaitedReply(AwaitedReply.Kind.LEAVE, ref, t.topic, Protocol.PHX_LEAVE, config.pushTimeout(), null);
        owner.writer.write(Message.of(t.joinRef, ref, t.topic, Protocol.PHX_LEAVE, Payload.empty()), p);
    }

    void topicLeft(TopicState t) {
        remove(t.topic);
        cancel(t.rejoinTimer);
        cancel(t.joinWaitTimer);
        out.failAll(t.joinWaiters, new TopicClosedException(t.topic, "left before the join completed"));
        publishJoined();
        owner.pushes.failTopicPushes(t, "the topic was left");
        owner.pushes.failBuffer(t, () -> new TopicClosedException(t.topic, "the topic was left"));
        for (AwaitedReply p : replies.snapshot()) {
            if (p.kind == AwaitedReply.Kind.LEAVE && p.topic.equals(t.topic)) {
                replies.forget(p);
            }
        }
        if (listener != null) {
            out.emit(new ClientEvent.TopicLeft(t.topic));
        }
        out.completeAll(t.leaveWaiters, null);
        if (module != null) {
            out.callback("left", () -> module.left(handle, t.topic));
        }
    }

    void topicClosed(TopicState t, TopicCloseReason reason) {
        if (listener != null) {
            out.emit(new ClientEvent.TopicClosed(t.topic, reason));
        }
        if (module != null) {
            out.callback("topicClosed", () -> module.topicClosed(handle, t.topic, reason));
        }
    }

    void onRejoinDue(Command.RejoinDue r) {
        TopicState t = topics.get(r.topic());
        if (t != null && t.rejoinToken == r.token() && t.phase == TopicState.Phase.ERRORED && owner.connection.connected()) {
            t.rejoinTimer = null;
            sendJoin(t, true);
        }
    }

    /** Connected (again): every errored topic is joined again at once, its backoff timer dropped. */
    void rejoinErrored() {
        for (TopicState t : new ArrayList<>(topics.values())) {
            if (t.phase == TopicState.Phase.ERRORED) {
                cancel(t.rejoinTimer);
                t.rejoinTimer = null;
                sendJoin(t, true);
            }
        }
    }

    /** The server closed the channel ({@code phx_close}): the end of a leave, or of the topic. */
    void onServerClose(TopicState t, Payload payload) {
        if (t.phase == TopicState.Phase.LEAVING) {
            topicLeft(t);
        } else {
            remove(t.topic);
            cancel(t.rejoinTimer);
            owner.pushes.failTopicPushes(t, "the server closed the channel");
            owner.pushes.failBuffer(t, () -> new TopicClosedException(t.topic, "the server closed the channel"));
            if (t.phase == TopicState.Phase.JOINING) {
                out.failAll(t.joinWaiters, new TopicClosedException(t.topic, "the server closed the channel"));
            }
            publishJoined();
            topicClosed(t, new TopicCloseReason(TopicCloseReason.Kind.SERVER_CLOSED, payload));
        }
    }

    /** A join that could not be encoded: its topic is dropped, as when its params fail. */
    void joinNotEncoded(String topic, RuntimeException e) {
        TopicState t = remove(topic);
        if (t != null) {
            joinFailed(t, new SlipstreamException("cannot encode the join of \"" + topic + "\": "
                    + e.getMessage(), e));
            owner.pushes.failBuffer(t, () -> new TopicClosedException(topic, "join could not be encoded"));
            publishJoined();
        }
    }

    /**
     * The connection ended: every reply awaited fails (a push's, a join's) or ends (a leave's), and every topic is
     * errored, to be joined again on the next connect. Returns the topics to forget when rejoin after reconnect is
     * off; {@link #forget} closes them after the {@code Disconnected} event.
     */
    List<String> connectionLost(DisconnectReason reason) {
        for (AwaitedReply p : replies.snapshot()) {
            replies.forget(p);
            TopicState t = topics.get(p.topic);
            if (p.kind == AwaitedReply.Kind.PUSH) {
                out.fail(p.result, new ConnectionLostException("reply to \"" + p.event + "\" on \"" + p.topic + "\"", reason));
            } else if (p.kind == AwaitedReply.Kind.JOIN && t != null && p.ref.equals(t.joinRef)) {
                joinFailed(t, new ConnectionLostException("join of \"" + p.topic + "\"", reason));
            } else if (p.kind == AwaitedReply.Kind.LEAVE && t != null) {
                topicLeft(t);
            }
        }
        List<String> forgotten = new ArrayList<>();
        for (TopicState t : topics.values()) {
            cancel(t.rejoinTimer);
            t.rejoinTimer = null;
            t.phase = TopicState.Phase.ERRORED;
            if (!config.rejoinAfterReconnect()) {
                forgotten.add(t.topic);
            }
        }
        replies.disarmIfIdle();
        publishJoined();
        return forgotten;
    }

    /** Closes the topics that {@link #connectionLost} returned: no rejoin after reconnect for them. */
    void forget(List<String> forgotten) {
        for (String name : forgotten) {
            TopicState t = remove(name);
            if (t != null) {
                cancel(t.joinWaitTimer);
                out.failAll(t.joinWaiters, new TopicClosedException(name, "connection lost and rejoin after reconnect is off"));
                owner.pushes.failBuffer(t, () -> new TopicClosedException(name, "connection lost and rejoin after reconnect is off"));
                topicClosed(t, new TopicCloseReason(TopicCloseReason.Kind.SERVER_CLOSED, Payload.empty()));
            }
        }
    }

    /** The client closes: every topic ends now, what waits on one fails (a leave completes). */
    void clientClosed() {
        for (TopicState t : new ArrayList<>(topics.values())) {
            cancel(t.rejoinTimer);
            cancel(t.joinWaitTimer);
            owner.pushes.failBuffer(t, () -> new ClientClosedException("client closed before the push was sent"));
            out.failAll(t.joinWaiters, new ClientClosedException("client closed during the join"));
            out.completeAll(t.leaveWaiters, null);
        }
        topics.values().forEach(owner.presence::drop);
        topics.clear();
        publishJoined();
    }

    private TopicState remove(String topic) {
        TopicState t = topics.remove(topic);
        if (t != null) {
            owner.presence.drop(t);
        }
        return t;
    }

    private void publishJoined() {
        HashSet<String> joined = new HashSet<>();
        for (TopicState t : topics.values()) {
            if (t.phase == TopicState.Phase.JOINED) {
                joined.add(t.topic);
            }
        }
        joinedSnapshot = Set.copyOf(joined);
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
