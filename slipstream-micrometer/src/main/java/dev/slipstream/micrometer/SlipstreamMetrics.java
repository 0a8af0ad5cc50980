package dev.slipstream.micrometer;

import dev.slipstream.client.ClientClosedException;
import dev.slipstream.client.JoinRefusedException;
import dev.slipstream.client.NotConnectedException;
import dev.slipstream.client.PushBufferFullException;
import dev.slipstream.client.PushTimeoutException;
import dev.slipstream.client.TopicClosedException;
import dev.slipstream.client.TopicNotJoinedException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ClientEventListener} that turns a client's events into Micrometer meters, every one tagged
 * {@code client=<name>} plus any tags given here. Register it as the client's event listener (combine it with
 * others through {@link ClientEventListener#all}); one instance may serve several clients of one name (a pool), whose
 * figures then add up.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>Name</th><th>Type</th><th>Extra tag</th><th>Counts or measures</th></tr>
 * <tr><td>{@code slipstream.connections}</td><td>gauge</td><td></td><td>connections open now</td></tr>
 * <tr><td>{@code slipstream.connect.duration}</td><td>timer</td><td></td><td>successful connects: TCP, TLS and upgrade</td></tr>
 * <tr><td>{@code slipstream.connect.failures}</td><td>counter</td><td>{@code kind}: rejected, network, timeout</td><td>failed connect attempts</td></tr>
 * <tr><td>{@code slipstream.disconnects}</td><td>counter</td><td>{@code reason}: client_requested, server_closed, heartbeat_timeout, message_too_large, transport_error</td><td>connections ended</td></tr>
 * <tr><td>{@code slipstream.reconnects}</td><td>counter</td><td></td><td>reconnects scheduled</td></tr>
 * <tr><td>{@code slipstream.joins}</td><td>timer</td><td>{@code result}: ok, refused, timeout, error</td><td>joins and rejoins, by how they ended</td></tr>
 * <tr><td>{@code slipstream.rejoins}</td><td>counter</td><td></td><td>rejoins scheduled (after a crash, refusal or timeout)</td></tr>
 * <tr><td>{@code slipstream.pushes}</td><td>timer</td><td>{@code status}: ok, error, other</td><td>push to reply, by the reply's status</td></tr>
 * <tr><td>{@code slipstream.push.timeouts}</td><td>counter</td><td></td><td>pushes without a reply in time (sent or still buffered)</td></tr>
 * <tr><td>{@code slipstream.push.buffered}</td><td>counter</td><td></td><td>pushes that waited for their topic's (re)join</td></tr>
 * <tr><td>{@code slipstream.push.dropped}</td><td>counter</td><td>{@code reason}: buffer_full, not_joined, not_connected, topic_closed, client_closed, other</td><td>pushes that ended unsent</td></tr>
 * <tr><td>{@code slipstream.heartbeat.round.trip}</td><td>timer</td><td></td><td>heartbeat to its reply</td></tr>
 * <tr><td>{@code slipstream.heartbeat.timeouts}</td><td>counter</td><td></td><td>heartbeats unanswered at the next tick</td></tr>
 * <tr><td>{@code slipstream.bytes.sent}, {@code slipstream.bytes.received}</td><td>counter (bytes)</td><td></td><td>websocket message payload bytes</td></tr>
 * <tr><td>{@code slipstream.messages.received}</td><td>counter</td><td></td><td>server pushes and broadcasts delivered</td></tr>
 * <tr><td>{@code slipstream.messages.dropped}</td><td>counter</td><td></td><td>inbound messages dropped (stale join_ref, topic not joined)</td></tr>
 * <tr><td>{@code slipstream.callback.failures}</td><td>counter</td><td></td><td>module callbacks that threw</td></tr>
 * </table>
 *
 * <p>Tag values come from fixed sets, never from topics, events or server-chosen strings, so the number of time series
 * stays bounded whatever the traffic. Recording runs on the client's owner thread and costs a map lookup at most.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry(); // or your Prometheus, OTLP, ... registry
 * SlipstreamClient client = SlipstreamClient.builder("wss://example.com/socket")
 *     .name("orders")
 *     .eventListener(SlipstreamMetrics.of(registry, "orders"))
 *     .build();
 * }</pre>
 */
