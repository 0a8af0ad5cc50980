package dev.slipstream.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.DecodeException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Protocol;
import dev.slipstream.protocol.Serializer;
import dev.slipstream.testing.internal.PhoenixJson;
import dev.slipstream.testing.internal.SerialExecutor;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * One websocket connection: the equivalent of Phoenix's transport process. Every field below the "owned by the
 * serial executor" line is touched only by tasks of {@link #serial}, which is what makes the connection sequential.
 */
final class Conn implements ServerConnection {
    final FakePhoenixServer server;
    final String id;
    final WebSocketChannel ws;
    final Serializer serializer;
    final ConnectRequest request;
    final Map<String, Object> assigns;
    final String socketId;
    final SerialExecutor serial;

    private final List<RecordedFrame> recording = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> joinedView = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;
    private volatile boolean ignoreHeartbeats;
    private volatile Duration replyDelay = Duration.ZERO;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile int closeCodeSent = -1;
    private volatile ScheduledFuture<?> idleTimer;

    // ---- owned by the serial executor ----
    private final Map<String, Chan> channels = new LinkedHashMap<>();
    private final Deque<Inbound> inbox = new ArrayDeque<>();
    private boolean joinPending;
    private boolean closedHandled;

    Conn(FakePhoenixServer server, String id, WebSocketChannel ws, Serializer serializer, ConnectRequest request,
            ConnectResult.Accept accepted) {
        this.server = server;
        this.id = id;
        this.ws = ws;
        this.serializer = serializer;
        this.request = request;
        this.assigns = accepted.assigns;
        this.socketId = accepted.socketId;
        this.serial = new SerialExecutor(server.pool(), server::recordError);
    }

    private void record(RecordedFrame frame) {
        if (server.recording()) {
            recording.add(frame);
        }
    }

    // ------------------------------------------------------------------ inbound (called on the I/O thread)

    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    void onFrame(Frame frame) {
        touch();
        Instant at = Instant.now();
        serial.execute(() -> {
            // Decoded and recorded in arrival order, even when a pending join holds the frame back.
            Inbound in;
            try {
                in = new Inbound(frame, serializer.decodeFromClient(frame), null);
            } catch (DecodeException e) {
                in = new Inbound(frame, null, e);
            }
            record(new RecordedFrame(RecordedFrame.Direction.IN, at, frame, in.message));
            inbox.add(in);
            pump();
        });
    }

    /** A frame as it arrived: decoded, or the reason it does not decode. */
    private record Inbound(Frame frame, Message message, DecodeException error) {}

    void startIdleTimer() {
        scheduleIdleCheck(server.idleTimeout().toNanos());
    }

    private void scheduleIdleCheck(long delayNanos) {
        if (!open) {
            return;
        }
        idleTimer = server.schedule(() -> serial.execute(this::checkIdle), Duration.ofNanos(delayNanos));
    }

    private void checkIdle() {
        if (!open) {
            return;
        }
        long timeout = server.idleTimeout().toNanos();
        long idle = System.nanoTime() - lastActivityNanos;
        if (idle >= timeout) {
            closeWithCode(server.idleCloseCode());
        } else {
            scheduleIdleCheck(timeout - idle);
        }
    }

    // ------------------------------------------------------------------ inbound (serial executor)

    /** Handles queued frames until a join is pending (Phoenix's transport blocks on join/3). */
    private void pump() {
        while (!joinPending && open) {
            Inbound in = inbox.poll();
            if (in == null) {
                return;
            }
            if (in.error != null) {
                server.notifyListeners(l -> l.onUndecodable(this, in.frame, in.error));
                // Phoenix's transport process crashes on undecodable input: close 1011, no frame first.
                inbox.clear();
                closeWithCode(1011);
                return;
            }
            Message message = in.message;
            server.notifyListeners(l -> l.onInbound(this, message));
            handle(message);
        }
    }

