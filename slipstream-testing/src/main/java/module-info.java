/**
 * The fake Phoenix server: {@link dev.slipstream.testing.FakePhoenixServer}, its scripted mode
 * ({@link dev.slipstream.testing.script.ScriptedServer}), the demo server and its HTTP admin API
 * ({@link dev.slipstream.testing.admin.AdminApi}). Its {@code internal} package is not
 * exported.
 *
 * <pre>{@code
 * module my.app.test {
 *     requires dev.slipstream.testing;
 * }
 * }</pre>
 */
module dev.slipstream.testing {
    // Payloads, recorded frames and matchers speak the codec's types.
    requires transitive dev.slipstream.protocol;
    // Scripted assertions throw opentest4j's AssertionFailedError, which callers may catch.
    requires transitive org.opentest4j;
    // Builder.httpHandler takes Undertow's HttpHandler. Undertow and XNIO have no module names of their own yet, so
    // these are their filename-based automatic names (undertow-core-*.jar, xnio-api-*.jar).
    requires transitive undertow.core;
    requires xnio.api;
    // On the module path: XNIO finds its NIO provider (xnio-nio) with a ServiceLoader, which only sees resolved
    // modules, and Undertow's jboss-threads (on the class path, see the README) needs sun.misc.Unsafe.
    uses org.xnio.XnioProvider;
    requires jdk.unsupported;
    // The recording proxy and the drift check reach the upstream backend with the JDK's WebSocket client.
    requires java.net.http;

    exports dev.slipstream.testing;
    exports dev.slipstream.testing.admin;
    exports dev.slipstream.testing.demo;
    exports dev.slipstream.testing.script;
    exports dev.slipstream.testing.record;
    exports dev.slipstream.testing.verify;
    exports dev.slipstream.testing.stub;
}
