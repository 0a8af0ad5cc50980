package dev.slipstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.client.Backoff;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ConnectFailedException;
import dev.slipstream.client.ConnectionLostException;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.NotConnectedException;
import dev.slipstream.client.PushBufferFullException;
import dev.slipstream.client.PushTimeoutException;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.client.TopicClosedException;
import dev.slipstream.client.TopicNotJoinedException;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.Reply;
import dev.slipstream.testing.ReplyRef;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.transport.nio.NioWebSocketTransport;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos: a few dozen clients, each joined to some topics and pushing, against a fake server that injects seeded random
 * faults (stop and restart on the same port, abrupt drops, close codes, heartbeat stalls, channel crashes, delayed and
 * dropped replies, malformed frames, refused connects). Then the faults stop and the invariants are checked.
 *
 * <p>System properties: {@code slipstream.chaos.seed} replays a run (the seed is printed on every run);
 * {@code slipstream.chaos.seconds} sets the fault phase (default 15 s; e.g. 600 for a soak, which from 120 s on also
 * waits for idle keep-alive pool threads to expire, as {@code slipstream.chaos.waitForIdleThreads=true} does);
 * {@code slipstream.chaos.clients} the number of clients (default 30).
 */
class ChaosTest {

    private static final int TOPICS = 6;
    private static final Duration HEARTBEAT = Duration.ofMillis(400);
    private static final Duration PUSH_TIMEOUT = Duration.ofMillis(800);
    private static final Backoff RECONNECT = Backoff.stepsMillis(10, 50, 100, 250, 500, 1000);
    private static final Backoff REJOIN = Backoff.stepsMillis(100, 250, 500, 1000);
    /**
     * After the faults stop, a client is back within: its last reconnect delay (1 s), a connect, a join timeout
     * (0.8 s) and the last rejoin delay (1 s), plus whatever backlog a loaded 2-core machine adds; 20 s is the bound.
     */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(20);

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void clientsSurviveRandomFaultsAndRecoverWithNothingLost() throws Exception {
        long seed = Long.getLong("slipstream.chaos.seed", System.nanoTime());
        int seconds = Integer.getInteger("slipstream.chaos.seconds", 15);
        int clientCount = Integer.getInteger("slipstream.chaos.clients", 30);
        System.out.println("ChaosTest seed=" + seed + " (replay with -Dslipstream.chaos.seed=" + seed + "), "
                + clientCount + " clients, " + seconds + " s of faults");
        Random random = new Random(seed);

        Baseline.warmUp();
        Baseline baseline = Baseline.take();

        AtomicBoolean dropReplies = new AtomicBoolean();
        Random serverRandom = new Random(seed ^ 0x5EED);
        FakePhoenixServer server = FakePhoenixServer.builder()
                .recording(false)
                .workerThreads(2)
                .connectHandler(request -> ConnectResult.accept(Map.of("client_id", request.param("client_id"))))
                .channel("chaos:*", new ChaosChannel(dropReplies, serverRandom))
                .start();
        ScheduledExecutorService driver = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "chaos-driver");
            t.setDaemon(true);
            return t;
        });
        List<ChaosClient> clients = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < clientCount; i++) {
                Set<String> topics = new TreeSet<>();
                int n = 1 + random.nextInt(3);
                while (topics.size() < n) {
                    topics.add("chaos:" + random.nextInt(TOPICS));
                }
                clients.add(new ChaosClient(i, topics, server));
            }
            for (ChaosClient c : clients) {
                c.client.connect().get(10, TimeUnit.SECONDS);
                for (String topic : c.topics) {
                    c.client.join(topic).get(10, TimeUnit.SECONDS);
                }
            }

            // ---- the fault phase
            FaultInjector faults = new FaultInjector(server, new Random(random.nextLong()), dropReplies, driver);
            Random pushRandom = new Random(random.nextLong());
            AtomicBoolean pushing = new AtomicBoolean(true);
            driver.scheduleWithFixedDelay(faults::injectOne, 50, 120, TimeUnit.MILLISECONDS);
            driver.scheduleWithFixedDelay(() -> {
                if (pushing.get()) {
                    for (int k = 0; k < 4; k++) {
                        clients.get(pushRandom.nextInt(clients.size())).pushRandom(pushRandom);
                    }
                }
            }, 10, 20, TimeUnit.MILLISECONDS);
            long faultEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            await().atMost(Duration.ofSeconds(seconds + 30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> System.nanoTime() >= faultEnd);
            pushing.set(false);
            faults.stopAndHeal();
            driver.shutdown();
            assertThat(driver.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            faults.heal(); // once more, now that no fault task can run any more
            long healed = System.nanoTime();

            // ---- invariant: every client is connected and joined to all its topics again, within the bound
            await("every client reconnected and rejoined").atMost(RECOVERY_BOUND).pollInterval(Duration.ofMillis(100))
                    .until(() -> clients.stream().allMatch(ChaosClient::fullyUp));
            Duration recovery = Duration.ofNanos(System.nanoTime() - healed);

            // ---- invariant: every push future completes (reply, error or timeout), exactly once
            await("every push future completed").atMost(PUSH_TIMEOUT.multipliedBy(4).plusSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> clients.stream().allMatch(ChaosClient::allPushesDone));
            Map<String, Integer> outcomes = new TreeMap<>();
            for (ChaosClient c : clients) {
                c.assertPushesCompletedExactlyOnce();
                c.outcomes.forEach((k, v) -> outcomes.merge(k, v.get(), Integer::sum));
            }
            assertThat(outcomes.keySet()).as("only typed outcomes").allMatch(k -> !k.startsWith("UNEXPECTED"));

            // ---- invariant: no callback of a client ever ran concurrently with another of the same client
            for (ChaosClient c : clients) {
                assertThat(c.overlaps.get()).as("overlapping callbacks of client %d", c.id).isZero();
                assertThat(c.callbackErrors).as("callback/listener surprises of client %d", c.id).isEmpty();
            }

            // ---- invariant: the server's bookkeeping matches what is really connected
            await("server connections and channels match the clients").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertBookkeeping(server, clients));

            // ---- and everything still works: one echo per client and topic
            List<CompletableFuture<Payload.Reply>> finals = new ArrayList<>();
            for (ChaosClient c : clients) {
                for (String topic : c.topics) {
                    finals.add(c.client.push(topic, "echo", Payload.json("{\"final\":true}"), Duration.ofSeconds(10)));
                }
            }
            for (CompletableFuture<Payload.Reply> f : finals) {
                assertThat(f.get(15, TimeUnit.SECONDS).isOk()).isTrue();
            }
            Duration total = Duration.ofNanos(System.nanoTime() - started);
            System.out.printf("ChaosTest seed=%d clients=%d faults=%s pushes=%s recovery=%d ms duration=%d ms"
                    + " threads: baseline %d, peak %d (%s)%n",
                    seed, clientCount, faults.counts(), outcomes, recovery.toMillis(), total.toMillis(),
                    baseline.threads, ManagementFactory.getThreadMXBean().getPeakThreadCount(), Baseline.threadsByPool());
            assertThat(faults.total()).as("faults injected").isGreaterThan(seconds * 2L);
        } finally {
            driver.shutdownNow();
            for (ChaosClient c : clients) {
                c.client.close();
            }
            server.close();
        }

        // ---- invariant: threads and heap return near the baseline
        baseline.assertReturned(seconds >= 120 || Boolean.getBoolean("slipstream.chaos.waitForIdleThreads"),
                clientCount);
    }

    private static void assertBookkeeping(FakePhoenixServer server, List<ChaosClient> clients) {
        List<ServerConnection> open = server.connections().stream().filter(ServerConnection::isOpen).toList();
        Map<String, List<ServerConnection>> byClient = open.stream()
                .collect(Collectors.groupingBy(c -> c.request().param("client_id")));
        assertThat(open).as("open server connections").hasSize(clients.size());
        Map<String, Set<String>> expectedPresence = new TreeMap<>();
        for (ChaosClient c : clients) {
            List<ServerConnection> mine = byClient.getOrDefault(Integer.toString(c.id), List.of());
            assertThat(mine).as("server connections of client %d", c.id).hasSize(1);
            assertThat(mine.get(0).joinedTopics()).as("topics of client %d on the server", c.id)
                    .containsExactlyInAnyOrderElementsOf(c.topics);
            for (String topic : c.topics) {
                expectedPresence.computeIfAbsent(topic, t -> new TreeSet<>()).add(Integer.toString(c.id));
            }
        }
        for (int t = 0; t < TOPICS; t++) {
            String topic = "chaos:" + t;
            JsonNode list = server.presenceList(topic);
            Set<String> keys = new TreeSet<>();
            list.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as("presence of %s", topic).isEqualTo(expectedPresence.getOrDefault(topic, Set.of()));
            for (String key : keys) {
                assertThat(list.get(key).get("metas")).as("one meta per presence of %s in %s", key, topic).hasSize(1);
            }
        }
    }

    /** The server side: echo, error, dropped, late replies and crashes; presence tracked after join. */
    private static final class ChaosChannel implements ChannelHandler {
        private final AtomicBoolean dropReplies;
        private final Random random;

        ChaosChannel(AtomicBoolean dropReplies, Random random) {
            this.dropReplies = dropReplies;
            this.random = random;
        }

        @Override
        public JoinResult join(String topic, Payload params, ChannelSocket socket) {
            socket.send("after_join");
            return JoinResult.ok(Map.of("topic", topic));
        }

        @Override
        public HandleResult handleInfo(Object message, ChannelSocket socket) {
            if ("after_join".equals(message)) {
                socket.track(String.valueOf(socket.assigns().get("client_id")), Map.of("online", true));
            }
            return HandleResult.noReply();
        }

        @Override
        public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
            if (dropReplies.get() && nextInt(4) == 0) {
                return HandleResult.noReply(); // a dropped reply: the push must time out
            }
            switch (event) {
                case "echo":
                    return HandleResult.ok(payload);
                case "err":
                    return HandleResult.error(Map.of("reason", "asked for it"));
                case "late": {
                    ReplyRef ref = socket.replyRef();
                    CompletableFuture.delayedExecutor(nextInt(1200), TimeUnit.MILLISECONDS)
                            .execute(() -> ref.reply(Reply.ok(Map.of("late", true))));
                    return HandleResult.noReply();
                }
                case "silent":
                    return HandleResult.noReply();
                case "broadcast":
                    socket.broadcast("shout", payload);
                    return HandleResult.ok();
                default:
                    return HandleResult.error(Map.of("reason", "unknown event"));
            }
        }

        private int nextInt(int bound) {
            synchronized (random) {
                return random.nextInt(bound);
            }
        }
    }

    /** One client with the default behaviour, wrapped to watch its callbacks, and the futures of its pushes. */
    private static final class ChaosClient implements ClientModule {
        final int id;
        final Set<String> topics;
        final SlipstreamClient client;
        final AtomicInteger inCallback = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final List<String> callbackErrors = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Tracked> pushes = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        /** Terminal events per push ref (ReplyReceived or PushTimedOut): each ref must have at most one. */
        final Map<String, AtomicInteger> terminalEvents = new ConcurrentHashMap<>();
        final Set<String> sentRefs = ConcurrentHashMap.newKeySet();

        ChaosClient(int id, Set<String> topics, FakePhoenixServer server) {
            this.id = id;
            this.topics = topics;
            SlipstreamClient.Builder builder = SlipstreamClient.builder(server.socketUri())
                    // Every third client on the NIO transport, the rest on the default JDK one: both under the same faults.
                    .transport(id % 3 == 2 ? NioWebSocketTransport.shared() : JdkWebSocketTransport.shared())
                    .params(Map.of("client_id", Integer.toString(id)))
                    .heartbeatInterval(HEARTBEAT)
                    .pushTimeout(PUSH_TIMEOUT)
                    .connectTimeout(Duration.ofSeconds(3))
                    .closeTimeout(Duration.ofMillis(500))
                    .reconnectBackoff(RECONNECT)
                    .rejoinBackoff(REJOIN)
                    .module(this)
                    .eventListener(this::onEvent)
                    .name("chaos-" + id);
            // Half keep the default buffer (100 per topic until the (re)join); a quarter turn buffering off and fail
            // fast; a quarter buffer only 8, so full buffers happen too.
            if (id % 4 == 1) {
                builder.pushBufferSize(0);
            } else if (id % 4 == 3) {
                builder.pushBufferSize(8);
            }
            this.client = builder.build();
        }

        private void onEvent(ClientEvent event) {
            if (event instanceof ClientEvent.PushSent s) {
                sentRefs.add(s.ref());
            } else if (event instanceof ClientEvent.ReplyReceived r && r.ref() != null) {
                terminalEvents.computeIfAbsent(r.ref(), k -> new AtomicInteger()).incrementAndGet();
            } else if (event instanceof ClientEvent.PushTimedOut t && t.ref() != null) {
                terminalEvents.computeIfAbsent(t.ref(), k -> new AtomicInteger()).incrementAndGet();
            } else if (event instanceof ClientEvent.CallbackFailed f) {
                callbackErrors.add(f.callback() + ": " + f.error());
            }
        }

        void pushRandom(Random random) {
            String topic = topics.stream().skip(random.nextInt(topics.size())).findFirst().orElseThrow();
            String[] events = {"echo", "echo", "echo", "err", "late", "silent", "broadcast"};
            String event = events[random.nextInt(events.length)];
            Tracked tracked = new Tracked(event);
            pushes.add(tracked);
            CompletableFuture<Payload.Reply> f;
            try {
                f = client.push(topic, event, Payload.json("{\"n\":" + random.nextInt(1000) + "}"));
            } catch (RuntimeException e) {
                tracked.completions.incrementAndGet();
                tracked.done = true;
                count("UNEXPECTED thrown " + e.getClass().getSimpleName());
                return;
            }
            tracked.future = f;
            f.whenComplete((reply, error) -> {
                tracked.completions.incrementAndGet();
                count(kind(reply, error));
            });
        }

        private void count(String kind) {
            outcomes.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        }

        private static String kind(Payload.Reply reply, Throwable error) {
            if (error == null) {
                return reply.isOk() ? "reply ok" : "reply error";
            }
            Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (e instanceof PushTimeoutException) {
                return "timeout";
            }
            if (e instanceof ConnectionLostException || e instanceof NotConnectedException
                    || e instanceof TopicNotJoinedException || e instanceof TopicClosedException
                    || e instanceof PushBufferFullException) {
                return e.getClass().getSimpleName();
            }
            return "UNEXPECTED " + e;
        }

        boolean fullyUp() {
            if (!client.isConnected()) {
                return false;
            }
            for (String topic : topics) {
                if (!client.isJoined(topic)) {
                    return false;
                }
            }
            return true;
        }

        boolean allPushesDone() {
            for (Tracked t : pushes) {
                if (!t.done && (t.future == null || !t.future.isDone())) {
                    return false;
                }
            }
            return true;
        }

        void assertPushesCompletedExactlyOnce() {
            // whenComplete runs after isDone() turns true: wait briefly for the counters to catch up.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                for (Iterator<Tracked> it = pushes.iterator(); it.hasNext(); ) {
                    if (it.next().completions.get() == 0) {
                        return false;
                    }
                }
                return true;
            });
            for (Tracked t : pushes) {
                assertThat(t.completions.get()).as("completions of a %s push of client %d", t.event, id).isEqualTo(1);
            }
            terminalEvents.forEach((ref, n) -> {
                if (sentRefs.contains(ref)) {
                    assertThat(n.get()).as("reply/timeout events for push ref %s of client %d", ref, id).isEqualTo(1);
                }
            });
        }

        // ---- the callbacks: each only checks it runs alone, then does what the default does
        private void enter(String name) {
            if (inCallback.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
                callbackErrors.add("overlap entering " + name + " on " + Thread.currentThread().getName());
            }
        }

        private void exit() {
            inCallback.decrementAndGet();
        }

        private void guarded(String name, Runnable defaultBehaviour) {
            enter(name);
            try {
                defaultBehaviour.run();
            } finally {
                exit();
            }
        }

        @Override
        public void connected(SlipstreamClient c) {
            guarded("connected", () -> ClientModule.super.connected(c));
        }

        @Override
        public void connectFailed(SlipstreamClient c, ConnectFailedException error) {
            guarded("connectFailed", () -> ClientModule.super.connectFailed(c, error));
        }

        @Override
        public void disconnected(SlipstreamClient c, DisconnectReason reason) {
            guarded("disconnected", () -> ClientModule.super.disconnected(c, reason));
        }

        @Override
        public void joined(SlipstreamClient c, String topic, Payload response) {
            guarded("joined", () -> ClientModule.super.joined(c, topic, response));
        }

        @Override
        public void message(SlipstreamClient c, String topic, String event, Payload payload) {
            guarded("message", () -> ClientModule.super.message(c, topic, event, payload));
        }

        @Override
        public void reply(SlipstreamClient c, String topic, String ref, Payload.Reply reply) {
            guarded("reply", () -> ClientModule.super.reply(c, topic, ref, reply));
        }

        @Override
        public void topicClosed(SlipstreamClient c, String topic, TopicCloseReason reason) {
            guarded("topicClosed", () -> ClientModule.super.topicClosed(c, topic, reason));
        }

        @Override
        public void left(SlipstreamClient c, String topic) {
            guarded("left", () -> ClientModule.super.left(c, topic));
        }

        @Override
        public void started(SlipstreamClient c) {
            guarded("started", () -> ClientModule.super.started(c));
        }

        @Override
        public void stopped(SlipstreamClient c) {
            guarded("stopped", () -> ClientModule.super.stopped(c));
        }
    }

    private static final class Tracked {
        final String event;
        final AtomicInteger completions = new AtomicInteger();
        volatile CompletableFuture<Payload.Reply> future;
        volatile boolean done;

        Tracked(String event) {
            this.event = event;
        }
    }

    /** Picks and injects one seeded random fault per call; counts what it did. */
    private static final class FaultInjector {
        private final FakePhoenixServer server;
        private final Random random;
        private final AtomicBoolean dropReplies;
        private final ScheduledExecutorService timer;
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Object lock = new Object();

        FaultInjector(FakePhoenixServer server, Random random, AtomicBoolean dropReplies,
                ScheduledExecutorService timer) {
            this.server = server;
            this.random = random;
            this.dropReplies = dropReplies;
            this.timer = timer;
        }

        void injectOne() {
            synchronized (lock) {
                if (stopped.get()) {
                    return;
                }
                try {
                    inject();
                } catch (RuntimeException e) {
                    count("fault-failed " + e.getClass().getSimpleName());
                }
            }
        }

        private void inject() {
            List<ServerConnection> open = server.connections();
            ServerConnection c = open.isEmpty() ? null : open.get(random.nextInt(open.size()));
            int pick = random.nextInt(100);
            if (pick < 3) {
                server.stop();
                count("server stop+restart");
                later(100 + random.nextInt(700), server::start);
            } else if (pick < 5) {
                server.stop(1012);
                count("server stop(1012)+restart");
                later(100 + random.nextInt(700), server::start);
            } else if (pick < 7) {
                server.refuseConnections(random.nextBoolean() ? 403 : 503, Duration.ofMillis(100 + random.nextInt(600)));
                count("refuse connects (HTTP)");
            } else if (pick < 8) {
                server.refuseConnectionsTcp(Duration.ofMillis(100 + random.nextInt(600)));
                count("refuse connects (TCP)");
            } else if (pick < 11) {
                boolean on = !dropReplies.get();
                dropReplies.set(on);
                count(on ? "drop replies on" : "drop replies off");
            } else if (c == null) {
                count("no connection to hit");
            } else if (pick < 26) {
                c.drop();
                count("drop connection");
            } else if (pick < 36) {
                int[] codes = {1000, 1001, 1002, 1009, 1011, 1012, 4000, 4403};
                int code = codes[random.nextInt(codes.length)];
                c.close(code);
                count("close " + code);
            } else if (pick < 46) {
                c.ignoreHeartbeats(true);
                count("heartbeat stall");
            } else if (pick < 66) {
                List<String> joined = List.copyOf(c.joinedTopics());
                if (joined.isEmpty()) {
                    count("no channel to crash");
                } else {
                    c.crashChannel(joined.get(random.nextInt(joined.size())));
                    count("channel crash");
                }
            } else if (pick < 78) {
                c.delayReplies(Duration.ofMillis(200 + random.nextInt(1200)));
                count("delay replies");
                later(500 + random.nextInt(1500), () -> c.delayReplies(Duration.ZERO));
            } else if (pick < 90) {
                c.sendMalformedFrame();
                count("malformed frame");
            } else {
                byte[] garbage = new byte[1 + random.nextInt(40)];
                random.nextBytes(garbage);
                if (random.nextBoolean()) {
                    c.sendFrame(Frame.binary(garbage));
                } else {
                    c.sendFrame(Frame.text("[\"1\",null,\"chaos:0\"," + random.nextInt() + "]"));
                }
                count("garbage frame");
            }
        }

        private void later(long millis, Runnable task) {
            timer.schedule(() -> {
                synchronized (lock) {
                    if (!stopped.get()) {
                        task.run();
                    }
                }
            }, millis, TimeUnit.MILLISECONDS);
        }

        private void count(String what) {
            counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }

        void stopAndHeal() {
            synchronized (lock) {
                stopped.set(true);
                heal();
            }
        }

        /** Undoes every fault: the server runs and accepts, replies flow, heartbeats are answered. */
        void heal() {
            server.start();
            server.acceptConnections();
            server.ignoreHeartbeats(false);
            server.delayReplies(Duration.ZERO);
            dropReplies.set(false);
            for (ServerConnection c : server.connections()) {
                c.delayReplies(Duration.ZERO);
                // A stalled connection stays stalled: its client has to notice and replace it, which is the point.
            }
        }

        Map<String, Long> counts() {
            Map<String, Long> m = new TreeMap<>();
            counts.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }

        long total() {
            return counts.entrySet().stream().filter(e -> !e.getKey().startsWith("no "))
                    .mapToLong(e -> e.getValue().get()).sum();
        }
    }

    /** Threads and heap before the run, to compare with after it. */
    static final class Baseline {
        private final int threads;
        private final long heap;
        private final long selectors;

        private Baseline(int threads, long heap, long selectors) {
            this.threads = threads;
            this.heap = heap;
            this.selectors = selectors;
        }

        /** Starts the client's shared pools, HTTP client and NIO loop once, so the baseline includes them. */
        static void warmUp() throws Exception {
            try (FakePhoenixServer server = FakePhoenixServer.builder()
                    .channel("warm:*", (topic, params, socket) -> JoinResult.ok()).start();
                    SlipstreamClient client = SlipstreamClient.builder(server.socketUri()).build();
                    SlipstreamClient nio = SlipstreamClient.builder(server.socketUri())
                            .transport(NioWebSocketTransport.shared()).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                client.join("warm:up").get(10, TimeUnit.SECONDS);
                nio.connect().get(10, TimeUnit.SECONDS);
                nio.join("warm:up").get(10, TimeUnit.SECONDS);
            }
        }

        static Baseline take() {
            Baseline b = new Baseline(liveThreads(), usedHeapAfterGc(), selectors());
            ManagementFactory.getThreadMXBean().resetPeakThreadCount();
            return b;
        }

        private static int liveThreads() {
            return ManagementFactory.getThreadMXBean().getThreadCount();
        }

        private static long usedHeapAfterGc() {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }

        /**
         * Tolerant: a few threads may remain (the JDK's CompletableFuture delay scheduler, say); heap may not grow by
         * more than 48 MiB. Two pools grow with load and shrink by keep-alive, so they are not leaks: the JDK
         * {@code HttpClient}'s default cached executor (60 s) and the client's completion pool (30 s). In the normal
         * run they are counted apart and must be bounded by the number of clients; in a soak run (or with
         * {@code -Dslipstream.chaos.waitForIdleThreads=true}) the test waits for them to expire too.
         */
        void assertReturned(boolean waitForIdleThreads, int clients) {
            await("threads back near the baseline of " + threads).atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(liveThreads() - keepAliveThreads())
                            .as("live threads but idle keep-alive pool threads (baseline %d): %s", threads,
                                    threadNames())
                            .isLessThanOrEqualTo(threads + 6));
            assertThat(keepAliveThreads()).as("keep-alive pool threads: %s", threadNames())
                    .isLessThanOrEqualTo(2L * clients + 8);
            assertThat(Thread.getAllStackTraces().keySet()).as("no fake-server thread left")
                    .noneMatch(t -> t.getName().startsWith("slipstream-fake-"));
            assertThat(selectors()).as("HttpClient selector threads: the shared one, no new one").isLessThanOrEqualTo(selectors);
            if (waitForIdleThreads) {
                await("keep-alive pool threads expire").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertThat(liveThreads()).as("%s", threadNames())
                                .isLessThanOrEqualTo(threads + 6));
            }
            await("heap back near the baseline of " + heap / 1024 / 1024 + " MiB").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(usedHeapAfterGc()).isLessThanOrEqualTo(heap + 48L * 1024 * 1024));
        }

        private static long selectors() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().matches("HttpClient-\\d+-SelectorManager")).count();
        }

        private static long keepAliveThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().matches(
                            "HttpClient-\\d+-Worker-\\d+|slipstream-completion-\\d+|slipstream-nio-worker-\\d+"))
                    .count();
        }

        /** Live threads counted by name with the trailing number removed, e.g. {@code slipstream-completion-=12}. */
        static Map<String, Long> threadsByPool() {
            return Thread.getAllStackTraces().keySet().stream()
                    .collect(Collectors.groupingBy(t -> t.getName().replaceAll("\\d+$", ""), TreeMap::new,
                            Collectors.counting()));
        }

        private static String threadNames() {
            return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted()
                    .collect(Collectors.joining(", "));
        }
    }
}
