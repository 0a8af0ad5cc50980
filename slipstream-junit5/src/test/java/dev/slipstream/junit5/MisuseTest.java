package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Each misuse fails fast, naming the field or parameter and the fix. */
@Timeout(60)
class MisuseTest {

    private static Throwable onlyFailure(Class<?> fixture, String... config) {
        EngineExecutionResults results = Engine.run(fixture, config);
        Map<String, Throwable> failures = Engine.failures(results);
        if (!failures.isEmpty()) {
            assertThat(failures).hasSize(1);
            return failures.values().iterator().next();
        }
        return Engine.containerFailure(results, fixture).orElseThrow(
                () -> new AssertionError(fixture.getSimpleName() + " did not fail"));
    }

    @Test
    void finalField() {
        assertThat(onlyFailure(Fixtures.FINAL_FIELD))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("field 'server' of ")
                .hasMessageContaining("FinalField is final")
                .hasMessageContaining("remove 'final'");
    }

    @Test
    void staticFieldWithPerTestServers() {
        assertThat(onlyFailure(Fixtures.STATIC_FIELD_PER_TEST))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("static field 'shared' of ")
                .hasMessageContaining("each test gets its own server")
                .hasMessageContaining("@SlipstreamTest(perClass = true)");
    }

    @Test
    void beforeAllParameterWithPerTestServers() {
        assertThat(onlyFailure(Fixtures.BEFORE_ALL_PARAMETER_PER_TEST))
                .isInstanceOf(ParameterResolutionException.class)
                .hasMessageContaining("parameter 'server' of @BeforeAll method BeforeAllParameterPerTest.setUp()")
                .hasMessageContaining("@SlipstreamTest(perClass = true)");
    }

    @Test
    void constructorParameterWithPerClassLifecycle() {
        assertThat(onlyFailure(Fixtures.CONSTRUCTOR_PARAMETER_PER_CLASS_LIFECYCLE))
                .isInstanceOf(ParameterResolutionException.class)
                .hasMessageContaining("constructor parameter 'server' of ConstructorParameterPerClassLifecycle")
                .hasMessageContaining("@TestInstance(Lifecycle.PER_CLASS)")
                .hasMessageContaining("Take it as a parameter of the test or of @BeforeEach instead");
    }

    @Test
    void registeredTwice() {
        assertThat(onlyFailure(Fixtures.REGISTERED_TWICE))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("Slipstream is registered more than once on ")
                .hasMessageContaining("@SlipstreamTest")
                .hasMessageContaining("the @RegisterExtension field 'phoenix'")
                .hasMessageContaining("keep one");
    }

    @Test
    void unknownPhoenixVersion() {
        assertThat(onlyFailure(Fixtures.UNKNOWN_PHOENIX_VERSION))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("@SlipstreamTest(phoenixVersion = \"2.0\") on ")
                .hasMessageContaining("expected 1.7 or 1.8");
    }

    @Test
    void perClassServerWithConcurrentTests() {
        assertThat(onlyFailure(Fixtures.PER_CLASS_CONCURRENT,
                        "junit.jupiter.execution.parallel.enabled", "true"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("shares one Slipstream server among its tests")
                .hasMessageContaining("@Execution(ExecutionMode.SAME_THREAD)");
    }

    @Test
    void badTimeoutConfiguration() {
        assertThat(onlyFailure(Fixtures.SERVER_PARAMETER, SlipstreamExtension.ASSERT_TIMEOUT_PROPERTY, "soon"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("configuration parameter slipstream.assert.timeout = \"soon\" is not a duration; write a "
                        + "number and a unit, such as \"2 s\" or \"1500 ms\"");
    }
}
