package dev.slipstream.client;

import dev.slipstream.protocol.Payload;

/**
 * A server push or broadcast as {@link SyncClient#awaitMessage} returns it.
 *
 * <pre>{@code
 * ReceivedMessage m = sync.awaitMessage("room:lobby", "new_msg", Duration.ofSeconds(5));
 * String body = m.payload().asJson().json().get("body").asText();
 * }</pre>
 *
 * @param topic the topic
 * @param event the event name
 * @param payload the payload (JSON or binary)
 */
public record ReceivedMessage(String topic, String event, Payload payload) {
}
