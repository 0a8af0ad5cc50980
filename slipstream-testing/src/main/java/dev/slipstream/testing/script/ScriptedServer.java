package dev.slipstream.testing.script;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.DecodeException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Protocol;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.ConnectHandler;
import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.ServerListener;
import dev.slipstream.testing.stub.Stubs;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.opentest4j.AssertionFailedError;

/**
 * A fake Phoenix server in scripted mode: the test plays the server, as with the Elixir Slipstream's
 * {@code SocketTest}. Connects, joins, pushes, leaves, heartbeats and disconnects of each client connection wait in
 * per-connection queues until the test takes them with an {@code assert*} method, checks them and answers. Usable
 * from any test framework; {@code @SlipstreamTest} in {@code slipstream-junit5} manages one per test.
 *
 * <pre>{@code
 * try (ScriptedServer server = ScriptedServer.start();
 *         SlipstreamClient client = SlipstreamClient.builder(server.uri())
 *                 .module(new Greeter())                            // the code under test: joins, says "hi"
 *                 .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
 *                 .build()) {
 *     ScriptedChannel room = server.connectAndJoin("room:lobby");    // accept the connect and the join
 *     Push push = room.assertPush("new_msg", Map.of("body", "hi"));  // what the client sent
 *     room.reply(push, Reply.ok(Map.of("id", 1)));                   // what the server answers
 *     room.push("new_msg", Map.of("body", "welcome"));               // the server speaks first
 *     assertThat(server.takeFailures()).isEmpty();
 * }
 * }</pre>
 *
 * <h2>One connection or many</h2>
 * The assertions and actions on this class go to the <em>latest</em> connection that opened (after
 * {@link #acceptConnect()}); with several clients, or across reconnects, use the {@link ScriptedConnection} that
 * {@link #acceptConnect()} returns.
 *
 * <h2>Stubbing instead of scripting</h2>
 * Topics registered with {@link Builder#channel} are answered by those channels; everything else is scripted.
 * Assertions see every frame either way. {@link Builder#acceptConnects()} accepts connects without the test.
 *
 * <h2>Waiting and failing</h2>
 * See {@link ScriptedConnection}: assertions wait up to {@link Builder#assertTimeout} (default 1 s) and return as
 * soon as their event arrives; refutes always wait their window ({@link Builder#refuteTimeout}, default 200 ms).
 *
 * <h2>Background failures</h2>
 * Exceptions thrown by stub channels, protocol violations the server sees (a frame that does not decode, a push on
 * a topic the client never joined that the test did not assert), and failures the client reports through
 * {@link #reportFailure} are collected; {@link #takeFailures()} hands them over (the JUnit extension fails the test
 * with them).
 *
 * <p>Thread-safe. Not reusable after {@link #close()}.
 */
public final class ScriptedServer implements AutoCloseable {
    /** The assert timeout unless configured: generous, because CI machines are slow and shared. */
    public static final Duration DEFAULT_ASSERT_TIMEOUT = Duration.ofSeconds(1);
    /** The refute window unless configured: shorter, because a refute always waits all of it. */
    public static final Duration DEFAULT_REFUTE_TIMEOUT = Duration.ofMillis(200);
    /**
     * System property that overrides {@link #DEFAULT_ASSERT_TIMEOUT} for every builder that sets none, e.g.
     * {@code -Dslipstream.assert.timeout=5s} on a slow CI machine. The same name as the JUnit configuration
     * parameter, and the same syntax: a number and a unit ({@code ms}, {@code s}, {@code m}), seconds without one.
     */
    public static final String ASSERT_TIMEOUT_PROPERTY = "slipstream.assert.timeout";
    /** System property that overrides {@link #DEFAULT_REFUTE_TIMEOUT}, like {@link #ASSERT_TIMEOUT_PROPERTY}. */
    public static final String REFUTE_TIMEOUT_PROPERTY = "slipstream.refute.timeout";

