package dev.slipstream.client.internal;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Payload;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The one owner of a client's state: the connection, the heartbeat, the refs, the topics and the pending pushes.
 * Every change is a {@link Command} applied on the client's {@link SerialExecutor}; nothing here is touched from any
 * other thread, except the two volatile snapshots read by {@code isConnected} and {@code isJoined}. The transport only
 * moves frames and reports; timers only enqueue commands. The owner emits events to the module's callbacks, to the
 * event listener and to the callers' futures (completed on a separate pool, so callers' code never runs here).
 *
 * <p>This class takes the commands in and dispatches each to the part that handles it. The parts are the owner cut
 * along its concerns, not owners of their own: {@link Connection}, {@link Heartbeat}, {@link InboundRouter},
 * {@link Topics}, {@link Pushes}, {@link PresenceUpdates}, {@link Writer} and {@link AwaitedReplies}, plain final
 * classes that the owner holds and that call each other directly through it (no executor, queue or interface between
 * them), all run on the owner's executor only.
 *
 * <pre>{@code
 * ConnectionOwner owner = new ConnectionOwner(config, client, presenceViews);
 * owner.start();
 * owner.connect().join();
 * }</pre>
 */
public final class ConnectionOwner {
    private static final System.Logger LOG = System.getLogger(ConnectionOwner.class.getName());

    // Read by the owner's parts (package-private, final): what the client was built with and where user code runs.
    final ClientConfig config;
    final SlipstreamClient handle;
    final ClientModule module;
    final ClientEventListener listener;
    final Scheduler scheduler;
    private final SerialExecutor executor;
    /** Where user code runs: the module's callbacks, the event listener, the stages of callers' futures. */
    final Delivery out;
    final PresenceSinks presenceSinks;

    // ---- the owner's parts: each holds its own state, all of it touched only on the executor ----
    /** Connect, reconnect, disconnect, close; the link and its generation. */
    final Connection connection;
    /** The joins, leaves and pushes sent and waiting for their replies, with their one deadline timer. */
    private final AwaitedReplies replies;
    /** Refs, encoding and the outbox of frames sent when the owner runs dry. */
    final Writer writer;
    final Heartbeat heartbeat;
    /** Decodes each frame received and hands it to the part it is for. */
    private final InboundRouter inbound;
    final PresenceUpdates presence;
    /** Pushes sent, buffered or dropped, and the timeouts of the replies awaited. */
    final Pushes pushes;
    /** The topics by name: joins, rejoins, leaves. */
    final Topics topics;

    public ConnectionOwner(ClientConfig config, SlipstreamClient handle, PresenceSinks presenceSinks) {
        this.config = config;
        this.presenceSinks = presenceSinks;
        this.handle = handle;
        this.module = config.module();
        this.listener = config.eventListener();
        this.scheduler = config.scheduler();
        Executor pool = config.executor() == null ? SharedPools.clients() : config.executor();
        // The owner runs on whichever thread hands it work while it is idle (the transport's reader, a caller, a
        // timer): no thread hand-off per command or frame. It never runs user code, which goes to `callbacks`.
        this.executor = new SerialExecutor(pool, true, this::whenIdle);
        this.replies = new AwaitedReplies(scheduler, token -> () -> send(new Command.DeadlinesDue(token)));
        this.out = new Delivery(listener, scheduler, new SerialExecutor(pool),
                config.transport().completions(SharedPools.completions()));
        this.connection = new Connection(this);
        this.writer = new Writer(this, replies);
        this.heartbeat = new Heartbeat(this);
        this.presence = new PresenceUpdates(this);
        this.pushes = new Pushes(this, replies);
        this.topics = new Topics(this, replies);
        this.inbound = new InboundRouter(this, replies);
    }

    // ======================================================================================== public entry points

