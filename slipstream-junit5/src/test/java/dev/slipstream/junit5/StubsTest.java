package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** {@code @SlipstreamTest(stubs = ...)} and {@code SlipstreamExtension.builder().stubs(...)}, run through the engine. */
class StubsTest {

    @Test
    void theAttributeLoadsTheStubsForEachTest() {
        EngineExecutionResults results = Engine.run(Fixtures.STUBS_ATTRIBUTE);
        assertThat(Engine.failures(results)).isEmpty();
        assertThat(results.testEvents().succeeded().count()).isEqualTo(2);
    }

    @Test
    void theBuilderLoadsThemToo() {
        EngineExecutionResults results = Engine.run(Fixtures.STUBS_BUILDER);
        assertThat(Engine.failures(results)).isEmpty();
        assertThat(results.testEvents().succeeded().count()).isEqualTo(1);
    }

    @Test
    void aBadFileFailsTheTestNamingTheFilePathAndProblem() {
        Map<String, Throwable> failures = Engine.failures(Engine.run(Fixtures.STUBS_BAD_FILE));
        assertThat(failures).containsOnlyKeys("neverRuns");
        assertThat(failures.get("neverRuns"))
                .hasMessageContaining("stubs \"classpath:phoenix-stubs-bad/\"")
                .hasMessageContaining("rooms.json at $.channels[0].events[0].reply.stauts: unknown field \"stauts\"");
    }
}
