/**
 * {@link dev.slipstream.junit5.SlipstreamTest}: a fake Phoenix server in scripted mode for each JUnit Jupiter test,
 * injected as a parameter or field, with background failures turned into test failures; {@link
 * dev.slipstream.junit5.SlipstreamExtension} for programmatic registration. Everything in {@code .internal} may
 * change without notice.
 *
 * <pre>{@code
 * @SlipstreamTest
 * class ClientTest {
 *     @Test
 *     void joins(ScriptedServer server) {
 *         client.connect(server.uri());
 *         server.connectAndJoin("room:lobby");
 *     }
 * }
 * }</pre>
 */
package dev.slipstream.junit5;