    public void start() {
        send(new Command.Start());
    }

    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.Connect(f));
        return f;
    }

    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.Disconnect(f));
        return f;
    }

    public CompletableFuture<Payload> join(String topic, Supplier<? extends Payload> params) {
        CompletableFuture<Payload> f = new CallerFuture<>();
        send(new Command.JoinTopic(topic, params, f));
        return f;
    }

    public CompletableFuture<Payload.Reply> push(String topic, String event, Payload payload, Duration timeout) {
        CompletableFuture<Payload.Reply> f = new CallerFuture<>();
        send(new Command.PushMessage(topic, event, payload, timeout, f));
        return f;
    }

    public CompletableFuture<Void> leave(String topic) {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.LeaveTopic(topic, f));
        return f;
    }

    public void close() {
        CompletableFuture<Void> f = new CallerFuture<>();
        send(new Command.Close(f));
        if (!isOwnerThread()) {
            try {
                // Bounded: the close wait is itself bounded by the close timeout.
                f.get(config.closeTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                if (module != null || listener != null) {
                    // Callbacks run behind the owner: return once the stop hook and the last events have run.
                    out.awaitDelivered(config.closeTimeout().toMillis() + 5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(Level.WARNING, "slipstream client close did not finish cleanly: " + e);
            }
        }
    }

    public boolean isConnected() {
        return connection.connectedSnapshot();
    }

    public boolean isJoined(String topic) {
        return topics.isJoined(topic);
    }

    /** Whether the calling thread runs the owner or one of the client's callbacks (where blocking would deadlock). */
    public boolean isOwnerThread() {
        return executor.inExecutor() || out.inCallback();
    }

    /** Hands {@code command} to the owner's executor: how callers, the transport and timers reach the owner. */
    void send(Command command) {
        executor.execute(() -> {
            try {
                apply(command);
            } catch (RuntimeException e) {
                // A bug in the owner must not leave the client wedged silently.
                LOG.log(Level.ERROR, "slipstream client failed applying " + command.getClass().getSimpleName(), e);
            }
        });
    }

    // ======================================================================================== command dispatch

    private void apply(Command c) {
        if (c instanceof Command.FrameReceived f) {
            inbound.onFrame(f);
        } else if (c instanceof Command.PushMessage p) {
            pushes.onPush(p);
        } else if (c instanceof Command.DeadlinesDue d) {
            pushes.onDeadlinesDue(d.token());
        } else if (c instanceof Command.HeartbeatTick h) {
            heartbeat.onTick(h.generation());
        } else if (c instanceof Command.JoinTopic j) {
            topics.onJoin(j);
        } else if (c instanceof Command.LeaveTopic l) {
            topics.onLeave(l);
        } else if (c instanceof Command.Connect k) {
            connection.onConnect(k.result());
        } else if (c instanceof Command.Disconnect d) {
            connection.onDisconnect(d.result());
        } else if (c instanceof Command.TransportOpened o) {
            connection.onOpened(o);
        } else if (c instanceof Command.ConnectTimedOut t) {
            connection.onConnectTimeout(t.generation());
        } else if (c instanceof Command.TransportClosed t) {
            connection.onTransportClosed(t);
        } else if (c instanceof Command.TransportFailed t) {
            connection.onTransportFailed(t);
        } else if (c instanceof Command.CloseTimedOut t) {
            connection.onCloseTimeout(t.generation());
        } else if (c instanceof Command.ReconnectDue r) {
            connection.onReconnectDue(r.token());
        } else if (c instanceof Command.RejoinDue r) {
            topics.onRejoinDue(r);
        } else if (c instanceof Command.JoinWaitTimedOut w) {
            topics.onJoinWaitTimeout(w);
        } else if (c instanceof Command.BufferedPushTimedOut b) {
            pushes.onBufferedPushTimeout(b);
        } else if (c instanceof Command.Start) {
            if (module != null) {
                out.callback("started", () -> module.started(handle));
            }
        } else if (c instanceof Command.Close k) {
            connection.onClose(k.result());
        }
    }

    // ======================================================================================== running dry

    /** The owner ran dry: write the burst's frames, then hand its callbacks and events over (one task). */
    private void whenIdle() {
        writer.flush();
        out.flush();
    }

    // ======================================================================================== transport reports

    /** The listener of the connection attempt {@code gen}: what the transport reports becomes a command. */
    TransportListener transportListener(long gen) {
        return new Listener(gen);
    }

    /** Hands transport reports to the owner, tagged with their connection attempt. Never blocks. */
    private final class Listener implements TransportListener {
        private final long gen;

        Listener(long gen) {
            this.gen = gen;
        }

        @Override
        public void onFrame(Frame frame) {
            send(new Command.FrameReceived(gen, frame));
        }

        @Override
        public void onClosed(int code, String reason) {
            send(new Command.TransportClosed(gen, code, reason));
        }

        @Override
        public void onError(Throwable error) {
            send(new Command.TransportFailed(gen, error));
        }
    }
}