    private final FakePhoenixServer server;
    private final Duration assertTimeout;
    private final Duration refuteTimeout;
    private final boolean serverDecidesConnects;
    private final ConnectHandler connectHandler;
    private final List<String> stubPatterns;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final List<ConnectAttempt> attempts = new ArrayList<>();
    private final List<ScriptedConnection> opened = new ArrayList<>();
    private final Map<ServerConnection, ScriptedConnection> byServerConnection = new ConcurrentHashMap<>();
    private volatile ScriptedConnection current;

    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private int serverErrorsSeen;

    private ScriptedServer(Builder b) {
        this.assertTimeout = b.assertTimeout;
        this.refuteTimeout = b.refuteTimeout;
        // Stubs decide connects by their connect rules (no rules: accept), as in the stubbing style.
        this.serverDecidesConnects = b.acceptConnects || b.connectHandler != null || b.stubs != null;
        this.connectHandler = b.connectHandler != null ? b.connectHandler
                : b.stubs != null ? b.stubs.connectHandler() : ConnectHandler.ACCEPT_ALL;
        this.stubPatterns = List.copyOf(b.channels.keySet());
        FakePhoenixServer.Builder sb = FakePhoenixServer.builder();
        for (Consumer<FakePhoenixServer.Builder> c : b.customizers) {
            c.accept(sb);
        }
        for (Map.Entry<String, ChannelHandler> e : b.channels.entrySet()) {
            sb.channel(e.getKey(), e.getValue());
        }
        if (b.stubs != null) { // after the stub channels, before the scripted topics
            sb.stubs(b.stubs);
        }
        ScriptedChannelHandler scripted = new ScriptedChannelHandler();
        for (String pattern : b.scriptedTopics) {
            sb.channel(pattern, scripted);
        }
        sb.connectHandler(this::onConnect);
        sb.listener(new Listener());
        this.server = sb.start();
    }

    /** A scripted server with the defaults: path {@code /socket}, Phoenix 1.8, every topic scripted. */
    public static ScriptedServer start() {
        return builder().start();
    }

    /** A builder for a scripted server. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- the server

    /** The websocket URI clients connect to, such as {@code ws://127.0.0.1:51234/socket/websocket}. */
    public URI uri() {
        return server.uri();
    }

    /** The socket mount URI that phoenix.js-style clients take as their endpoint, {@code ws://127.0.0.1:PORT/socket}. */
    public URI socketUri() {
        return server.socketUri();
    }

    /** The fake server underneath: its recording, connections, and server-wide faults. */
    public FakePhoenixServer server() {
        return server;
    }

    /** The default timeout of assertions. */
    public Duration assertTimeout() {
        return assertTimeout;
    }

    /** The default window of refutes. */
    public Duration refuteTimeout() {
        return refuteTimeout;
    }

    // ---------------------------------------------------------------- connects

    /**
     * Waits for the next connect attempt (up to the assert timeout) and returns it undecided, for the test to look
     * at its params and decide.
     */
    public ConnectAttempt assertConnect() {
        return assertConnect(assertTimeout);
    }

    /** {@link #assertConnect()} with its own timeout. */
    public ConnectAttempt assertConnect(Duration timeout) {
        return takeAttempt(timeout, "assertConnect");
    }

    /**
     * Waits for the next connect attempt, accepts it (unless the server decides connects) and returns the open
     * connection, which becomes the one this class's assertions go to.
     */
    public ScriptedConnection acceptConnect() {
        return acceptConnect(Map.of(), assertTimeout);
    }

    /** {@link #acceptConnect()} with assigns for the connection's channels. */
    public ScriptedConnection acceptConnect(Map<String, ?> assigns) {
        return acceptConnect(assigns, assertTimeout);
    }

    /** {@link #acceptConnect()} with its own timeout. */
    public ScriptedConnection acceptConnect(Duration timeout) {
        return acceptConnect(Map.of(), timeout);
    }

    private ScriptedConnection acceptConnect(Map<String, ?> assigns, Duration timeout) {
        ConnectAttempt attempt = takeAttempt(timeout, "acceptConnect");
        if (!attempt.isDecided()) {
            attempt.decide(ConnectResult.accept(assigns), "accepted");
        }
        // The upgrade after an accept is the server's own work, quick unless the client gave up: wait afresh for it,
        // so a client that connected late in the first wait does not fail here.
        return awaitOpen(attempt, timeout);
    }