    private void handle(Message m) {
        String topic = m.topic();
        String event = m.event();
        if (Protocol.PHOENIX_TOPIC.equals(topic) && Protocol.HEARTBEAT.equals(event)) {
            if (!ignoreHeartbeats && !server.ignoringHeartbeats()) {
                writeReply(Message.reply(null, m.ref(), Protocol.PHOENIX_TOPIC, "ok", Payload.empty()));
            }
            return;
        }
        Chan existing = channels.get(topic);
        if (Protocol.PHX_JOIN.equals(event)) {
            Message closeOld = null;
            if (existing != null) {
                // Duplicate join: last join wins. Phoenix kills the old channel with {:shutdown, :duplicate_join};
                // channels do not trap exits, so its terminate/2 does not run. Its phx_close follows the new reply.
                removeChannel(existing);
                closeOld = Message.of(existing.rawJoinRef, existing.rawJoinRef, topic, Protocol.PHX_CLOSE, Payload.empty());
            }
            join(m, closeOld);
            return;
        }
        if (existing != null) {
            boolean current = existing.rawJoinRef == null || existing.rawJoinRef.equals(m.joinRef())
                    || (m.joinRef() == null && server.version() == PhoenixVersion.V1_8);
            if (Protocol.PHX_LEAVE.equals(event)) {
                if (current) {
                    existing.deliverLeave(m);
                }
                // else: the client raced a server close, which was already sent; Phoenix ignores it.
                return;
            }
            if (!current && server.version().dropsStaleJoinRefs()) {
                return; // stale join_ref (Phoenix >= 1.8.3): dropped without a reply
            }
            existing.deliverIn(m);
            return;
        }
        if (Protocol.PHX_LEAVE.equals(event)) {
            writeReply(Message.reply(m.joinRef(), m.ref(), topic, "ok", Payload.empty()));
            return;
        }
        writeReply(unmatched(m));
    }

    private static Message unmatched(Message m) {
        ObjectNode reason = JsonNodeFactory.instance.objectNode().put("reason", "unmatched topic");
        return Message.reply(null, m.ref(), m.topic(), "error", Payload.json(reason));
    }

    private void join(Message m, Message closeOld) {
        String topic = m.topic();
        FakePhoenixServer.Route route = server.route(topic);
        if (route == null) {
            write(unmatched(m));
            writeIfPresent(closeOld);
            return;
        }
        if (channels.size() >= server.maxChannels()) {
            ObjectNode reason = JsonNodeFactory.instance.objectNode().put("reason", "too many channels joined");
            write(Message.reply(m.joinRef(), m.ref(), topic, "error", Payload.json(reason)));
            writeIfPresent(closeOld);
            return;
        }
        Chan chan;
        JoinResult result;
        try {
            chan = new Chan(this, topic, route.handler(), m.joinRef(), m.joinRef() != null ? m.joinRef() : m.ref());
            result = chan.handler.join(topic, m.payload(), chan);
            if (result == null) {
                throw new IllegalStateException("join of " + topic + " returned null");
            }
        } catch (Throwable t) {
            server.recordError(new ChannelException("join of " + topic + " raised", t));
            joinCrashed(m, closeOld);
            return;
        }
        resolveJoin(chan, m, closeOld, result);
    }

    private void resolveJoin(Chan chan, Message m, Message closeOld, JoinResult result) {
        if (result instanceof JoinResult.Later later) {
            joinPending = true;
            later.stage.whenComplete((r, error) -> serial.execute(() -> {
                joinPending = false;
                if (!open) {
                    return;
                }
                if (error != null || r == null) {
                    server.recordError(new ChannelException("join of " + m.topic() + " failed",
                            error != null ? error : new NullPointerException("join result is null")));
                    joinCrashed(m, closeOld);
                } else {
                    resolveJoin(chan, m, closeOld, r);
                }
                pump();
            }));
            return;
        }
        if (result instanceof JoinResult.Ok ok) {
            // As in Phoenix, the channel subscribes to its topic before the reply goes out, so a broadcast sent by
            // anyone who saw the reply reaches it; broadcasts queue behind this task, so they follow the reply.
            // The same goes for the test's view: joinedTopics() lists the topic once the client can see the reply.
            chan.subscribe();
            channels.put(m.topic(), chan);
            joinedView.add(m.topic());
            write(Message.reply(m.joinRef(), m.ref(), m.topic(), "ok", ok.reply));
            writeIfPresent(closeOld);
            chan.joined();
        } else {
            JoinResult.Error error = (JoinResult.Error) result;
            write(Message.reply(m.joinRef(), m.ref(), m.topic(), "error", error.reason));
            writeIfPresent(closeOld);
            chan.ended();
        }
    }

