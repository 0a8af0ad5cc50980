/**
 * Scripted mode of the fake Phoenix server: the test plays the server. {@link
 * dev.slipstream.testing.script.ScriptedServer} queues what each client connection does (connects, joins, pushes,
 * leaves, heartbeats, disconnects) until the test takes it with an {@code assert*} method and answers; payloads are
 * matched with {@link dev.slipstream.testing.script.PayloadMatcher}. Usable from any test framework; the
 * {@code slipstream-junit5} module manages one per test.
 *
 * <pre>{@code
 * try (ScriptedServer server = ScriptedServer.start()) {
 *     // point the client under test at server.uri(), then:
 *     ScriptedChannel room = server.connectAndJoin("room:lobby");
 *     Push push = room.assertPush("new_msg", Map.of("body", "hi"));
 *     room.reply(push, Reply.ok(Map.of("id", 1)));
 * }
 * }</pre>
 */
package dev.slipstream.testing.script;
