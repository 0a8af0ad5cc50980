/**
 * {@code @SlipstreamTest}: the JUnit Jupiter extension that gives each test a fake Phoenix server. Its
 * {@code internal} package is not exported.
 *
 * <pre>{@code
 * open module my.app.test {
 *     requires dev.slipstream.junit5;
 * }
 * }</pre>
 */
module dev.slipstream.junit5 {
    // Tests get ScriptedServer and FakePhoenixServer injected.
    requires transitive dev.slipstream.testing;
    // @SlipstreamTest is meta-annotated with @ExtendWith; SlipstreamExtension implements Jupiter's callbacks.
    requires transitive org.junit.jupiter.api;

    exports dev.slipstream.junit5;
}
