package dev.slipstream.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test a running fake Phoenix server in scripted mode (a
 * {@link dev.slipstream.testing.script.ScriptedServer}), on an ephemeral port of 127.0.0.1, so the test plays the
 * server: point the client under test at {@code server.uri()}, then assert what it sends and answer.
 *
 * <pre>{@code
 * @SlipstreamTest
 * class ChatRoomTest {
 *     @Test
 *     void saysAndGetsAnId(ScriptedServer server) {
 *         ChatRoom lobby = new ChatRoom("lobby", "ada", body -> {});   // a ClientModule, the code under test
 *         try (SlipstreamClient client = SlipstreamClient.builder(server.uri())
 *                 .module(lobby)
 *                 // a throwing callback fails the test:
 *                 .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
 *                 .build()) {
 *             ScriptedChannel room = server.connectAndJoin("room:lobby");
 *             lobby.joined().join();
 *
 *             CompletableFuture<Integer> id = lobby.say(client, "hi");
 *             Push push = room.assertPush("new_msg", Map.of("body", "hi"));
 *             room.reply(push, Reply.ok(Map.of("id", 7)));
 *
 *             assertThat(id).succeedsWithin(Duration.ofSeconds(1)).isEqualTo(7);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Getting the server</h2>
 * As a parameter of a test method, of a {@code @BeforeEach}/{@code @AfterEach} method or of the test class
 * constructor ({@code ScriptedServer} or the underlying {@link dev.slipstream.testing.FakePhoenixServer}), or in a
 * non-final field of either type, which is filled before each test when it is {@code null} (a field already holding
 * another server is left alone).
 *
 * <h2>Lifecycle</h2>
 * By default every test gets its own server, started before the test and closed after it: tests are isolated.
 * With {@code perClass = true} one server serves every test of the class: started before {@code @BeforeAll}
 * (which may take it as a parameter, and static fields are filled), reset after each test (queued events, background
 * failures and server-wide faults are dropped; open connections stay open, so a client shared by the class keeps
 * working), and closed after the class. For more settings (timeouts, stub channels, connect handling), register
 * {@link SlipstreamExtension} with {@code @RegisterExtension} instead of this annotation; a static field there also
 * means one server per class.
 *
 * <h2>Failures</h2>
 * Assertions wait up to 1 s (refutes 200 ms), or the values of the configuration parameters
 * {@value SlipstreamExtension#ASSERT_TIMEOUT_PROPERTY} and {@value SlipstreamExtension#REFUTE_TIMEOUT_PROPERTY}
 * (in {@code junit-platform.properties}, e.g. {@code slipstream.assert.timeout = 2 s}). After each test, failures
 * that happened in the background (exceptions of stub channels, protocol violations the server saw, exceptions the
 * client reported with {@code server.reportFailure}) fail that test: the first one is thrown, later ones are attached
 * as suppressed.
 *
 * <h2>Parallel execution</h2>
 * Supported with per-test servers (the default): each test has its own server and state lives in JUnit's
 * extension store. A {@code perClass} server cannot be shared by tests that run concurrently (its assertions follow
 * "the latest connection"); such a class fails fast and must run its tests in the same thread
 * ({@code @Execution(ExecutionMode.SAME_THREAD)}).
 *
 * <p>Works with JUnit 5.14 and JUnit 6 (it uses no API that JUnit 6 removed).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SlipstreamExtension.class)
public @interface SlipstreamTest {

    /** One server for every test of the class, reset between tests, instead of one per test. */
    boolean perClass() default false;

    /** The socket mount path; the websocket is at {@code <socketPath>/websocket}. */
    String socketPath() default "/socket";

    /** The Phoenix release to imitate where releases differ on the wire: {@code "1.8"} (default) or {@code "1.7"}. */
    String phoenixVersion() default "1.8";

    /**
     * Stub files that answer for your backend ({@code "classpath:phoenix/"}, a path, a folder or a URL; see
     * {@code dev.slipstream.testing.stub.Stubs}): their channels answer the topics they cover, their connect rules
     * decide connects. Each test's server loads them afresh, so counters and runtime changes do not leak.
     */
    String stubs() default "";
}
