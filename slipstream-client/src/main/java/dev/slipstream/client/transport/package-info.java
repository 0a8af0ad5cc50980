/**
 * How the client reaches a websocket: the {@link dev.slipstream.client.transport.Transport} SPI and two
 * implementations.
 *
 * <ul>
 *   <li>{@link dev.slipstream.client.transport.JdkWebSocketTransport}, the default: the JDK's {@code java.net.http}
 *       WebSocket on one shared {@code HttpClient}. Nothing to add, nothing to tune; it cannot show the headers of a
 *       successful upgrade and holds about 60 KB of buffers per connection.</li>
 *   <li>{@code NioWebSocketTransport} (module {@code slipstream-transport-nio}): RFC 6455 on {@code java.nio}, one shared
 *       selector (two threads taking turns on it), no I/O buffer held by an idle connection (about 5 KB of heap per idle client connection,
 *       all included), sends written from the caller's thread, every upgrade response header visible. Pick it for
 *       many connections, CPU per message, or the headers.</li>
 * </ul>
 *
 * <p>The contract every transport keeps is on {@link dev.slipstream.client.transport.Transport}: the open future
 * completes before the first listener call, whole messages arrive in order, then exactly one {@code onClosed} or
 * {@code onError}. Errors are typed: {@link dev.slipstream.client.transport.UpgradeRejectedException} (an HTTP status
 * instead of 101, with the response headers), {@link dev.slipstream.client.transport.MessageTooLargeException} (1009),
 * {@link dev.slipstream.client.transport.WebSocketProtocolException} (the server broke RFC 6455; NIO transport).
 *
 * <pre>{@code
 * SlipstreamClient client = SlipstreamClient.builder(URI.create("wss://example.com/socket"))
 *     .transport(NioWebSocketTransport.shared())
 *     .build();
 * }</pre>
 */
package dev.slipstream.client.transport;
