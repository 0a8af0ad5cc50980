package dev.slipstream.examples.rejoin;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.TopicCloseReason;
import dev.slipstream.protocol.Payload;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Topics joined dynamically, at run time and from any thread, and kept across reconnects. The application owns the
 * set of topics it wants; every connect joins all of them, so a reconnect restores exactly that set, including topics
 * asked for while the connection was down. (The Elixir original tracks {@code assigns.topics} and rejoins them in
 * {@code handle_connect}.)
 *
 * <p>The client's own rejoin-after-reconnect is switched off here on purpose: this class is the one owner of "which
 * topics should be joined". With the default client settings, topics joined at the moment of a disconnect are rejoined
 * automatically; this pattern is for when the application decides, for instance from a database of subscriptions.
 *
 * <pre>{@code
 * TopicFollower follower = TopicFollower.start(SlipstreamClient.builder("ws://localhost:4000/socket"),
 *     message -> System.out.println(message));
 * follower.follow("stocks:ACME");
 * follower.follow("stocks:INIT");
 * follower.unfollow("stocks:ACME");
 * }</pre>
 */
// tag::rejoin[]
public final class TopicFollower implements AutoCloseable {

    /**
     * A message on a followed topic.
     *
     * <pre>{@code
     * TopicFollower.Message m = new TopicFollower.Message("stocks:ACME", "price", Payload.json("{\"usd\":1}"));
     * }</pre>
     *
     * @param topic the topic
     * @param event the event
     * @param payload the payload
     */
    public record Message(String topic, String event, Payload payload) {
    }

    private static final System.Logger LOG = System.getLogger(TopicFollower.class.getName());

    private final Set<String> wanted = ConcurrentHashMap.newKeySet(); // any thread adds and removes
    private final Consumer<Message> listener;
    private final SlipstreamClient client;

    private TopicFollower(SlipstreamClient.Builder builder, Consumer<Message> listener) {
        this.listener = listener;
        this.client = builder
                .rejoinAfterReconnect(false) // this class decides what is joined after a reconnect
                .module(new ClientModule() {
                    @Override
                    public void started(SlipstreamClient c) {
                        c.connect();
                    }

                    @Override
                    public void connected(SlipstreamClient c) {
                        wanted.forEach(c::join); // first connect and every reconnect
                    }

                    @Override
                    public void message(SlipstreamClient c, String topic, String event, Payload payload) {
                        listener.accept(new Message(topic, event, payload));
                    }

                    @Override
                    public void topicClosed(SlipstreamClient c, String topic, TopicCloseReason reason) {
                        // Topics closed by a disconnect are expected (joined again on connect); anything else is not.
                        if (c.isConnected() || reason.kind() == TopicCloseReason.Kind.JOIN_REFUSED) {
                            LOG.log(System.Logger.Level.WARNING, "followed topic " + topic + " closed: " + reason);
                        }
                    }
                })
                .build();
    }

    /** Builds the client from {@code builder} (its module is replaced) and connects; {@code listener} gets messages. */
    public static TopicFollower start(SlipstreamClient.Builder builder, Consumer<Message> listener) {
        return new TopicFollower(Objects.requireNonNull(builder, "builder"), Objects.requireNonNull(listener, "listener"));
    }

    /** Follows {@code topic}: joined now if connected (or as soon as the connection is up), and after every reconnect. */
    public void follow(String topic) {
        if (wanted.add(topic) && client.isConnected()) {
            client.join(topic);
        }
    }

    /** Stops following {@code topic}: left now, and not joined again. */
    public void unfollow(String topic) {
        if (wanted.remove(topic)) {
            client.leave(topic);
        }
    }

    /** The topics followed (a snapshot). */
    public Set<String> following() {
        return Set.copyOf(wanted);
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
// end::rejoin[]