    private void joinCrashed(Message m, Message closeOld) {
        ObjectNode reason = JsonNodeFactory.instance.objectNode().put("reason", "join crashed");
        write(Message.reply(m.joinRef(), m.ref(), m.topic(), "error", Payload.json(reason)));
        writeIfPresent(closeOld);
    }

    private void writeIfPresent(Message m) {
        if (m != null) {
            write(m);
        }
    }

    /** Forgets a channel (serial executor). */
    void removeChannel(Chan chan) {
        if (channels.get(chan.topic) == chan) {
            channels.remove(chan.topic);
            joinedView.remove(chan.topic);
        }
        chan.ended();
    }

    Chan channel(String topic) {
        return channels.get(topic);
    }

    // ------------------------------------------------------------------ outbound (serial executor)

    /** Runs {@code task} now if already on this connection's executor (keeps wire order), else queues it. */
    void run(Runnable task) {
        if (serial.inExecutor()) {
            task.run();
        } else {
            serial.execute(task);
        }
    }

    /** Writes a reply to a push, leave or heartbeat, late when the delay-replies fault is on (join replies never are). */
    void writeReply(Message reply) {
        Duration delay = replyDelay.isZero() ? server.replyDelay() : replyDelay;
        if (delay.isZero()) {
            write(reply);
        } else {
            server.schedule(() -> serial.execute(() -> write(reply)), delay);
        }
    }

    /** Encodes and sends one message; on the serial executor only. */
    void write(Message m) {
        if (!open) {
            return;
        }
        Message normalized = normalize(m);
        Frame frame = serializer.encodeToClient(normalized);
        server.notifyListeners(l -> l.onOutbound(this, normalized));
        writeFrame(frame, normalized);
    }

