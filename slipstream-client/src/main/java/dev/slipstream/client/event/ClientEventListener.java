package dev.slipstream.client.event;

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
}
