package dev.slipstream.client;

import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A blocking facade over a {@link SlipstreamClient}, for scripts and tests: connect and wait, join and wait, push and
 * await the reply, await a message matching topic, event and a predicate. Messages nobody awaited yet are kept, up to
 * a bound (the oldest is dropped beyond it and counted in {@link #droppedMessages()}), for a later await.
 *
 * <p>Every wait is bounded. Calling it from inside a callback of its own client would deadlock (the callback holds
 * the client's executor that the answer needs), so that fails at once with {@link IllegalStateException}.
 *
 * <p>Payloads are typed as in {@link SlipstreamClient}: objects in (written with the client's mapper), and
 * {@link Payload#as(Class)} on what comes back.
 *
 * <pre>{@code
 * record Msg(String body) {}
 * try (SyncClient sync = SlipstreamClient.builder("ws://localhost:4000/socket").buildSync()) {
 *     sync.connect();
 *     sync.join("room:lobby", Map.of("user", "u1"));
 *     Payload.Reply reply = sync.push("room:lobby", "ping", new Msg("ping"));
 *     Msg pong = reply.as(Msg.class);
 *     ReceivedMessage hello = sync.awaitMessage("room:lobby", "new_msg",
 *         p -> p.as(Msg.class).body().equals("hi"), Duration.ofSeconds(5));
 *     sync.leave("room:lobby");
 * }
 * }</pre>
 */
public final class SyncClient implements AutoCloseable {

    private final SlipstreamClient client;
    private final Duration defaultWait;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<ReceivedMessage> inbox = new ArrayDeque<>();
    private long dropped;
    /** Presence syncs seen on the topics someone awaited (guarded by {@link #lock}). */
    private long presenceSyncs;
    private final Set<String> watchedPresences = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SyncClient(SlipstreamClient.Builder builder, int capacity, Duration defaultWait) {
        this.capacity = capacity;
        this.defaultWait = defaultWait;
        ClientModule user = builder.module();
        builder.module(new Buffering(user));
        try {
            this.client = builder.build();
        } finally {
            builder.restoreModule(user); // the builder stays reusable as the caller left it
        }
    }

    /**
     * A synchronous client from {@code builder} (any module set on it still gets its callbacks), keeping up to
     * {@code messageBuffer} unawaited messages.
     */
    public static SyncClient create(SlipstreamClient.Builder builder, int messageBuffer) {
        Objects.requireNonNull(builder, "builder");
        if (messageBuffer <= 0) {
            throw new IllegalArgumentException("messageBuffer must be positive, was " + messageBuffer);
        }
        return new SyncClient(builder, messageBuffer, Duration.ofSeconds(15));
    }

    /** The asynchronous client underneath. */
    public SlipstreamClient async() {
        return client;
    }

    /**
     * Connects and waits; throws {@link ConnectFailedException} if the attempt fails. The client keeps retrying in
     * the background after a failure (as the asynchronous client does) until {@link #disconnect()} or {@link #close()}.
     */
    public void connect() {
        await(client.connect(), "connect", defaultWait);
    }

    /** Joins with empty params and waits for the response. */
    public Payload join(String topic) {
        return join(topic, Payload.empty());
    }

    /**
     * Joins and waits for the response; throws {@link JoinRefusedException} if refused. {@code params} is a
     * {@link Payload} or an object for the client's mapper, as {@link SlipstreamClient#join(String, Object)} takes.
     */
    public Payload join(String topic, Object params) {
        return await(client.join(topic, params), "join of \"" + topic + "\"", defaultWait);
    }

    /**
     * Pushes and waits for the reply (ok or error) within the client's push timeout. {@code payload} is a
     * {@link Payload} or an object for the client's mapper, as {@link SlipstreamClient#push(String, String, Object)}
     * takes; {@link Payload.Reply#as(Class)} maps the response.
     */
    public Payload.Reply push(String topic, String event, Object payload) {
        return await(client.push(topic, event, payload), "reply to \"" + event + "\"", defaultWait);
    }

    /** Pushes and waits for the reply within {@code timeout}. */
    public Payload.Reply push(String topic, String event, Object payload, Duration timeout) {
        return await(client.push(topic, event, payload, timeout), "reply to \"" + event + "\"",
                timeout.plus(Duration.ofSeconds(5)));
    }

    /** Awaits (or takes from the kept ones) the first message of {@code topic} with {@code event}. */
    public ReceivedMessage awaitMessage(String topic, String event, Duration timeout) {
        return awaitMessage(topic, event, p -> true, timeout);
    }

    /**
     * Awaits (or takes from the kept ones) the first message of {@code topic} with {@code event} whose payload
     * matches {@code predicate}; null topic or event match any. Throws {@link AwaitTimeoutException} after
     * {@code timeout}.
     */
    public ReceivedMessage awaitMessage(String topic, String event, Predicate<? super Payload> predicate,
            Duration timeout) {
        Objects.requireNonNull(predicate, "predicate");
        checkNotCallback();
        long deadline = System.nanoTime() + timeout.toNanos();
        // Messages already tested (by identity): each is tested once, even while others arrive or are taken.
        Set<ReceivedMessage> tested = Collections.newSetFromMap(new IdentityHashMap<>());
        while (true) {
            List<ReceivedMessage> fresh = new ArrayList<>();
            lock.lock();
            try {
                while (true) {
                    for (ReceivedMessage m : inbox) {
                        if (!tested.contains(m)) {
                            fresh.add(m);
                        }
                    }
                    if (!fresh.isEmpty()) {
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AwaitTimeoutException("message " + event + " on " + topic, timeout);
                    }
                    arrived.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlipstreamException("interrupted awaiting a message", e);
            } finally {
                lock.unlock();
            }
            // The predicate is the caller's code: run it without the lock the client's owner needs to store messages.
            for (ReceivedMessage m : fresh) {
                tested.add(m);
                if ((topic == null || topic.equals(m.topic())) && (event == null || event.equals(m.event()))
                        && predicate.test(m.payload()) && take(m)) {
                    return m;
                }
            }
        }
    }

    /** Removes exactly {@code m} (by identity) if no other await took it meanwhile. */
    private boolean take(ReceivedMessage m) {
        lock.lock();
        try {
            for (Iterator<ReceivedMessage> it = inbox.iterator(); it.hasNext(); ) {
                if (it.next() == m) {
                    it.remove();
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Who is online on {@code topic}; the same view as {@link SlipstreamClient#presence(String)}. */
    public Presence presence(String topic) {
        return client.presence(topic);
    }

    /**
     * Waits until the presence of {@code topic} satisfies {@code condition} and returns the list that did. The
     * condition is tested at once and after every sync (a {@code presence_state} or {@code presence_diff} applied);
     * throws {@link AwaitTimeoutException} after {@code timeout}.
     *
     * <pre>{@code
     * List<Presence.Entry> online = sync.awaitPresence("room:lobby",
     *     list -> list.stream().anyMatch(e -> e.key().equals("ada")), Duration.ofSeconds(5));
     * }</pre>
     */
    public List<Presence.Entry> awaitPresence(String topic, Predicate<? super List<Presence.Entry>> condition,
            Duration timeout) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(timeout, "timeout");
        checkNotCallback();
        Presence presence = client.presence(topic);
        if (watchedPresences.add(topic)) {
            presence.onSync(this::presenceSynced);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = presenceSyncs;
            } finally {
                lock.unlock();
            }
            // The condition is the caller's code: tested without the lock that the sync callback needs.
            List<Presence.Entry> now = presence.list();
            if (condition.test(now)) {
                return now;
            }
            lock.lock();
            try {
                while (presenceSyncs == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AwaitTimeoutException("presence on " + topic + " (now " + presence.list(
                                Presence.Entry::key) + ")", timeout);
                    }
                    arrived.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlipstreamException("interrupted awaiting presence on " + topic, e);
            } finally {
                lock.unlock();
            }
        }
    }

    private void presenceSynced() {
        lock.lock();
        try {
            presenceSyncs++;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Leaves and waits. */
    public void leave(String topic) {
        await(client.leave(topic), "leave of \"" + topic + "\"", defaultWait);
    }

    /** Disconnects cleanly and waits. */
    public void disconnect() {
        await(client.disconnect(), "disconnect", defaultWait);
    }

    /** How many unawaited messages were dropped because the buffer was full. */
    public long droppedMessages() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the client. */
    @Override
    public void close() {
        client.close();
    }

    private <T> T await(CompletableFuture<T> future, String what, Duration timeout) {
        checkNotCallback();
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SlipstreamException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AwaitTimeoutException(what, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlipstreamException("interrupted awaiting " + what, e);
        }
    }

    private void checkNotCallback() {
        if (client.isCallbackThread()) {
            throw new IllegalStateException("SyncClient called from inside a callback of its own client: it would "
                    + "deadlock. Use the SlipstreamClient futures there.");
        }
    }

    @Override
    public String toString() {
        return "SyncClient[" + client + "]";
    }

    /** Keeps messages for later awaits, then hands every callback to the user's module (if any). */
    private final class Buffering implements ClientModule {
        private final ClientModule user;

        Buffering(ClientModule user) {
            this.user = user == null ? new ClientModule() { } : user;
        }

        @Override
        public void message(SlipstreamClient c, String topic, String event, Payload payload) {
            lock.lock();
            try {
                if (inbox.size() >= capacity) {
                    inbox.pollFirst();
                    dropped++;
                }
                inbox.addLast(new ReceivedMessage(topic, event, payload));
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
            user.message(c, topic, event, payload);
        }

        @Override
        public void started(SlipstreamClient c) {
            user.started(c);
        }

        @Override
        public void connected(SlipstreamClient c) {
            user.connected(c);
        }

        @Override
        public void connectFailed(SlipstreamClient c, ConnectFailedException error) {
            user.connectFailed(c, error);
        }

        @Override
        public void disconnected(SlipstreamClient c, DisconnectReason reason) {
            user.disconnected(c, reason);
        }

        @Override
        public void joined(SlipstreamClient c, String topic, Payload response) {
            user.joined(c, topic, response);
        }

        @Override
        public void reply(SlipstreamClient c, String topic, String ref, Payload.Reply reply) {
            user.reply(c, topic, ref, reply);
        }

        @Override
        public void topicClosed(SlipstreamClient c, String topic, TopicCloseReason reason) {
            user.topicClosed(c, topic, reason);
        }

        @Override
        public void left(SlipstreamClient c, String topic) {
            user.left(c, topic);
        }

        @Override
        public void stopped(SlipstreamClient c) {
            user.stopped(c);
        }
    }
}
