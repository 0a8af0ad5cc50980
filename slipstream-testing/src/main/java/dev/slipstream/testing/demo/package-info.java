/**
 * The demo Phoenix app of the reference recordings ({@code echo:*}, {@code presence:*}, HTTP helpers) and the
 * standalone {@code serve} entry point, {@link dev.slipstream.testing.demo.DemoServer}.
 *
 * <pre>{@code
 * FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).start();
 * }</pre>
 */
package dev.slipstream.testing.demo;