    /** Waits for the next connect attempt and refuses it with HTTP 403; returns its request. */
    public ConnectRequest rejectConnect() {
        return rejectConnect(assertTimeout);
    }

    /** {@link #rejectConnect()} with its own timeout. */
    public ConnectRequest rejectConnect(Duration timeout) {
        ConnectAttempt attempt = takeAttempt(timeout, "rejectConnect");
        attempt.reject();
        return attempt.request();
    }

    /** Fails if a connect attempt arrives within the refute window. */
    public void refuteConnect() {
        refuteConnect(refuteTimeout);
    }

    /** {@link #refuteConnect()} with its own window. */
    public void refuteConnect(Duration window) {
        long remaining = window.toNanos();
        lock.lock();
        try {
            while (true) {
                for (ConnectAttempt a : attempts) {
                    if (a.takenBy == null) {
                        throw new AssertionFailedError("refuteConnect failed: expected no connect attempt within "
                                + Mailbox.millis(window.toNanos()) + ", but " + a.line() + " arrived.\n"
                                + attemptHistory(), "(nothing)", "connect " + a.request().params());
                    }
                }
                if (remaining <= 0) {
                    return;
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("refuteConnect was interrupted");
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection this class's assertions go to: the latest that opened, waiting up to the assert timeout for a
     * first one.
     */
    public ScriptedConnection connection() {
        ScriptedConnection c = current;
        if (c != null) {
            return c;
        }
        long remaining = assertTimeout.toNanos();
        lock.lock();
        try {
            while (current == null) {
                if (remaining <= 0) {
                    long undecided = attempts.stream().filter(a -> !a.isDecided()).count();
                    throw new AssertionFailedError("no client connection is open on " + uri() + " after waiting "
                            + Mailbox.millis(assertTimeout.toNanos()) + (undecided > 0
                                    ? ": " + undecided + " connect attempt(s) wait for the test to decide; call "
                                    + "acceptConnect() (or connectAndJoin) first"
                                    : ": no client tried to connect.\n" + attemptHistory()));
                }
                remaining = changed.awaitNanos(remaining);
            }
            return current;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("waiting for a connection was interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Every connection opened so far (since the last {@link #reset()}), in order. */
    public List<ScriptedConnection> connections() {
        lock.lock();
        try {
            return List.copyOf(opened);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the everyday one-liner

    /** Accepts the next connect and a join of {@code topic} with any params, replying {@code {}}. */
    public ScriptedChannel connectAndJoin(String topic) {
        return acceptConnect().assertJoin(topic).accept();
    }

    /** Accepts the next connect and a join of {@code topic} whose params match {@code params}. */
    public ScriptedChannel connectAndJoin(String topic, Object params) {
        return acceptConnect().assertJoin(topic, params).accept();
    }

    /**
     * Accepts the next connect, asserts a join of {@code topic} whose params match {@code params}, and accepts it
     * with {@code reply} (a JSON object).
     */
    public ScriptedChannel connectAndJoin(String topic, Object params, Object reply) {
        return acceptConnect().assertJoin(topic, params).accept(reply);
    }

    // ---------------------------------------------------------------- assertions on the latest connection

    /** On the latest connection: see {@link ScriptedConnection#assertJoin(String)}. */
    public Join assertJoin(String topic) {
        return connection().assertJoin(topic);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertJoin(String, Object)}. */
    public Join assertJoin(String topic, Object params) {
        return connection().assertJoin(topic, params);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertJoin(String, Object, Duration)}. */
    public Join assertJoin(String topic, Object params, Duration timeout) {
        return connection().assertJoin(topic, params, timeout);
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteJoin(String)}. */
    public void refuteJoin(String topic) {
        connection().refuteJoin(topic);
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteJoin(String, Object)}. */
    public void refuteJoin(String topic, Object params) {
        connection().refuteJoin(topic, params);
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteJoin(String, Object, Duration)}. */
    public void refuteJoin(String topic, Object params, Duration window) {
        connection().refuteJoin(topic, params, window);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertPush(String, String)}. */
    public Push assertPush(String topic, String event) {
        return connection().assertPush(topic, event);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertPush(String, String, Object)}. */
    public Push assertPush(String topic, String event, Object payload) {
        return connection().assertPush(topic, event, payload);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertPush(String, String, Consumer)}. */
    public Push assertPush(String topic, String event, Consumer<? super JsonNode> assertions) {
        return connection().assertPush(topic, event, assertions);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertPush(String, String, Object, Duration)}. */
    public Push assertPush(String topic, String event, Object payload, Duration timeout) {
        return connection().assertPush(topic, event, payload, timeout);
    }

    /** On the latest connection: see {@link ScriptedConnection#refutePush(String, String)}. */
    public void refutePush(String topic, String event) {
        connection().refutePush(topic, event);
    }

    /** On the latest connection: see {@link ScriptedConnection#refutePush(String, String, Object)}. */
    public void refutePush(String topic, String event, Object payload) {
        connection().refutePush(topic, event, payload);
    }

    /** On the latest connection: see {@link ScriptedConnection#refutePush(String, String, Object, Duration)}. */
    public void refutePush(String topic, String event, Object payload, Duration window) {
        connection().refutePush(topic, event, payload, window);
    }

    /** Replies to a push (on whichever connection it came): the same as {@code push.reply(reply)}. */
    public void reply(Push push, Reply reply) {
        push.reply(reply);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertLeave(String)}. */
    public Message assertLeave(String topic) {
        return connection().assertLeave(topic);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertLeave(String, Duration)}. */
    public Message assertLeave(String topic, Duration timeout) {
        return connection().assertLeave(topic, timeout);
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteLeave(String)}. */
    public void refuteLeave(String topic) {
        connection().refuteLeave(topic);
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteLeave(String, Duration)}. */
    public void refuteLeave(String topic, Duration window) {
        connection().refuteLeave(topic, window);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertHeartbeat()}. */
    public Message assertHeartbeat() {
        return connection().assertHeartbeat();
    }

    /** On the latest connection: see {@link ScriptedConnection#assertHeartbeat(Duration)}. */
    public Message assertHeartbeat(Duration timeout) {
        return connection().assertHeartbeat(timeout);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertDisconnect()}. */
    public int assertDisconnect() {
        return connection().assertDisconnect();
    }

    /** On the latest connection: see {@link ScriptedConnection#assertDisconnect(Duration)}. */
    public int assertDisconnect(Duration timeout) {
        return connection().assertDisconnect(timeout);
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteDisconnect()}. */
    public void refuteDisconnect() {
        connection().refuteDisconnect();
    }

    /** On the latest connection: see {@link ScriptedConnection#refuteDisconnect(Duration)}. */
    public void refuteDisconnect(Duration window) {
        connection().refuteDisconnect(window);
    }

    /** On the latest connection: see {@link ScriptedConnection#assertNoMoreEvents()}. */
    public void assertNoMoreEvents() {
        connection().assertNoMoreEvents();
    }

    // ---------------------------------------------------------------- server actions

    /** To the latest connection: see {@link ScriptedConnection#push}. */
    public void push(String topic, String event, Object payload) {
        connection().push(topic, event, payload);
    }

    /**
     * Broadcasts {@code [null, null, topic, event, payload]} to every client joined to {@code topic}, as
     * {@code Endpoint.broadcast/3}: the way to stub server broadcasts. The payload must be a JSON object or binary.
     */
    public void broadcast(String topic, String event, Object payload) {
        server.broadcast(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(event, "event"),
                JsonSupport.toObjectPayload(payload, "broadcast payload"));
    }

    /** To the latest connection: see {@link ScriptedConnection#disconnect()}. */
    public void disconnect() {
        connection().disconnect();
    }

    /** To the latest connection: see {@link ScriptedConnection#disconnect(int)}. */
    public void disconnect(int code) {
        connection().disconnect(code);
    }

    /** To the latest connection: see {@link ScriptedConnection#crash}. */
    public void crash(String topic) {
        connection().crash(topic);
    }

    /** To the latest connection: see {@link ScriptedConnection#close(String)}. */
    public void close(String topic) {
        connection().close(topic);
    }

    /** Fault, to the latest connection: see {@link ScriptedConnection#drop()}. */
    public void drop() {
        connection().drop();
    }

    /** Fault, to the latest connection: see {@link ScriptedConnection#ignoreHeartbeats(boolean)}. */
    public void ignoreHeartbeats(boolean ignore) {
        connection().ignoreHeartbeats(ignore);
    }

    /** Fault, to the latest connection: see {@link ScriptedConnection#delayReplies(Duration)}. */
    public void delayReplies(Duration delay) {
        connection().delayReplies(delay);
    }

    /** Fault, to the latest connection: see {@link ScriptedConnection#sendMalformedFrame()}. */
    public void sendMalformedFrame() {
        connection().sendMalformedFrame();
    }

    /**
     * Fault: refuses every new connect with {@code httpStatus} (e.g. 403 or 503) before the test sees it, until
     * {@link #acceptConnections()}.
     */
    public void refuseConnections(int httpStatus) {
        server.refuseConnections(httpStatus);
    }

    /** Fault: closes the listening socket, so connects fail at the TCP level, until {@link #acceptConnections()}. */
    public void refuseConnectionsTcp() {
        server.refuseConnectionsTcp();
    }

    /** Ends {@link #refuseConnections} and {@link #refuseConnectionsTcp}. */
    public void acceptConnections() {
        server.acceptConnections();
    }

    /**
     * Fault: stops the server (every connection drops without a close frame, as when a server dies) and starts it
     * again on the same port, so the client's reconnect finds it; the reconnect is a new connect attempt to accept.
     */
    public void restart() {
        server.stop();
        server.start();
    }

    // ---------------------------------------------------------------- background failures

    /**
     * Records a failure that happened off the test thread, such as an exception in one of the client's callbacks,
     * so that it fails the test (the JUnit extension rethrows it after the test). The server knows no client: any
     * client under test reports here. For a {@code SlipstreamClient} (slipstream-client), one listener does it for
     * every exception its {@code ClientModule} callbacks throw:
     * {@code .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))}.
     *
     * <pre>{@code
     * executor.submit(() -> { try { work(); } catch (RuntimeException e) { server.reportFailure(e); } });
     * }</pre>
     */
    public void reportFailure(Throwable failure) {
        failures.add(new Failure(Objects.requireNonNull(failure, "failure"), null));
    }

    /**
     * Hands over, and forgets, every background failure since the last call: exceptions of stub channels and of the
     * server, protocol violations the test did not assert, and reported failures, oldest first.
     */
    public List<Throwable> takeFailures() {
        List<Throwable> out = new ArrayList<>();
        List<Failure> mine = new ArrayList<>(failures);
        failures.removeAll(mine);
        for (Failure f : mine) {
            if (f.event == null || f.event.takenBy == null) {
                out.add(f.error);
            }
        }
        List<Throwable> serverErrors = server.errors();
        synchronized (this) {
            for (int i = serverErrorsSeen; i < serverErrors.size(); i++) {
                Throwable t = serverErrors.get(i);
                if (!causedByTest(t)) {
                    out.add(t);
                }
            }
            serverErrorsSeen = serverErrors.size();
        }
        return out;
    }

    /**
     * Forgets what the previous test left, for a server shared by several tests: the events queued on open
     * connections (their history starts again), closed connections, decided connect attempts, background failures,
     * and the server-wide faults ({@code refuseConnections}, {@code ignoreHeartbeats}, {@code delayReplies}). Open
     * connections stay open and remain the connection assertions go to, so a client shared by the tests keeps working;
     * connect attempts nobody decided yet stay queued.
     */
    public void reset() {
        lock.lock();
        try {
            attempts.removeIf(a -> a.isDecided() || a.takenBy != null);
            opened.removeIf(c -> !c.isOpen());
            for (ScriptedConnection c : opened) {
                c.mailbox().clear();
            }
            if (current != null && !current.isOpen()) {
                current = opened.isEmpty() ? null : opened.get(opened.size() - 1);
            }
        } finally {
            lock.unlock();
        }
        server.acceptConnections();
        server.ignoreHeartbeats(false);
        server.delayReplies(Duration.ZERO);
        failures.clear();
        synchronized (this) {
            serverErrorsSeen = server.errors().size();
        }
    }

    /** Stops the server, closing every connection; idempotent. */
    @Override
    public void close() {
        lock.lock();
        List<ConnectAttempt> undecided = new ArrayList<>();
        try {
            for (ConnectAttempt a : attempts) {
                if (!a.isDecided()) {
                    undecided.add(a);
                }
            }
        } finally {
            lock.unlock();
        }
        for (ConnectAttempt a : undecided) {
            a.answer().complete(ConnectResult.reject());
        }
        server.close();
    }

    @Override
    public String toString() {
        return "ScriptedServer[" + uri() + "]";
    }

    // ---------------------------------------------------------------- internals

    String stubPatternFor(String topic) {
        for (String pattern : stubPatterns) {
            if (pattern.endsWith("*") ? topic.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(topic)) {
                return pattern;
            }
        }
        return null;
    }

    void violation(ScriptedConnection connection, Inbound event, String what) {
        failures.add(new Failure(new AssertionFailedError("protocol violation on " + connection.name() + ": " + what
                + "\n" + connection.mailbox().history()), event));
    }

    private ConnectResult onConnect(ConnectRequest request) {
        ConnectResult decided = serverDecidesConnects ? connectHandler.connect(request) : null;
        ConnectAttempt attempt;
        lock.lock();
        try {
            attempt = new ConnectAttempt(this, request, attempts.size() + 1, decided);
            attempts.add(attempt);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return decided != null ? decided : ConnectResult.later(attempt.answer());
    }

    private ConnectAttempt takeAttempt(Duration timeout, String assertion) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (ConnectAttempt a : attempts) {
                    if (a.takenBy == null) {
                        a.takenBy = assertion;
                        return a;
                    }
                }
                if (remaining <= 0) {
                    throw new AssertionFailedError(assertion + " failed: expected a client to connect to " + uri()
                            + " within " + Mailbox.millis(timeout.toNanos()) + ", but no new connect attempt arrived.\n"
                            + attemptHistory(), "a connect attempt", attemptHistory());
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError(assertion + " was interrupted");
        } finally {
            lock.unlock();
        }
    }

    ScriptedConnection awaitOpen(ConnectAttempt attempt, Duration timeout) {
        try {
            ScriptedConnection c = attempt.openedConnection().get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return c;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionFailedError("connect attempt " + attempt.line() + " was "
                    + (attempt.decision() == null ? "not decided" : attempt.decision()) + ", but no websocket opened "
                    + "within " + Mailbox.millis(timeout.toNanos()) + " (the client may have given up).\n"
                    + attemptHistory());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionFailedError("connect attempt " + attempt.line() + " did not open a connection: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("waiting for connect attempt " + attempt.line() + " was interrupted");
        }
    }

    private String attemptHistory() {
        lock.lock();
        try {
            if (attempts.isEmpty()) {
                return "no connect attempts so far.";
            }
            StringBuilder sb = new StringBuilder("connect attempts so far (").append(attempts.size()).append("):");
            for (ConnectAttempt a : attempts) {
                sb.append("\n  ").append(a.line());
                if (a.takenBy != null) {
                    sb.append("   (taken by ").append(a.takenBy).append(')');
                }
            }
            return sb.toString();
        } finally {
            lock.unlock();
        }
    }

    private static boolean causedByTest(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ScriptedCrash) {
                return true;
            }
        }
        return false;
    }

    ScriptedConnection scripted(ServerConnection c) {
        return byServerConnection.get(c);
    }

    /** A failure and, for protocol violations, the event that caused it (forgiven if the test asserted it). */
    private record Failure(Throwable error, Inbound event) {}

    /** The exception a test-crashed join completes with; the server's record of it is not a test failure. */
    static final class ScriptedCrash extends RuntimeException {
        ScriptedCrash(String message) {
            super(message, null, false, false);
        }
    }

    /** Feeds the per-connection queues from the server; runs on each connection's serial executor. */
    private final class Listener implements ServerListener {
        @Override
        public void onOpen(ServerConnection connection) {
            ScriptedConnection sc;
            ConnectAttempt attempt = null;
            lock.lock();
            try {
                sc = new ScriptedConnection(ScriptedServer.this, connection, opened.size() + 1);
                byServerConnection.put(connection, sc);
                opened.add(sc);
                current = sc;
                for (ConnectAttempt a : attempts) {
                    if (!a.openedConnection().isDone() && a.request() == connection.request()) {
                        attempt = a;
                        break;
                    }
                }
                if (attempt == null) {
                    for (ConnectAttempt a : attempts) {
                        if (!a.openedConnection().isDone() && a.request().equals(connection.request())) {
                            attempt = a;
                            break;
                        }
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (attempt != null) {
                attempt.openedConnection().complete(sc);
            }
        }

        @Override
        public void onRefused(ConnectRequest request, int status) {
            lock.lock();
            try {
                for (ConnectAttempt a : attempts) {
                    if (a.request() == request && !a.openedConnection().isDone()) {
                        a.openedConnection().completeExceptionally(
                                new IllegalStateException("the connect was refused with HTTP " + status));
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onInbound(ServerConnection connection, Message message) {
            ScriptedConnection sc = byServerConnection.get(connection);
            if (sc != null) {
                sc.onInbound(message);
            }
        }

        @Override
        public void onUndecodable(ServerConnection connection, Frame frame, DecodeException error) {
            ScriptedConnection sc = byServerConnection.get(connection);
            if (sc != null) {
                violation(sc, null, "the client sent a frame that does not decode (" + error.getMessage()
                        + "), so the server closes the connection with 1011: " + frame);
            }
        }

        @Override
        public void onOutbound(ServerConnection connection, Message message) {
            ScriptedConnection target = byServerConnection.get(connection);
            if (target != null) {
                target.onOutbound(message);
            }
            if (message.isReply() && message.joinRef() == null && !Protocol.PHOENIX_TOPIC.equals(message.topic())) {
                Payload.Reply reply = message.payload().asReply();
                if ("error".equals(reply.status()) && reply.response() instanceof Payload.Json json
                        && json.json().path("reason").asText("").equals("unmatched topic")) {
                    ScriptedConnection sc = byServerConnection.get(connection);
                    if (sc != null) {
                        sc.onUnmatched(message.topic(), message.ref());
                    }
                }
            }
        }

        @Override
        public void onClose(ServerConnection connection, int code, boolean byServer) {
            ScriptedConnection sc = byServerConnection.remove(connection);
            if (sc != null) {
                sc.onClose(code, byServer);
            }
        }
    }

    /** The channel behind every scripted topic: hands joins and pushes to the test and answers as the test says. */
    private final class ScriptedChannelHandler implements ChannelHandler {
        @Override
        public JoinResult join(String topic, Payload params, ChannelSocket socket) {
            ScriptedConnection sc = byServerConnection.get(socket.connection());
            Join join = sc == null ? null : sc.claimJoin(topic, socket.joinRef());
            if (join == null) {
                // Seen by the server but not by the listener: cannot happen while the listener is registered first.
                throw new IllegalStateException("scripted join of " + topic + " was not recorded");
            }
            return join.result();
        }

        @Override
        public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
            ScriptedConnection sc = byServerConnection.get(socket.connection());
            if (sc != null) {
                sc.claimPush(socket.topic(), event, socket.replyRef());
            }
            return HandleResult.noReply();
        }
    }

    /**
     * Configures a {@link ScriptedServer}. Every option has a default, so {@code ScriptedServer.builder().start()}
     * is a scripted server on an ephemeral port of 127.0.0.1 with the path {@code /socket}.
     *
     * <pre>{@code
     * ScriptedServer server = ScriptedServer.builder()
     *         .assertTimeout(Duration.ofSeconds(2))
     *         .channel("echo:*", new EchoChannel())                      // stubbed: answered by the channel
     *         .server(b -> b.path("/live").phoenixVersion(PhoenixVersion.V1_7))
     *         .start();
     * }</pre>
     */
    public static final class Builder {
        private Duration assertTimeout = fromProperty(ASSERT_TIMEOUT_PROPERTY, DEFAULT_ASSERT_TIMEOUT);
        private Duration refuteTimeout = fromProperty(REFUTE_TIMEOUT_PROPERTY, DEFAULT_REFUTE_TIMEOUT);
        private final Map<String, ChannelHandler> channels = new LinkedHashMap<>();
        private List<String> scriptedTopics = List.of("*");
        private boolean acceptConnects;
        private ConnectHandler connectHandler;
        private Stubs stubs;
        private final List<Consumer<FakePhoenixServer.Builder>> customizers = new ArrayList<>();

        private Builder() {}

        /**
         * How long assertions wait by default: 1 s unless set here or by the system property
         * {@value ScriptedServer#ASSERT_TIMEOUT_PROPERTY}; each assert method also takes its own timeout.
         */
        public Builder assertTimeout(Duration timeout) {
            this.assertTimeout = positive(timeout, "assertTimeout");
            return this;
        }

        /** How long refutes watch by default: 200 ms unless set here or by {@value ScriptedServer#REFUTE_TIMEOUT_PROPERTY}. */
        public Builder refuteTimeout(Duration timeout) {
            this.refuteTimeout = positive(timeout, "refuteTimeout");
            return this;
        }

        /**
         * Stubs the topics matching {@code pattern} ({@code "room:*"} prefix, or exact) with a channel that answers
         * by itself; the test still sees its joins and pushes through assertions. Patterns are tried in the order
         * given, before the scripted ones.
         */
        public Builder channel(String pattern, ChannelHandler handler) {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(handler, "handler");
            if (channels.putIfAbsent(pattern, handler) != null) {
                throw new IllegalArgumentException("a channel is already registered for \"" + pattern + "\"");
            }
            return this;
        }

        /**
         * The topic patterns the test answers (default {@code "*"}: every topic no stub channel takes). With none,
         * joins of topics no channel takes get Phoenix's {@code {"reason":"unmatched topic"}}.
         */
        public Builder scriptedTopics(String... patterns) {
            this.scriptedTopics = List.of(patterns);
            return this;
        }

        /**
         * Answers the topics that {@code stubs} cover from the stub files (see {@link Stubs}), after the
         * {@link #channel} stubs and before the scripted topics; their connect rules decide connects unless
         * {@link #connectHandler} is set. The test still sees those joins and pushes through assertions.
         */
        public Builder stubs(Stubs stubs) {
            this.stubs = Objects.requireNonNull(stubs, "stubs");
            return this;
        }

        /** Accepts every connect without asking the test; {@link ScriptedServer#acceptConnect()} still returns it. */
        public Builder acceptConnects() {
            this.acceptConnects = true;
            return this;
        }

        /** Decides connects with {@code handler} (like Phoenix's {@code connect/3}) instead of the test. */
        public Builder connectHandler(ConnectHandler handler) {
            this.connectHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Configures the underlying {@link FakePhoenixServer.Builder}: path, port, Phoenix version, serializers, idle
         * timeout. Channels and connect handlers belong on this builder instead ({@link #channel},
         * {@link #connectHandler}), so that scripting knows about them.
         */
        public Builder server(Consumer<FakePhoenixServer.Builder> customizer) {
            customizers.add(Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        /** Starts the server. */
        public ScriptedServer start() {
            return new ScriptedServer(this);
        }

        private static Duration fromProperty(String key, Duration fallback) {
            String value = System.getProperty(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m)?")
                    .matcher(value.trim().toLowerCase(java.util.Locale.ROOT));
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                throw new IllegalArgumentException("system property " + key + " = \"" + value + "\" is not a "
                        + "positive duration; write a number and a unit, such as \"2 s\" or \"1500 ms\"");
            }
            long n = Long.parseLong(m.group(1));
            return "ms".equals(m.group(2)) ? Duration.ofMillis(n)
                    : "m".equals(m.group(2)) ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
