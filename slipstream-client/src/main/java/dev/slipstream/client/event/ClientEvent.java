package dev.slipstream.client.event;

import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.client.transport.UpgradeResponse;
import dev.slipstream.protocol.DecodeException;
import dev.slipstream.protocol.Payload;
import java.time.Duration;

/**
 * What happens inside a client, as seen by a {@link ClientEventListener}: connects, disconnects, heartbeats, joins,
 * pushes, replies, messages, frames, callbacks and failures. Connect params and header values never appear (URIs are
 * redacted). Events are emitted by the client's owner, one at a time, in the order things happened.
 *
 * <pre>{@code
 * ClientEventListener listener = event -> {
 *     if (event instanceof ClientEvent.ReplyReceived r) {
 *         System.out.println(r.topic() + " replied in " + r.roundTrip().toMillis() + " ms");
 *     } else if (event instanceof ClientEvent.Disconnected d) {
 *         System.out.println("disconnected: " + d.reason());
 *     }
 * };
 * }</pre>
 */
public sealed interface ClientEvent {

    /**
     * A connect attempt began; {@code uri} has its params redacted, {@code attempt} is 0 for a first connect, n for the n-th reconnect.
     *
     * <pre>{@code
     * ClientEvent.ConnectStarted e = new ClientEvent.ConnectStarted("ws://h/socket/websocket?token=***&vsn=2.0.0", 0);
     * }</pre>
     */
    record ConnectStarted(String uri, int attempt) implements ClientEvent {
    }

    /**
     * The upgrade succeeded; {@code duration} covers TCP, TLS and the upgrade, {@code response} is the server's 101
     * with its headers (when the transport can see them, see {@link UpgradeResponse#headersVisible()}).
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.Connected c) { connectTimer.record(c.duration()); }
     * }</pre>
     */
    record Connected(String uri, Duration duration, UpgradeResponse response) implements ClientEvent {
    }

    /**
     * A connect attempt failed; the error tells 403 from 404 from a refused connection from a timeout.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.ConnectFailed f) { log.warn("connect failed: {}", f.error().httpStatus()); }
     * }</pre>
     */
    record ConnectFailed(String uri, Duration duration, ConnectFailedException error) implements ClientEvent {
    }

    /**
     * An established connection ended.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.Disconnected d) { log.info("down: {}", d.reason()); }
     * }</pre>
     */
    record Disconnected(DisconnectReason reason) implements ClientEvent {
    }

    /**
     * A reconnect will start after {@code delay}; {@code attempt} counts from 1 and resets on a connect.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.ReconnectScheduled r) { log.info("retry #{} in {}", r.attempt(), r.delay()); }
     * }</pre>
     */
    record ReconnectScheduled(int attempt, Duration delay) implements ClientEvent {
    }

    /**
     * A heartbeat {@code [null, ref, "phoenix", "heartbeat", {}]} was sent.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.HeartbeatSent h) { lastBeat = h.ref(); }
     * }</pre>
     */
    record HeartbeatSent(String ref) implements ClientEvent {
    }

    /**
     * The server answered a heartbeat.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.HeartbeatAcked a) { rtt.record(a.roundTrip()); }
     * }</pre>
     */
    record HeartbeatAcked(String ref, Duration roundTrip) implements ClientEvent {
    }

    /**
     * A heartbeat was still unanswered at the next tick: the connection is closed and reconnected.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.HeartbeatTimedOut) { deadLinks.increment(); }
     * }</pre>
     */
    record HeartbeatTimedOut(String ref) implements ClientEvent {
    }

    /**
     * A {@code phx_join} was sent; {@code rejoin} is true for automatic rejoins.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.JoinStarted j && j.rejoin()) { rejoins.increment(); }
     * }</pre>
     */
    record JoinStarted(String topic, String joinRef, boolean rejoin) implements ClientEvent {
    }

    /**
     * The server accepted a join.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.TopicJoined j) { joinTimer.record(j.duration()); }
     * }</pre>
     */
    record TopicJoined(String topic, Payload response, Duration duration) implements ClientEvent {
    }

    /**
     * A join failed: refused ({@code JoinRefusedException}), timed out or lost with the connection.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.JoinFailed f) { log.warn("join {} failed", f.topic(), f.error()); }
     * }</pre>
     */
    record JoinFailed(String topic, Throwable error, Duration duration) implements ClientEvent {
    }

    /**
     * A rejoin of {@code topic} will be sent after {@code delay}; attempts reset on a successful join.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.RejoinScheduled r) { log.info("rejoin {} in {}", r.topic(), r.delay()); }
     * }</pre>
     */
    record RejoinScheduled(String topic, int attempt, Duration delay) implements ClientEvent {
    }

