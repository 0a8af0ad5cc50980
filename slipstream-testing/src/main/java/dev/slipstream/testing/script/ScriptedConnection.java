package dev.slipstream.testing.script;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.Message;
import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.ReplyRef;
import dev.slipstream.testing.ServerConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.opentest4j.AssertionFailedError;

/**
 * One client connection to a {@link ScriptedServer}, from the test's side: what the client sent on it waits here
 * until the test takes it with an {@code assert*} method, and the test answers and acts on it. Most tests have one
 * client and use the same methods on {@link ScriptedServer}, which forwards them to the latest connection.
 *
 * <pre>{@code
 * ScriptedConnection c = server.acceptConnect();
 * c.assertJoin("room:lobby").accept();
 * Push push = c.assertPush("room:lobby", "new_msg", partial(Map.of("body", "hi")));
 * push.reply(Reply.ok());
 * c.push("room:lobby", "new_msg", Map.of("body", "welcome"));
 * c.disconnect(1001);
 * }</pre>
 *
 * <h2>Waiting</h2>
 * Each {@code assert*} takes the first matching event that the test has not taken yet, waiting up to the assert
 * timeout ({@link ScriptedServer.Builder#assertTimeout}, 1 s by default) and returning as soon as it arrives; events
 * it does not ask for stay queued for later assertions (heartbeats, for instance, never get in the way). Each
 * {@code refute*} watches for a refute window ({@link ScriptedServer.Builder#refuteTimeout}, 200 ms by default) and
 * so always costs that long unless the connection closes first: use refutes sparingly. Overloads take a
 * {@link Duration} for one call. A failure is an {@link AssertionFailedError} that says what was expected, how long
 * it waited, the closest event and every event of the connection in order, with expected and actual set for IDE diffs.
 *
 * <p>Thread-safe: assertions may run on any thread, though one test thread is the usual case.
 */
public final class ScriptedConnection {
    private final ScriptedServer owner;
    private final ServerConnection connection;
    private final Mailbox mailbox;
    private final int number;
    // Guarded by this: handles whose frames were seen but whose scripted-channel callbacks have not run yet.
    private final List<Join> unboundJoins = new ArrayList<>();
    private final List<Push> unboundPushes = new ArrayList<>();
    private final List<Inbound> pushEvents = new ArrayList<>();
    private final List<Join> awaitingReply = new ArrayList<>();

    ScriptedConnection(ScriptedServer owner, ServerConnection connection, int number) {
        this.owner = owner;
        this.connection = connection;
        this.number = number;
        this.mailbox = new Mailbox("connection #" + number + " (" + connection.id() + ", vsn "
                + connection.vsn() + ")");
    }

    /** The underlying server connection: recording, socket id, assigns, and its faults. */
    public ServerConnection serverConnection() {
        return connection;
    }

    /** The connect request (query params, headers) the connection was accepted with. */
    public ConnectRequest request() {
        return connection.request();
    }

    /** Whether the websocket is still open. */
    public boolean isOpen() {
        return connection.isOpen();
    }

    String name() {
        return mailbox.name();
    }

    int number() {
        return number;
    }

    Mailbox mailbox() {
        return mailbox;
    }

    // ---------------------------------------------------------------- joins

    /** Waits for a join of {@code topic} (any params) and returns it for the test to answer. */
    public Join assertJoin(String topic) {
        return assertJoin(topic, PayloadMatcher.any(), owner.assertTimeout());
    }

    /**
     * Waits for a join of {@code topic} whose params match {@code params}: a {@link PayloadMatcher}, or a value
     * (map, JSON text, record) the params must equal.
     */
    public Join assertJoin(String topic, Object params) {
        return assertJoin(topic, params, owner.assertTimeout());
    }

    /** {@link #assertJoin(String, Object)} with its own timeout. */
    public Join assertJoin(String topic, Object params, Duration timeout) {
        Inbound e = mailbox.take(new Expectation(Inbound.Kind.JOIN, topic, null, PayloadMatcher.json(params)),
                timeout, "assertJoin");
        return (Join) e.handle;
    }

    /** Fails if a join of {@code topic} arrives within the refute window. */
    public void refuteJoin(String topic) {
        refuteJoin(topic, PayloadMatcher.any(), owner.refuteTimeout());
    }

