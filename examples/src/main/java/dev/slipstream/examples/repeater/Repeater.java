package dev.slipstream.examples.repeater;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import java.util.Objects;

/**
 * A repeater: joins a topic once connected and relays every message it receives there somewhere else, for example
 * onto a topic of another Phoenix server through a second client (the Elixir original re-broadcasts onto the local
 * endpoint). It is a {@link ClientModule}; the client rejoins the topic after reconnects by itself.
 *
 * <pre>{@code
 * SlipstreamClient mirror = SlipstreamClient.builder("ws://mirror.example/socket").build();
 * mirror.connect();
 * mirror.join("mirror:lobby");
 * SlipstreamClient source = SlipstreamClient.builder("ws://source.example/socket")
 *     .module(new Repeater("rooms:lobby", Repeater.Sink.pushTo(mirror, "mirror:lobby")))
 *     .build();
 * }</pre>
 */
// tag::repeater[]
public final class Repeater implements ClientModule {

    /**
     * Where relayed messages go. Called on the source client's callback thread: hand off, do not block.
     *
     * <pre>{@code
     * Repeater.Sink print = (topic, event, payload) -> System.out.println(topic + " " + event + " " + payload);
     * }</pre>
     */
    @FunctionalInterface
    public interface Sink {
        /** Relays one message. */
        void relay(String topic, String event, Payload payload);

        /**
         * A sink that pushes each message, same event and payload, to {@code topic} of {@code target}; a push that
         * fails (target down, topic not joined, error reply) is logged as a warning, never silently lost.
         */
        static Sink pushTo(SlipstreamClient target, String topic) {
            return (fromTopic, event, payload) -> target.push(topic, event, payload).whenComplete((reply, error) -> {
                if (error != null || !reply.isOk()) {
                    LOG.log(System.Logger.Level.WARNING, "repeater could not relay " + event + " from " + fromTopic
                            + " to " + topic + ": " + (error != null ? error.getMessage() : reply));
                }
            });
        }
    }

    private static final System.Logger LOG = System.getLogger(Repeater.class.getName());

    private final String topic;
    private final Sink sink;

    /** Relays everything that arrives on {@code topic} to {@code sink}. */
    public Repeater(String topic, Sink sink) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void started(SlipstreamClient client) {
        client.connect();
        client.join(topic); // sent once connected; rejoined by the client after every reconnect
    }

    @Override
    public void message(SlipstreamClient client, String fromTopic, String event, Payload payload) {
        if (fromTopic.equals(topic)) {
            sink.relay(fromTopic, event, payload);
        }
    }
}
// end::repeater[]
