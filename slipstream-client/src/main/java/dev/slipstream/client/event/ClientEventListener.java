package dev.slipstream.client.event;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Observes a client's {@link ClientEvent}s, in the spirit of OkHttp's {@code EventListener} and the Elixir original's
 * telemetry. Called on the client's callbacks executor, one event at a time and in order with the module's
 * callbacks, never on a websocket thread; it must return quickly and must not block.
 * A listener that throws is logged and ignored. With no listener set, the client builds no events at all.
 *
 * <pre>{@code
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("ws://localhost:4000/socket"))
 *     .eventListener(event -> System.out.println(event))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface ClientEventListener {

    /** One event. */
    void onEvent(ClientEvent event);

    /** A listener that forwards each event to every one of {@code listeners}, in order. */
    static ClientEventListener all(ClientEventListener... listeners) {
        ClientEventListener[] copy = listeners.clone();
        return event -> {
            for (ClientEventListener l : copy) {
                l.onEvent(event);
            }
        };
    }

    /**
     * A listener that hands the exception of every {@link ClientEvent.CallbackFailed} (a {@code ClientModule}
     * callback that threw, or failed an assertion) to {@code sink}, and ignores every other event. Its use is a test
     * whose fake server collects background failures, so that a throwing callback fails the test instead of being
     * logged while the client carries on:
     *
     * <pre>{@code
     * SlipstreamClient client = SlipstreamClient.builder(server.uri())
     *     .module(new ChatRoom("lobby", "ada", received::add))
     *     .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
     *     .build();
     * }</pre>
     *
     * <p>Only callback failures: they are bugs of the code under test whatever the server does. The other failure
     * events (connect failures, disconnects, timeouts, refused joins, undecodable frames) are what a test provokes on
     * purpose, and the code under test sees them through its callbacks and futures. Combine with a listener of your
     * own through {@link #all}.
     */
    static ClientEventListener onCallbackFailure(Consumer<? super Throwable> sink) {
        Objects.requireNonNull(sink, "sink");
        return event -> {
            if (event instanceof ClientEvent.CallbackFailed failed) {
                sink.accept(failed.error());
            }
        };
    }
}