    /** Fails if a join of {@code topic} with matching params arrives within the refute window. */
    public void refuteJoin(String topic, Object params) {
        refuteJoin(topic, params, owner.refuteTimeout());
    }

    /** {@link #refuteJoin(String, Object)} with its own window. */
    public void refuteJoin(String topic, Object params, Duration window) {
        mailbox.refute(new Expectation(Inbound.Kind.JOIN, topic, null, PayloadMatcher.json(params)), window,
                "refuteJoin");
    }

    // ---------------------------------------------------------------- pushes

    /** Waits for a push of {@code event} on {@code topic}, any payload. */
    public Push assertPush(String topic, String event) {
        return assertPush(topic, event, PayloadMatcher.any(), owner.assertTimeout());
    }

    /**
     * Waits for a push of {@code event} on {@code topic} whose payload matches: a {@link PayloadMatcher}, or a value
     * the payload must equal (a map, JSON text, a record, or {@code byte[]} for a binary payload).
     */
    public Push assertPush(String topic, String event, Object payload) {
        return assertPush(topic, event, payload, owner.assertTimeout());
    }

    /**
     * Waits for a push whose JSON payload passes {@code assertions}, written with any assertion library.
     *
     * <pre>{@code
     * c.assertPush("room:lobby", "new_msg", p -> assertThat(p.get("body").asText()).startsWith("hi"));
     * }</pre>
     */
    public Push assertPush(String topic, String event, Consumer<? super JsonNode> assertions) {
        return assertPush(topic, event, PayloadMatcher.satisfying(assertions), owner.assertTimeout());
    }

    /** {@link #assertPush(String, String, Object)} with its own timeout. */
    public Push assertPush(String topic, String event, Object payload, Duration timeout) {
        Objects.requireNonNull(event, "event");
        Inbound e = mailbox.take(new Expectation(Inbound.Kind.PUSH, topic, event, PayloadMatcher.json(payload)),
                timeout, "assertPush");
        return (Push) e.handle;
    }

    /** Fails if a push of {@code event} on {@code topic} arrives within the refute window. */
    public void refutePush(String topic, String event) {
        refutePush(topic, event, PayloadMatcher.any(), owner.refuteTimeout());
    }

    /** Fails if a push of {@code event} on {@code topic} with a matching payload arrives within the refute window. */
    public void refutePush(String topic, String event, Object payload) {
        refutePush(topic, event, payload, owner.refuteTimeout());
    }

    /** {@link #refutePush(String, String, Object)} with its own window. */
    public void refutePush(String topic, String event, Object payload, Duration window) {
        mailbox.refute(new Expectation(Inbound.Kind.PUSH, topic, event, PayloadMatcher.json(payload)), window,
                "refutePush");
    }

    /** Replies to a push: the same as {@code push.reply(reply)}. */
    public void reply(Push push, Reply reply) {
        push.reply(reply);
    }

    // ---------------------------------------------------------------- leaves, heartbeats, disconnects

    /**
     * Waits for a {@code phx_leave} of {@code topic}. The server has already answered it as Phoenix does (an ok
     * reply, then {@code phx_close}).
     */
    public Message assertLeave(String topic) {
        return assertLeave(topic, owner.assertTimeout());
    }

    /** {@link #assertLeave(String)} with its own timeout. */
    public Message assertLeave(String topic, Duration timeout) {
        return mailbox.take(new Expectation(Inbound.Kind.LEAVE, topic, null, null), timeout, "assertLeave").message;
    }

    /** Fails if a {@code phx_leave} of {@code topic} arrives within the refute window. */
    public void refuteLeave(String topic) {
        refuteLeave(topic, owner.refuteTimeout());
    }

    /** {@link #refuteLeave(String)} with its own window. */
    public void refuteLeave(String topic, Duration window) {
        mailbox.refute(new Expectation(Inbound.Kind.LEAVE, topic, null, null), window, "refuteLeave");
    }

    /** Waits for a heartbeat (the server has answered it already, unless told to ignore heartbeats). */
    public Message assertHeartbeat() {
        return assertHeartbeat(owner.assertTimeout());
    }

