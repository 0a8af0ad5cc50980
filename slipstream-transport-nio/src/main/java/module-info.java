/**
 * {@link dev.slipstream.transport.nio.NioWebSocketTransport}, a lean RFC 6455 transport on {@code java.nio} for the
 * Slipstream client. Its {@code internal} package is not exported.
 *
 * <pre>{@code
 * module my.app {
 *     requires dev.slipstream.transport.nio;
 * }
 * }</pre>
 */
module dev.slipstream.transport.nio {
    // NioWebSocketTransport implements the client's Transport SPI.
    requires transitive dev.slipstream.client;

    exports dev.slipstream.transport.nio;
}
