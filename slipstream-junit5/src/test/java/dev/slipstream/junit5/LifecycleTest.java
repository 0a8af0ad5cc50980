package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Where servers come from and how long they live, through the engine. */
@Timeout(60)
@Execution(ExecutionMode.SAME_THREAD) // the fixtures record into one shared list
class LifecycleTest {

    @BeforeEach
    void clear() {
        Fixtures.clearSeen();
    }

    private static void passes(EngineExecutionResults results, int tests) {
        assertThat(Engine.failures(results)).isEmpty();
        results.containerEvents().assertStatistics(s -> s.failed(0));
        results.testEvents().assertStatistics(s -> s.started(tests).succeeded(tests));
    }

    @Test
    void perTestServersAreInjectedEverywhereAndDiffer() {
        passes(Engine.run(Fixtures.INJECTION), 2);
        List<URI> seen = Fixtures.seen();
        assertThat(seen).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void perClassServerIsSharedAndReset() {
        passes(Engine.run(Fixtures.PER_CLASS), 2);
        assertThat(Fixtures.seen()).hasSize(2).containsOnly(Fixtures.seen().get(0));
    }

    @Test
    void staticRegistrationSharesOneConfiguredServer() {
        passes(Engine.run(Fixtures.STATIC_REGISTRATION), 2);
        assertThat(Fixtures.seen()).hasSize(2).containsOnly(Fixtures.seen().get(0));
    }

    @Test
    void instanceRegistrationGivesEachTestItsOwnServer() {
        passes(Engine.run(Fixtures.INSTANCE_REGISTRATION), 2);
        assertThat(Fixtures.seen()).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void aSharedTestInstanceStillGetsEachTestsServerInItsField() {
        passes(Engine.run(Fixtures.PER_CLASS_INSTANCE), 2);
        assertThat(Fixtures.seen()).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void nestedClassesInheritTheExtension() {
        passes(Engine.run(Fixtures.NESTED), 2);
    }

    @Test
    void timeoutsFromConfigurationParameters() {
        passes(Engine.run(Fixtures.CONFIGURED_TIMEOUTS,
                SlipstreamExtension.ASSERT_TIMEOUT_PROPERTY, "2500 ms",
                SlipstreamExtension.REFUTE_TIMEOUT_PROPERTY, "75ms"), 1);
    }

    @Test
    void perTestServersRunInParallel() {
        passes(Engine.run(Fixtures.INJECTION,
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent"), 2);
        assertThat(Fixtures.seen()).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void everyServerIsClosedAfterItsTestOrClass() {
        passes(Engine.run(Fixtures.INJECTION), 2);
        passes(Engine.run(Fixtures.STATIC_REGISTRATION), 2);
        for (URI uri : Fixtures.seen()) {
            assertThat(Closed.refuses(uri)).as("server at %s is closed", uri).isTrue();
        }
    }

    @Test
    void subclassesHookInAndAFailingHookFailsItsTest() {
        Fixtures.HOOK_CALLS.clear();
        var results = Engine.run(Fixtures.HOOKED);
        assertThat(Engine.failures(results)).containsOnlyKeys("failsInTheHook");
        assertThat(Engine.failures(results).get("failsInTheHook")).hasMessage("onAfterEach refused");
        assertThat(Fixtures.HOOK_CALLS).containsExactly("before passes true", "test", "after passes",
                "before failsInTheHook true", "test", "after failsInTheHook");
    }
}