    /** {@link #assertHeartbeat()} with its own timeout (clients wait 30 s between heartbeats by default). */
    public Message assertHeartbeat(Duration timeout) {
        return mailbox.take(new Expectation(Inbound.Kind.HEARTBEAT, null, null, null), timeout, "assertHeartbeat")
                .message;
    }

    /**
     * Waits for the client to close the connection, and returns the close code it sent (1006 when the TCP connection
     * ended without a close frame). A close by the server ({@link #disconnect}, a fault, the idle timeout) does not
     * count.
     */
    public int assertDisconnect() {
        return assertDisconnect(owner.assertTimeout());
    }

    /** {@link #assertDisconnect()} with its own timeout. */
    public int assertDisconnect(Duration timeout) {
        return mailbox.take(Expectation.clientDisconnect(), timeout, "assertDisconnect").closeCode;
    }

    /** Fails if the client closes the connection within the refute window. */
    public void refuteDisconnect() {
        refuteDisconnect(owner.refuteTimeout());
    }

    /** {@link #refuteDisconnect()} with its own window. */
    public void refuteDisconnect(Duration window) {
        mailbox.refute(Expectation.clientDisconnect(), window, "refuteDisconnect");
    }

    /**
     * Fails if the client sent anything the test has not taken with an assertion, heartbeats aside (a check for the
     * end of a test; it does not wait).
     */
    public void assertNoMoreEvents() {
        List<Inbound> left = mailbox.untaken(false);
        if (!left.isEmpty()) {
            StringBuilder sb = new StringBuilder("assertNoMoreEvents failed: ").append(left.size())
                    .append(left.size() == 1 ? " event" : " events").append(" on ").append(name())
                    .append(" not taken by any assertion:");
            StringBuilder actual = new StringBuilder();
            for (Inbound e : left) {
                sb.append("\n  ").append(e.line());
                actual.append(e.line()).append('\n');
            }
            sb.append('\n').append(mailbox.history());
            throw new AssertionFailedError(sb.toString(), "", actual.toString().strip());
        }
    }

    // ---------------------------------------------------------------- server actions

    /**
     * Pushes {@code [join_ref, null, topic, event, payload]} to the client (with a null join_ref when the topic is
     * not joined, as a broadcast arrives). The payload must be a JSON object (map, record, {@code JsonNode}, JSON
     * text) or binary ({@code byte[]}).
     */
    public void push(String topic, String event, Object payload) {
        connection.push(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(event, "event"),
                JsonSupport.toObjectPayload(payload, "push payload"));
    }

    /**
     * Crashes the channel of {@code topic}: the client gets {@code phx_error} (and phoenix.js rejoins).
     *
     * @throws IllegalStateException when {@code topic} is not joined on this connection
     */
    public void crash(String topic) {
        connection.crashChannel(topic);
    }

    /**
     * Stops the channel of {@code topic}: the client gets {@code phx_close} (final, no rejoin).
     *
     * @throws IllegalStateException when {@code topic} is not joined on this connection
     */
    public void close(String topic) {
        connection.stopChannel(topic);
    }

    /** Closes the connection with code 1000, as a server that ends a session. */
    public void disconnect() {
        connection.close(1000);
    }

    /** Closes the connection with {@code code}, e.g. 1001 as Phoenix 1.8 on a socket-id disconnect, 1012 on drain. */
    public void disconnect(int code) {
        connection.close(code);
    }

    /** Fault: drops the TCP connection without a close frame (the client sees 1006). */
    public void drop() {
        connection.drop();
    }

    /** Fault: stops (or resumes) answering heartbeats, so the client's heartbeat timeout fires. */
    public void ignoreHeartbeats(boolean ignore) {
        connection.ignoreHeartbeats(ignore);
    }

    /** Fault: delays every reply (heartbeat replies included) by {@code delay}; {@link Duration#ZERO} to stop. */
    public void delayReplies(Duration delay) {
        connection.delayReplies(delay);
    }

    /** Fault: sends a text frame that no Phoenix client can decode. */
    public void sendMalformedFrame() {
        connection.sendMalformedFrame();
    }

    @Override
    public String toString() {
        return "ScriptedConnection[" + name() + "]";
    }

    // ---------------------------------------------------------------- from the server (its executor for this connection)