    /**
     * A leave finished (server reply, or its timeout).
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.TopicLeft l) { joined.remove(l.topic()); }
     * }</pre>
     */
    record TopicLeft(String topic) implements ClientEvent {
    }

    /**
     * A topic stopped being joined without a leave: channel crash ({@code phx_error}), server stop ({@code phx_close}) or refused join.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.TopicClosed c) { log.warn("{} closed: {}", c.topic(), c.reason()); }
     * }</pre>
     */
    record TopicClosed(String topic, TopicCloseReason reason) implements ClientEvent {
    }

    /**
     * A push was written; {@code bytes} is the frame size.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.PushSent p) { outBytes.add(p.bytes()); }
     * }</pre>
     */
    record PushSent(String topic, String event, String ref, int bytes) implements ClientEvent {
    }

    /**
     * A push was buffered until its topic is (re)joined; {@code buffered} is the topic's buffer size now.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.PushBuffered b) { gauge.set(b.buffered()); }
     * }</pre>
     */
    record PushBuffered(String topic, String event, int buffered) implements ClientEvent {
    }

    /**
     * A push ended without being sent: refused at once (its topic's buffer full, the topic not joined, the client not
     * connected or closed) or failed while it waited in the buffer (the topic left or closed, its join refused, the
     * client closed). {@code error} is what its future failed with. A push that times out in the buffer is a
     * {@link PushTimedOut} with a null ref instead.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.PushDropped d) { dropped.increment(); log.warn("{}", d.error().getMessage()); }
     * }</pre>
     */
    record PushDropped(String topic, String event, SlipstreamException error) implements ClientEvent {
    }

    /**
     * A push (or join or leave) got no reply in time; {@code ref} is null if it was still buffered.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.PushTimedOut t) { timeouts.increment(); }
     * }</pre>
     */
    record PushTimedOut(String topic, String event, String ref, Duration timeout) implements ClientEvent {
    }

    /**
     * The reply to a push arrived.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.ReplyReceived r) { rtt.record(r.roundTrip()); }
     * }</pre>
     */
    record ReplyReceived(String topic, String ref, String status, Duration roundTrip) implements ClientEvent {
    }

    /**
     * A reply for a ref nobody waits for (late after a timeout, or unknown); otherwise ignored.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.UnmatchedReply u) { log.debug("late reply {}", u.ref()); }
     * }</pre>
     */
    record UnmatchedReply(String topic, String ref, String status) implements ClientEvent {
    }

    /**
     * A server push or broadcast for a joined topic was delivered.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.MessageReceived m) { inBytes.add(m.bytes()); }
     * }</pre>
     */
    record MessageReceived(String topic, String event, int bytes) implements ClientEvent {
    }

    /**
     * An inbound message was dropped: stale join_ref (an older join of the topic) or a topic not joined.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.MessageDropped d) { log.debug("dropped {}: {}", d.event(), d.why()); }
     * }</pre>
     */
    record MessageDropped(String topic, String event, String why) implements ClientEvent {
    }

    /**
     * A frame was handed to the transport.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.FrameSent f) { out.add(f.bytes()); }
     * }</pre>
     */
    record FrameSent(int bytes, boolean binary) implements ClientEvent {
    }

    /**
     * A whole frame arrived.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.FrameReceived f) { in.add(f.bytes()); }
     * }</pre>
     */
    record FrameReceived(int bytes, boolean binary) implements ClientEvent {
    }

    /**
     * A frame could not be decoded; it is dropped and the connection stays up.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.DecodeFailed d) { log.error("bad frame", d.error()); }
     * }</pre>
     */
    record DecodeFailed(DecodeException error, int bytes) implements ClientEvent {
    }

    /**
     * An inbound message exceeded the maximum; the connection was closed with 1009 and will be reconnected.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.MessageTooLarge m) { log.error("{} > {}", m.size(), m.limit()); }
     * }</pre>
     */
    record MessageTooLarge(long size, int limit) implements ClientEvent {
    }

    /**
     * A callback of the client module is about to run.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.CallbackStarted s) { log.trace("-> {}", s.callback()); }
     * }</pre>
     */
    record CallbackStarted(String callback) implements ClientEvent {
    }

    /**
     * A callback of the client module returned.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.CallbackFinished f) { callbackTimer.record(f.duration()); }
     * }</pre>
     */
    record CallbackFinished(String callback, Duration duration) implements ClientEvent {
    }

    /**
     * A callback of the client module threw; the client carries on.
     *
     * <pre>{@code
     * if (event instanceof ClientEvent.CallbackFailed f) { log.error("{} threw", f.callback(), f.error()); }
     * }</pre>
     */
    record CallbackFailed(String callback, Duration duration, Throwable error) implements ClientEvent {
    }
}
