package dev.slipstream.examples.requests;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.DisconnectReason;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SlipstreamException;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.protocol.Payload;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request/response from other threads (the Elixir original's "GenServer capabilities" example): any thread asks the
 * client for something and gets a future that is answered later. A request to a topic that is not joined yet is
 * deferred: the topic is joined first and the request is pushed only when the join has completed, as the original
 * answers a {@code GenServer.call} from {@code handle_join}. Concurrent requests to the same topic share one join.
 *
 * <pre>{@code
 * RoomRequests rooms = RoomRequests.start(SlipstreamClient.builder("ws://localhost:4000/socket"));
 * // From any thread; the join of "room:7" happens first, then the push:
 * CompletableFuture<Payload> history = rooms.ask("room:7", "history", Map.of("last", 10));
 * history.thenAccept(h -> System.out.println(h));
 * }</pre>
 */
// tag::requests[]
public final class RoomRequests implements AutoCloseable {

    /**
     * The server answered a request with an error reply.
     *
     * <pre>{@code
     * rooms.ask("room:7", "history", Payload.empty()).exceptionally(e -> {
     *     if (e.getCause() instanceof RoomRequests.RequestRefusedException r) System.err.println(r.response());
     *     return null;
     * });
     * }</pre>
     */
    public static final class RequestRefusedException extends SlipstreamException {
        private static final long serialVersionUID = 1L;
        private final transient Payload response;

        RequestRefusedException(String topic, String event, Payload response) {
            super(event + " on " + topic + " was refused: " + response);
            this.response = response;
        }

        /** The error reply's response. */
        public Payload response() {
            return response;
        }
    }

    // One join per topic, shared by every request to it; a failed join is forgotten so a later request retries.
    private final Map<String, CompletableFuture<Payload>> joins = new ConcurrentHashMap<>();
    private final SlipstreamClient client;

    private RoomRequests(SlipstreamClient.Builder builder) {
        this.client = builder.module(new ClientModule() {
            @Override
            public void started(SlipstreamClient c) {
                c.connect();
            }

            // Once a topic stops being joined, the next request joins it again (and waits for that join).
            @Override
            public void left(SlipstreamClient c, String topic) {
                joins.remove(topic);
            }

            @Override
            public void topicClosed(SlipstreamClient c, String topic, TopicCloseReason reason) {
                joins.remove(topic);
            }

            @Override
            public void disconnected(SlipstreamClient c, DisconnectReason reason) {
                joins.clear();
            }
        }).build();
    }

    /** Builds the client from {@code builder} (its module is replaced) and connects. */
    public static RoomRequests start(SlipstreamClient.Builder builder) {
        return new RoomRequests(Objects.requireNonNull(builder, "builder"));
    }

    /**
     * Asks {@code topic} with {@code event}: joins the topic first if needed, then pushes, and completes with the
     * reply's response. Fails with {@link RequestRefusedException} on an error reply, or with the join's or push's
     * own error (refused join, timeout, no connection). Safe to call from any thread; never blocks. {@code payload}
     * is a {@link Payload} or an object the client's mapper writes (a record, a map); the response maps back with
     * {@link Payload#as(Class)}.
     */
    public CompletableFuture<Payload> ask(String topic, String event, Object payload) {
        return joined(topic)
                .thenCompose(joinResponse -> client.push(topic, event, payload))
                .thenApply(reply -> {
                    if (!reply.isOk()) {
                        throw new RequestRefusedException(topic, event, reply.response());
                    }
                    return reply.response();
                });
    }

    /** Completes with the join response of {@code topic} once joined (joining it if nobody did yet). */
    public CompletableFuture<Payload> joined(String topic) {
        CompletableFuture<Payload> join = joins.computeIfAbsent(topic, client::join);
        join.whenComplete((response, error) -> {
            if (error != null) {
                joins.remove(topic, join);
            }
        });
        return join;
    }

    /** The client underneath. */
    public SlipstreamClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }
}
// end::requests[]
