package dev.slipstream.examples.startup;

import dev.slipstream.client.ClientModule;
import dev.slipstream.client.SlipstreamClient;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starting a client from configuration without letting a bad configuration take the application down: a missing or
 * invalid setting is reported clearly and the client is simply not started (the Elixir original returns
 * {@code :ignore} from {@code init}); everything else in the application keeps running.
 *
 * <p>Settings: {@code slipstream.url} (required; {@code ws://} or {@code wss://}) and {@code slipstream.topic}
 * (optional; joined once connected and rejoined after reconnects).
 *
 * <pre>{@code
 * Optional<SlipstreamClient> client = GracefulStartup.start(Map.of("slipstream.url", "ws://localhost:4000/socket"),
 *     problem -> System.err.println("warning: " + problem));
 * client.ifPresent(c -> System.out.println("started " + c));
 * }</pre>
 */
public final class GracefulStartup {
    /** The setting holding the socket URL. */
    public static final String URL = "slipstream.url";
    /** The setting holding the topic to join (optional). */
    public static final String TOPIC = "slipstream.topic";

    private GracefulStartup() {
    }

    // tag::graceful-startup[]
    /**
     * Builds and connects a client from {@code config}, or reports to {@code problems} why it did not and returns
     * empty. Never throws for a bad configuration.
     */
    public static Optional<SlipstreamClient> start(Map<String, String> config, Consumer<String> problems) {
        String url = config.get(URL);
        if (url == null || url.isBlank()) {
            problems.accept("not starting the Slipstream client because it is not configured: set " + URL);
            return Optional.empty();
        }
        SlipstreamClient.Builder builder;
        try {
            builder = SlipstreamClient.builder(URI.create(url.strip()));
        } catch (IllegalArgumentException e) { // a malformed URI, or not ws/wss, or no host
            problems.accept("not starting the Slipstream client because its configuration is invalid: " + URL
                    + " = \"" + url + "\": " + e.getMessage());
            return Optional.empty();
        }
        String topic = config.get(TOPIC);
        SlipstreamClient client = builder.module(new ClientModule() {
            @Override
            public void started(SlipstreamClient c) {
                c.connect(); // a server that is down is not a configuration error: the client retries with backoff
                if (topic != null && !topic.isBlank()) {
                    c.join(topic); // sent once connected, and rejoined after every reconnect
                }
            }
        }).build();
        return Optional.of(client);
    }
    // end::graceful-startup[]
}