public final class SlipstreamMetrics implements ClientEventListener {

    private final AtomicInteger connections = new AtomicInteger();
    private final Timer connectDuration;
    private final Meter.MeterProvider<Counter> connectFailures;
    private final Meter.MeterProvider<Counter> disconnects;
    private final Counter reconnects;
    private final Meter.MeterProvider<Timer> joins;
    private final Counter rejoins;
    private final Meter.MeterProvider<Timer> pushes;
    private final Counter pushTimeouts;
    private final Counter pushBuffered;
    private final Meter.MeterProvider<Counter> pushDropped;
    private final Timer heartbeatRoundTrip;
    private final Counter heartbeatTimeouts;
    private final Counter bytesSent;
    private final Counter bytesReceived;
    private final Counter messagesReceived;
    private final Counter messagesDropped;
    private final Counter callbackFailures;

    private SlipstreamMetrics(MeterRegistry registry, Tags tags) {
        Gauge.builder("slipstream.connections", connections, AtomicInteger::get).tags(tags)
                .description("Websocket connections open now").register(registry);
        connectDuration = Timer.builder("slipstream.connect.duration").tags(tags)
                .description("Time to connect: TCP, TLS and the websocket upgrade").register(registry);
        connectFailures = Counter.builder("slipstream.connect.failures").tags(tags)
                .description("Failed connect attempts, by kind").withRegistry(registry);
        disconnects = Counter.builder("slipstream.disconnects").tags(tags)
                .description("Connections ended, by reason").withRegistry(registry);
        reconnects = counter(registry, tags, "slipstream.reconnects", "Reconnects scheduled");
        joins = Timer.builder("slipstream.joins").tags(tags)
                .description("Joins and rejoins, by result").withRegistry(registry);
        rejoins = counter(registry, tags, "slipstream.rejoins", "Rejoins scheduled");
        pushes = Timer.builder("slipstream.pushes").tags(tags)
                .description("Push to reply, by reply status").withRegistry(registry);
        pushTimeouts = counter(registry, tags, "slipstream.push.timeouts", "Pushes without a reply in time");
        pushBuffered = counter(registry, tags, "slipstream.push.buffered", "Pushes that waited for their topic's join");
        pushDropped = Counter.builder("slipstream.push.dropped").tags(tags)
                .description("Pushes that ended unsent, by reason").withRegistry(registry);
        heartbeatRoundTrip = Timer.builder("slipstream.heartbeat.round.trip").tags(tags)
                .description("Heartbeat to its reply").register(registry);
        heartbeatTimeouts = counter(registry, tags, "slipstream.heartbeat.timeouts", "Heartbeats unanswered in time");
        bytesSent = Counter.builder("slipstream.bytes.sent").tags(tags).baseUnit("bytes")
                .description("Websocket message bytes sent").register(registry);
        bytesReceived = Counter.builder("slipstream.bytes.received").tags(tags).baseUnit("bytes")
                .description("Websocket message bytes received").register(registry);
        messagesReceived = counter(registry, tags, "slipstream.messages.received", "Server pushes and broadcasts");
        messagesDropped = counter(registry, tags, "slipstream.messages.dropped", "Inbound messages dropped");
        callbackFailures = counter(registry, tags, "slipstream.callback.failures", "Module callbacks that threw");
    }

    private static Counter counter(MeterRegistry registry, Tags tags, String name, String description) {
        return Counter.builder(name).tags(tags).description(description).register(registry);
    }

