/**
 * A fake Phoenix server for tests: {@link dev.slipstream.testing.FakePhoenixServer} and the channel SPI
 * ({@link dev.slipstream.testing.ChannelHandler}, {@link dev.slipstream.testing.ChannelSocket}, results that may be
 * decided later), connect decisions ({@link dev.slipstream.testing.ConnectHandler}), the test's view of connections
 * ({@link dev.slipstream.testing.ServerConnection}, {@link dev.slipstream.testing.RecordedFrame}) and the
 * {@link dev.slipstream.testing.ServerListener} hook that tools such as the scripted mode build on.
 *
 * <pre>{@code
 * try (FakePhoenixServer server = FakePhoenixServer.builder()
 *         .channel("room:*", (topic, params, socket) -> JoinResult.ok())
 *         .start()) {
 *     // connect a client to server.uri()
 * }
 * }</pre>
 */
package dev.slipstream.testing;
