package dev.slipstream.client.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.client.Backoff;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.time.Scheduler;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.protocol.Serializer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Everything a client was built with; immutable. Not public API (the builder in {@code SlipstreamClient} is).
 *
 * <pre>{@code
 * // made only by SlipstreamClient.Builder#build()
 * }</pre>
 */
public record ClientConfig(
        URI endpoint,
        Serializer serializer,
        Supplier<? extends Map<String, ?>> params,
        Map<String, List<String>> headers,
        Supplier<String> authToken,
        Duration connectTimeout,
        Duration heartbeatInterval,
        Duration pushTimeout,
        Duration closeTimeout,
        Backoff reconnectBackoff,
        Backoff rejoinBackoff,
        boolean reconnect,
        boolean rejoinAfterReconnect,
        boolean rejoinAfterCrash,
        boolean rejoinAfterRefusal,
        int pushBufferSize,
        int maxMessageBytes,
        Transport transport,
        Scheduler scheduler,
        Executor executor,
        ClientModule module,
        ClientEventListener eventListener,
        String name,
        ObjectMapper objectMapper) {
}