    /** Meters in {@code registry} tagged {@code client=clientName}. */
    public static SlipstreamMetrics of(MeterRegistry registry, String clientName) {
        return of(registry, clientName, Tags.empty());
    }

    /** Meters in {@code registry} tagged {@code client=clientName} and {@code extraTags} (e.g. a region). */
    public static SlipstreamMetrics of(MeterRegistry registry, String clientName, Iterable<Tag> extraTags) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(extraTags, "extraTags");
        return new SlipstreamMetrics(registry, Tags.of("client", clientName).and(extraTags));
    }

    @Override
    public void onEvent(ClientEvent event) {
        if (event instanceof ClientEvent.FrameSent f) {
            bytesSent.increment(f.bytes());
        } else if (event instanceof ClientEvent.FrameReceived f) {
            bytesReceived.increment(f.bytes());
        } else if (event instanceof ClientEvent.ReplyReceived r) {
            pushes.withTags("status", status(r.status())).record(r.roundTrip());
        } else if (event instanceof ClientEvent.MessageReceived) {
            messagesReceived.increment();
        } else if (event instanceof ClientEvent.HeartbeatAcked h) {
            heartbeatRoundTrip.record(h.roundTrip());
        } else if (event instanceof ClientEvent.PushBuffered) {
            pushBuffered.increment();
        } else if (event instanceof ClientEvent.PushDropped d) {
            pushDropped.withTags("reason", dropReason(d)).increment();
        } else if (event instanceof ClientEvent.PushTimedOut t) {
            if (!t.event().equals("phx_join") && !t.event().equals("phx_leave")) { // a join's is in slipstream.joins
                pushTimeouts.increment();
            }
        } else if (event instanceof ClientEvent.TopicJoined j) {
            joins.withTags("result", "ok").record(j.duration());
        } else if (event instanceof ClientEvent.JoinFailed j) {
            joins.withTags("result", joinResult(j.error())).record(j.duration());
        } else if (event instanceof ClientEvent.RejoinScheduled) {
            rejoins.increment();
        } else if (event instanceof ClientEvent.Connected c) {
            connections.incrementAndGet();
            connectDuration.record(c.duration());
        } else if (event instanceof ClientEvent.ConnectFailed f) {
            connectFailures.withTags("kind", lower(f.error().kind())).increment();
        } else if (event instanceof ClientEvent.Disconnected d) {
            connections.updateAndGet(n -> Math.max(0, n - 1));
            disconnects.withTags("reason", lower(d.reason().kind())).increment();
        } else if (event instanceof ClientEvent.ReconnectScheduled) {
            reconnects.increment();
        } else if (event instanceof ClientEvent.HeartbeatTimedOut) {
            heartbeatTimeouts.increment();
        } else if (event instanceof ClientEvent.MessageDropped) {
            messagesDropped.increment();
        } else if (event instanceof ClientEvent.CallbackFailed) {
            callbackFailures.increment();
        }
    }

    /** The reply status as a bounded tag: a server may send any string. */
    private static String status(String status) {
        return "ok".equals(status) || "error".equals(status) ? status : "other";
    }

    private static String joinResult(Throwable error) {
        if (error instanceof JoinRefusedException) {
            return "refused";
        }
        return error instanceof PushTimeoutException ? "timeout" : "error";
    }

    private static String dropReason(ClientEvent.PushDropped d) {
        Throwable e = d.error();
        if (e instanceof PushBufferFullException) {
            return "buffer_full";
        } else if (e instanceof TopicNotJoinedException) {
            return "not_joined";
        } else if (e instanceof NotConnectedException) {
            return "not_connected";
        } else if (e instanceof TopicClosedException) {
            return "topic_closed";
        } else if (e instanceof ClientClosedException) {
            return "client_closed";
        }
        return "other";
    }

    private static String lower(Enum<?> kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "SlipstreamMetrics[connections=" + connections.get() + "]";
    }
}