    void onInbound(Message m) {
        Inbound.Kind kind = Inbound.Kind.of(m);
        if (kind == Inbound.Kind.JOIN) {
            Join join = new Join(this, m, owner.stubPatternFor(m.topic()));
            synchronized (this) {
                if (!join.isAnswered()) {
                    unboundJoins.add(join);
                    awaitingReply.add(join);
                }
            }
            mailbox.add(m, join);
        } else if (kind == Inbound.Kind.PUSH) {
            String stub = owner.stubPatternFor(m.topic());
            Push push = new Push(this, m, stub);
            synchronized (this) {
                Inbound e = mailbox.add(m, push);
                if (stub == null) {
                    // Only scripted pushes get a channel callback to bind, or an unmatched-topic reply to note.
                    unboundPushes.add(push);
                    pushEvents.add(e);
                }
            }
        } else {
            mailbox.add(m, null);
        }
    }

    /** The scripted channel handler got the join of {@code topic}: the handle the test answers. */
    synchronized Join claimJoin(String topic, String joinRef) {
        for (Iterator<Join> it = unboundJoins.iterator(); it.hasNext(); ) {
            Join j = it.next();
            String key = j.joinRef() != null ? j.joinRef() : j.ref();
            if (j.topic().equals(topic) && Objects.equals(key, joinRef)) {
                it.remove();
                return j;
            }
        }
        return null;
    }

    /** The scripted channel handler got a push: bind its reply target. */
    void claimPush(String topic, String event, ReplyRef ref) {
        Push match = null;
        synchronized (this) {
            for (Iterator<Push> it = unboundPushes.iterator(); it.hasNext(); ) {
                Push p = it.next();
                if (p.topic().equals(topic) && p.event().equals(event) && Objects.equals(p.ref(), ref.ref())) {
                    it.remove();
                    match = p;
                    break;
                }
            }
        }
        if (match != null) {
            forget(match);
            match.bind(ref);
        }
    }

    private synchronized void forget(Push push) {
        pushEvents.removeIf(e -> e.handle == push);
    }

    /**
     * The server answered {@code unmatched topic} to a message with {@code ref} on {@code topic}: the client pushed
     * on a topic it has not joined. A protocol violation unless the test asserts that push.
     */
    void onUnmatched(String topic, String ref) {
        Push match = null;
        Inbound event = null;
        synchronized (this) {
            for (Iterator<Push> it = unboundPushes.iterator(); it.hasNext(); ) {
                Push p = it.next();
                if (p.topic().equals(topic) && Objects.equals(p.ref(), ref)) {
                    it.remove();
                    match = p;
                    break;
                }
            }
            for (Iterator<Inbound> it = pushEvents.iterator(); it.hasNext(); ) {
                Inbound e = it.next();
                if (match != null && e.handle == match) {
                    event = e;
                    it.remove();
                }
            }
        }
        if (match != null) {
            int dropped = match.markUnmatched();
            if (dropped > 0) {
                // The test replied, so it expected a channel: its replies are lost, which it must hear about.
                owner.violation(this, null, dropped + " reply(ies) the test gave to \"" + match.event() + "\" on \""
                        + topic + "\" cannot be sent: the client never joined that topic");
            }
            owner.violation(this, event, "the client pushed \"" + match.event() + "\" on \"" + topic
                    + "\", a topic it has not joined (the server replied {\"reason\":\"unmatched topic\"}): "
                    + JsonSupport.inline(match.message()));
        }
    }

    /** A message to the client: a join reply lets the test's answer return. */
    void onOutbound(Message m) {
        if (!m.isReply()) {
            return;
        }
        Join replied = null;
        synchronized (this) {
            for (Iterator<Join> it = awaitingReply.iterator(); it.hasNext(); ) {
                Join j = it.next();
                if (j.topic().equals(m.topic()) && Objects.equals(j.ref(), m.ref())) {
                    it.remove();
                    replied = j;
                    break;
                }
            }
        }
        if (replied != null) {
            replied.onReplied();
        }
    }

    ScriptedServer owner() {
        return owner;
    }

    void onClose(int code, boolean byServer) {
        List<Join> pending;
        synchronized (this) {
            pending = new ArrayList<>(awaitingReply);
            awaitingReply.clear();
        }
        for (Join j : pending) {
            j.onClosed();
        }
        mailbox.close(code, byServer ? "closed by the server" : "closed by the client", byServer);
    }
}