    private void writeFrame(Frame frame, Message m) {
        if (!open) {
            return;
        }
        record(new RecordedFrame(RecordedFrame.Direction.OUT, Instant.now(), frame, m));
        WebSocketCallback<Void> callback = new WebSocketCallback<>() {
            @Override
            public void complete(WebSocketChannel channel, Void context) {}

            @Override
            public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
                if (throwable instanceof IOException) {
                    // The peer went away mid-send (reset, broken pipe): a lost connection, as Phoenix sees it.
                    closeQuietly();
                } else if (open) {
                    server.recordError(new IllegalStateException("sending to " + id + " failed: " + frame, throwable));
                }
            }
        };
        if (frame instanceof Frame.Text t) {
            WebSockets.sendText(t.text(), ws, callback);
        } else {
            WebSockets.sendBinary(((Frame.Binary) frame).bytes(), ws, callback);
        }
    }

    /** Phoenix writes JSON as Jason does (compact, small maps' keys sorted, Erlang floats): so does the fake. */
    static Message normalize(Message m) {
        Payload p = m.payload();
        Payload canonical = canonical(p);
        return canonical == p ? m : m.withPayload(canonical);
    }

    private static Payload canonical(Payload p) {
        if (p instanceof Payload.Json j) {
            String text = PhoenixJson.write(j.json());
            return text.equals(j.text()) ? p : Payload.json(text);
        }
        if (p instanceof Payload.Reply r) {
            Payload response = canonical(r.response());
            return response == r.response() ? p : Payload.reply(r.status(), response);
        }
        return p;
    }

    // ------------------------------------------------------------------ closing

    /** Sends a close frame with {@code code} and forgets every channel (serial executor or any thread). */
    void closeWithCode(int code) {
        run(() -> {
            if (!open) {
                return;
            }
            closeCodeSent = code;
            open = false;
            WebSockets.sendClose(code, "", ws, new WebSocketCallback<>() {
                @Override
                public void complete(WebSocketChannel channel, Void context) {
                    // The client answers the close frame and Undertow then closes; don't wait forever for that.
                    server.schedule(() -> closeQuietly(), Duration.ofSeconds(2));
                }

                @Override
                public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
                    closeQuietly();
                }
            });
            connectionEnded(code, true);
        });
    }

    /** Ends the TCP connection without a close frame. */
    @Override
    public void drop() {
        run(() -> {
            if (!open) {
                return;
            }
            closeCodeSent = 1006;
            open = false;
            closeQuietly();
            connectionEnded(1006, true);
        });
    }

    private void closeQuietly() {
        try {
            ws.close();
        } catch (IOException | RuntimeException ignored) {
            // already closed: nothing left to release
        }
    }

    /** Undertow closed the channel (client close frame, TCP end, or our own close). */
    void onChannelClosed(int clientCode) {
        serial.execute(() -> {
            boolean byServer = closeCodeSent >= 0;
            open = false;
            connectionEnded(byServer ? closeCodeSent : clientCode, byServer);
        });
    }

    private void connectionEnded(int code, boolean byServer) {
        if (closedHandled) {
            return;
        }
        closedHandled = true;
        ScheduledFuture<?> t = idleTimer;
        if (t != null) {
            t.cancel(false);
        }
        inbox.clear();
        for (Chan chan : new ArrayList<>(channels.values())) {
            removeChannel(chan);
            chan.terminate(TerminateReason.CLOSED);
        }
        server.connectionClosed(this);
        server.notifyListeners(l -> l.onClose(this, code, byServer));
    }

    // ------------------------------------------------------------------ ServerConnection

    @Override
    public String id() {
        return id;
    }

    @Override
    public ConnectRequest request() {
        return request;
    }

    @Override
    public String vsn() {
        return serializer.vsn();
    }

    @Override
    public Optional<String> socketId() {
        return Optional.ofNullable(socketId);
    }

    @Override
    public Map<String, Object> assigns() {
        return assigns;
    }

    @Override
    public Set<String> joinedTopics() {
        return Collections.unmodifiableSet(new TreeSet<>(joinedView));
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public List<RecordedFrame> recording() {
        synchronized (recording) {
            return List.copyOf(recording);
        }
    }

    @Override
    public void push(String topic, String event, Object payload) {
        Payload p = Payloads.pushable(payload, "push payload");
        run(() -> {
            Chan chan = channels.get(topic);
            write(Message.of(chan == null ? null : chan.joinRef, null, topic, event, p));
        });
    }

    @Override
    public void send(Message message) {
        run(() -> write(message));
    }

    @Override
    public void sendFrame(Frame frame) {
        run(() -> writeFrame(frame, null));
    }

    @Override
    public void sendMalformedFrame() {
        sendFrame(Frame.text("this is not a phoenix frame"));
    }

    @Override
    public void sendInfo(String topic, Object message) {
        requireJoined(topic);
        run(() -> {
            Chan chan = channels.get(topic);
            if (chan != null) {
                chan.deliverInfo(message);
            }
        });
    }

    /** Fails fast when a test names a topic this connection has not joined (it may still end before the task runs). */
    private void requireJoined(String topic) {
        if (!joinedView.contains(topic)) {
            throw new IllegalStateException(id + " has not joined \"" + topic + "\"; joined: " + joinedTopics());
        }
    }

    @Override
    public void crashChannel(String topic) {
        requireJoined(topic);
        run(() -> {
            Chan chan = channels.get(topic);
            if (chan != null) {
                chan.crash(new ChannelException("crashed from outside by the test", null), false);
            }
        });
    }

    @Override
    public void stopChannel(String topic) {
        requireJoined(topic);
        run(() -> {
            Chan chan = channels.get(topic);
            if (chan != null) {
                chan.stop(TerminateReason.SHUTDOWN);
            }
        });
    }

    @Override
    public void close(int code) {
        closeWithCode(code);
    }

    @Override
    public void ignoreHeartbeats(boolean ignore) {
        ignoreHeartbeats = ignore;
    }

    @Override
    public void delayReplies(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        replyDelay = delay;
    }

    @Override
    public String toString() {
        return "ServerConnection{" + id + ", vsn " + vsn() + (socketId == null ? "" : ", id " + socketId)
                + ", topics " + joinedView + (open ? "" : ", closed") + "}";
    }
}
