package dev.slipstream.junit5;

import dev.slipstream.junit5.internal.Config;
import dev.slipstream.junit5.internal.Injection;
import dev.slipstream.junit5.internal.ServerResource;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ConnectHandler;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.PhoenixVersion;
import dev.slipstream.testing.script.ScriptedServer;
import dev.slipstream.testing.stub.StubFormatException;
import dev.slipstream.testing.stub.Stubs;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstantiationAwareExtension;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The JUnit Jupiter extension behind {@link SlipstreamTest}: a fake Phoenix server in scripted mode
 * ({@link ScriptedServer}) per test or per class, injected where the test asks for it, closed afterwards, and
 * background failures turned into test failures.
 *
 * <p>Register it with {@link SlipstreamTest}, or programmatically for configuration:
 *
 * <pre>{@code
 * class RoomTest {
 *     @RegisterExtension
 *     static SlipstreamExtension phoenix = SlipstreamExtension.builder()
 *             .phoenixVersion(PhoenixVersion.V1_7)
 *             .assertTimeout(Duration.ofSeconds(2))
 *             .channel("echo:*", new EchoChannel())      // stubbed topics answer by themselves
 *             .build();
 *
 *     @Test
 *     void joins() {
 *         ScriptedServer server = phoenix.server();       // or take it as a parameter
 *         // ...
 *     }
 * }
 * }</pre>
 *
 * <p>A {@code static} field shares one server per class, reset between tests; an instance field gives every test
 * its own server. See {@link SlipstreamTest} for injection, lifecycle, timeouts, failures and parallel execution.
 *
 * <p>The callbacks are {@code final} so their order stays right; subclasses hook in with
 * {@link #onBeforeEach(ScriptedServer, ExtensionContext)} and {@link #onAfterEach(ScriptedServer, ExtensionContext)}.
 */
public class SlipstreamExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback, ParameterResolver, TestInstantiationAwareExtension {

    /** Configuration parameter: the default assert timeout, e.g. {@code 2 s} or {@code 1500 ms}. */
    public static final String ASSERT_TIMEOUT_PROPERTY = "slipstream.assert.timeout";
    /** Configuration parameter: the default refute window, e.g. {@code 300 ms}. */
    public static final String REFUTE_TIMEOUT_PROPERTY = "slipstream.refute.timeout";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SlipstreamExtension.class);
    // Which registrations ran beforeAll on a class, and beforeEach on a test: two on one context means two
    // registrations serve the same tests. Separate keys, so a test's list never falls back to its class's.
    private static final String REGISTRATIONS_OF_CLASS = "registrations of the class";
    private static final String REGISTRATIONS_OF_TEST = "registrations of the test";

    private final Settings settings;
    private volatile ScriptedServer latest;

    /** For {@link SlipstreamTest} ({@code @ExtendWith}): settings come from the annotation. */
    public SlipstreamExtension() {
        this.settings = null;
    }

    private SlipstreamExtension(Settings settings) {
        this.settings = settings;
    }

    /** A builder for {@code @RegisterExtension}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The server of the running test (of the class, for a static registration), for programmatic registrations that
     * do not take it as a parameter.
     *
     * @throws IllegalStateException outside a test
     */
    public ScriptedServer server() {
        ScriptedServer s = latest;
        if (s == null) {
            throw new IllegalStateException("no Slipstream server is running: server() is available inside tests, "
                    + "@BeforeEach and @AfterEach methods (and @BeforeAll for a static @RegisterExtension field)");
        }
        return s;
    }

    // ---------------------------------------------------------------- callbacks

    @Override
    public final void beforeAll(ExtensionContext context) {
        checkRegistration(context, REGISTRATIONS_OF_CLASS);
        boolean perClass = settings != null || annotation(context).perClass();
        Class<?> testClass = context.getRequiredTestClass();
        if (!perClass) {
            Injection.rejectStaticFields(testClass);
            return;
        }
        ServerResource resource = start(context, testClass.getSimpleName());
        context.getStore(NAMESPACE).put(classKey(), resource);
        latest = resource.server();
        Injection.injectStatic(testClass, resource.server());
    }

    @Override
    public final void beforeEach(ExtensionContext context) throws Exception {
        checkRegistration(context, REGISTRATIONS_OF_TEST);
        ServerResource resource = classResource(context);
        if (resource != null && context.getExecutionMode() == ExecutionMode.CONCURRENT) {
            throw new ExtensionConfigurationException(context.getRequiredTestClass().getName()
                    + " shares one Slipstream server among its tests (" + describe(context) + "), but its tests run "
                    + "concurrently; annotate the class with @Execution(ExecutionMode.SAME_THREAD), or give each test "
                    + "its own server (the default of @SlipstreamTest, or a non-static @RegisterExtension field)");
        }
        if (resource == null) {
            resource = testResource(context);
        }
        latest = resource.server();
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            Injection.injectInstance(instance, resource.server());
        }
        onBeforeEach(resource.server(), context);
    }

    @Override
    public final void afterEach(ExtensionContext context) throws Exception {
        ServerResource classResource = classResource(context);
        ServerResource resource = classResource != null ? classResource
                : context.getStore(NAMESPACE).get(testKey(), ServerResource.class);
        if (resource == null) {
            return; // beforeEach failed before starting anything
        }
        List<Throwable> failures = new ArrayList<>();
        try {
            onAfterEach(resource.server(), context);
        } catch (Throwable t) {
            failures.add(t);
        }
        failures.addAll(resource.server().takeFailures());
        if (classResource != null) {
            resource.server().reset();
        } else {
            context.getStore(NAMESPACE).remove(testKey());
            resource.close();
            if (latest == resource.server()) {
                latest = null;
            }
        }
        throwAll(failures, context);
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        ServerResource resource = context.getStore(NAMESPACE).remove(classKey(), ServerResource.class);
        if (resource == null) {
            return;
        }
        List<Throwable> failures = new ArrayList<>(resource.server().takeFailures());
        resource.close();
        if (latest == resource.server()) {
            latest = null;
        }
        throwAll(failures, context);
    }

    /** Runs after the server is ready and injected, before the test; override to prepare shared scripting. */
    protected void onBeforeEach(ScriptedServer server, ExtensionContext context) throws Exception {}

    /** Runs after the test, before background failures are collected and the server is reset or closed. */
    protected void onAfterEach(ScriptedServer server, ExtensionContext context) throws Exception {}

    // ---------------------------------------------------------------- parameters

    @Override
    public final boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return Injection.isServerType(parameterContext.getParameter().getType());
    }

    @Override
    public final Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        ServerResource resource = classResource(context);
        if (resource == null) {
            if (context.getTestMethod().isEmpty()) {
                throw new ParameterResolutionException(perTestOutsideTest(parameterContext));
            }
            resource = testResource(context);
        }
        return Injection.valueFor(parameterContext.getParameter().getType(), resource.server());
    }

    @Override
    public final ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        // Constructor parameters then see the test's own context, so a per-test server can be made for them.
        return ExtensionContextScope.TEST_METHOD;
    }

    // ---------------------------------------------------------------- internals

    // Store keys unique to this registration, so two registrations never share a server by accident.
    private final Object classKey = new Object();
    private final Object testKey = new Object();

    private Object classKey() {
        return classKey;
    }

    private Object testKey() {
        return testKey;
    }

    /** The per-class server of this registration, if it has one (found from any nested context). */
    private ServerResource classResource(ExtensionContext context) {
        return context.getStore(NAMESPACE).get(classKey(), ServerResource.class);
    }

    /** The server of this test, started on first use (a constructor parameter comes before beforeEach). */
    private ServerResource testResource(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        ServerResource resource = store.get(testKey(), ServerResource.class);
        if (resource == null) {
            resource = start(context, context.getDisplayName());
            store.put(testKey(), resource);
        }
        return resource;
    }

    private ServerResource start(ExtensionContext context, String owner) {
        Settings s = settings != null ? settings : Settings.from(annotation(context), context);
        ScriptedServer.Builder b = ScriptedServer.builder()
                .assertTimeout(s.assertTimeout != null ? s.assertTimeout
                        : Config.duration(context, ASSERT_TIMEOUT_PROPERTY, ScriptedServer.DEFAULT_ASSERT_TIMEOUT))
                .refuteTimeout(s.refuteTimeout != null ? s.refuteTimeout
                        : Config.duration(context, REFUTE_TIMEOUT_PROPERTY, ScriptedServer.DEFAULT_REFUTE_TIMEOUT));
        s.channels.forEach(b::channel);
        if (s.scriptedTopics != null) {
            b.scriptedTopics(s.scriptedTopics);
        }
        if (s.acceptConnects) {
            b.acceptConnects();
        }
        if (s.connectHandler != null) {
            b.connectHandler(s.connectHandler);
        }
        if (s.stubs != null) {
            try {
                b.stubs(Stubs.load(s.stubs));
            } catch (StubFormatException e) {
                throw new ExtensionConfigurationException("stubs \"" + s.stubs + "\" for "
                        + context.getRequiredTestClass().getName() + ": " + e.getMessage(), e);
            }
        }
        b.server(sb -> {
            // A server per test must not cost a set of threads per test: making and joining them took most of a
            // short test's time. The customizers below may still ask for threads of its own.
            sb.sharedThreads(true);
            sb.socketPath(s.socketPath).phoenixVersion(s.phoenixVersion);
            for (Consumer<FakePhoenixServer.Builder> c : s.customizers) {
                c.accept(sb);
            }
        });
        return new ServerResource(b.start(), owner);
    }

    private SlipstreamTest annotation(ExtensionContext context) {
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            SlipstreamTest a = c.getAnnotation(SlipstreamTest.class);
            if (a != null) {
                return a;
            }
        }
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            for (java.lang.annotation.Annotation meta : c.getAnnotations()) {
                SlipstreamTest a = meta.annotationType().getAnnotation(SlipstreamTest.class);
                if (a != null) {
                    return a;
                }
            }
        }
        return Defaults.ANNOTATION;
    }

    /** Fails fast when two Slipstream extensions serve one class: their parameters would compete. */
    private void checkRegistration(ExtensionContext context, String key) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        @SuppressWarnings("unchecked")
        List<SlipstreamExtension> registered = store.get(key, List.class);
        if (registered == null) {
            registered = new ArrayList<>();
            store.put(key, registered);
        }
        synchronized (registered) {
            if (!registered.contains(this)) {
                registered.add(this);
            }
            if (registered.size() > 1) {
                List<String> how = new ArrayList<>();
                for (SlipstreamExtension e : registered) {
                    how.add(e.describe(context));
                }
                throw new ExtensionConfigurationException("Slipstream is registered more than once on "
                        + context.getRequiredTestClass().getName() + ": " + String.join(" and ", how)
                        + "; keep one (remove @SlipstreamTest when configuring a @RegisterExtension field)");
            }
        }
    }

    /** How this instance was registered, for messages: "@SlipstreamTest" or "the @RegisterExtension field 'x'". */
    String describe(ExtensionContext context) {
        if (settings == null) {
            return "@SlipstreamTest";
        }
        String field = Injection.fieldHolding(context, this);
        return field == null ? "a @RegisterExtension field" : "the @RegisterExtension field '" + field + "'";
    }

    private static String perTestOutsideTest(ParameterContext parameterContext) {
        Executable executable = parameterContext.getDeclaringExecutable();
        String where;
        if (executable instanceof Constructor<?>) {
            where = "constructor parameter '" + parameterContext.getParameter().getName() + "' of "
                    + executable.getDeclaringClass().getSimpleName() + " (the class has "
                    + "@TestInstance(Lifecycle.PER_CLASS), so its constructor runs once for all tests)";
        } else {
            Method m = (Method) executable;
            where = "parameter '" + parameterContext.getParameter().getName() + "' of "
                    + (m.isAnnotationPresent(BeforeAll.class) ? "@BeforeAll " : "")
                    + "method " + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()";
        }
        return "Cannot inject a Slipstream server into the " + where + ": each test gets its own server, which "
                + "exists only while a test runs. Take it as a parameter of the test or of @BeforeEach instead, or share "
                + "one server per class with @SlipstreamTest(perClass = true) or a static @RegisterExtension field.";
    }

    private static void throwAll(List<Throwable> failures, ExtensionContext context) throws Exception {
        if (failures.isEmpty()) {
            return;
        }
        Throwable first = failures.get(0);
        for (int i = 1; i < failures.size(); i++) {
            if (failures.get(i) != first) {
                first.addSuppressed(failures.get(i));
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        throw new AssertionError("background failure in " + context.getDisplayName(), first);
    }

    /** Settings of a programmatic registration, or read from the annotation and configuration parameters. */
    private static final class Settings {
        String socketPath = "/socket";
        PhoenixVersion phoenixVersion = PhoenixVersion.V1_8;
        Duration assertTimeout;
        Duration refuteTimeout;
        final Map<String, ChannelHandler> channels = new LinkedHashMap<>();
        String[] scriptedTopics;
        boolean acceptConnects;
        ConnectHandler connectHandler;
        String stubs;
        final List<Consumer<FakePhoenixServer.Builder>> customizers = new ArrayList<>();

        static Settings from(SlipstreamTest a, ExtensionContext context) {
            Settings s = new Settings();
            s.socketPath = a.socketPath();
            s.stubs = a.stubs().isEmpty() ? null : a.stubs();
            try {
                s.phoenixVersion = PhoenixVersion.parse(a.phoenixVersion());
            } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException("@SlipstreamTest(phoenixVersion = \"" + a.phoenixVersion()
                        + "\") on " + context.getRequiredTestClass().getName() + ": " + e.getMessage(), e);
            }
            return s;
        }
    }

    @SlipstreamTest
    private static final class Defaults {
        static final SlipstreamTest ANNOTATION = Defaults.class.getAnnotation(SlipstreamTest.class);
    }

    /**
     * Configures a programmatic {@link SlipstreamExtension}. Every setting has a default.
     *
     * <pre>{@code
     * @RegisterExtension
     * static SlipstreamExtension phoenix = SlipstreamExtension.builder()
     *         .socketPath("/live")
     *         .phoenixVersion(PhoenixVersion.V1_7)
     *         .assertTimeout(Duration.ofSeconds(2))
     *         .refuteTimeout(Duration.ofMillis(300))
     *         .channel("echo:*", new EchoChannel())
     *         .acceptConnects()
     *         .server(b -> b.idleTimeout(Duration.ofSeconds(5)))
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final Settings settings = new Settings();

        private Builder() {}

        /** The socket mount path ({@code /socket} by default); the websocket is at {@code <path>/websocket}. */
        public Builder socketPath(String path) {
            settings.socketPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The Phoenix release to imitate where releases differ ({@link PhoenixVersion#V1_8} by default). */
        public Builder phoenixVersion(PhoenixVersion version) {
            settings.phoenixVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * How long assertions wait by default; unset, the configuration parameter
         * {@value SlipstreamExtension#ASSERT_TIMEOUT_PROPERTY} or 1 s.
         */
        public Builder assertTimeout(Duration timeout) {
            settings.assertTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long refutes watch by default; unset, the configuration parameter
         * {@value SlipstreamExtension#REFUTE_TIMEOUT_PROPERTY} or 200 ms.
         */
        public Builder refuteTimeout(Duration timeout) {
            settings.refuteTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Stubs topics matching {@code pattern} ({@code "room:*"} or exact) with a channel handler of
         * {@code slipstream-testing}, which answers joins and pushes by itself; assertions still see them.
         */
        public Builder channel(String pattern, ChannelHandler handler) {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(handler, "handler");
            if (settings.channels.putIfAbsent(pattern, handler) != null) {
                throw new IllegalArgumentException("a channel is already registered for \"" + pattern + "\"");
            }
            return this;
        }

        /** The topics the test answers ({@code "*"} by default); see {@link ScriptedServer.Builder#scriptedTopics}. */
        public Builder scriptedTopics(String... patterns) {
            settings.scriptedTopics = patterns.clone();
            return this;
        }

        /** Accepts every connect without the test deciding (typical for the stubbing style). */
        public Builder acceptConnects() {
            settings.acceptConnects = true;
            return this;
        }

        /** Decides connects with {@code handler} instead of the test. */
        public Builder connectHandler(ConnectHandler handler) {
            settings.connectHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Stub files that answer for your backend ({@code "classpath:phoenix/"}, a path, a folder, a URL): their
         * channels answer the topics they cover (after {@link #channel}'s, before the scripted topics), their connect
         * rules decide connects unless {@link #connectHandler} is set. Loaded afresh for each server.
         */
        public Builder stubs(String location) {
            settings.stubs = Objects.requireNonNull(location, "location");
            return this;
        }

        /** Any other setting of the fake server (idle timeout, port, frame size, origin check...). */
        public Builder server(Consumer<FakePhoenixServer.Builder> customizer) {
            settings.customizers.add(Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        /** The extension, for a {@code @RegisterExtension} field. */
        public SlipstreamExtension build() {
            return new SlipstreamExtension(settings);
        }
    }
}
