/**
 * The Slipstream client: {@link dev.slipstream.client.SlipstreamClient}, its callback module, events, the
 * {@link dev.slipstream.client.transport.Transport} SPI with the JDK websocket transport, and the injectable
 * {@link dev.slipstream.client.time.Scheduler}. Its {@code internal} package is not exported.
 *
 * <pre>{@code
 * module my.app {
 *     requires dev.slipstream.client;
 * }
 * }</pre>
 */
module dev.slipstream.client {
    // Payload, Message and Frame are in the client's API.
    requires transitive dev.slipstream.protocol;
    // JdkWebSocketTransport.using(HttpClient) names the JDK's HttpClient.
    requires transitive java.net.http;

    exports dev.slipstream.client;
    exports dev.slipstream.client.event;
    exports dev.slipstream.client.time;
    exports dev.slipstream.client.transport;
}
