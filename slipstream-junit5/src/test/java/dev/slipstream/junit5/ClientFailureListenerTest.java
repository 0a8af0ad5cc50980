package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ClientEventListener.onCallbackFailure(server::reportFailure)} makes a real client's throwing callback fail
 * the test, and nothing else.
 */
@Timeout(60)
class ClientFailureListenerTest {
    private static Map<String, Throwable> failures;

    @BeforeAll
    static void runFixture() {
        var results = Engine.run(Fixtures.CLIENT_FAILURES);
        failures = Engine.failures(results);
        results.testEvents().assertStatistics(s -> s.started(3).succeeded(1).failed(2));
    }

    @Test
    void anExceptionInACallbackFailsTheTestWithThatException() {
        assertThat(failures.get("throwingMessageCallback"))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("the module choked on new_msg")
                .hasNoSuppressedExceptions();
    }

    @Test
    void aFailedAssertionInACallbackFailsTheTest() {
        assertThat(failures.get("failedAssertionInACallback"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("join response")
                .hasMessageContaining("\"yes\"");
    }

    @Test
    void transportFailuresTheTestProvokesDoNotFailIt() {
        assertThat(failures).doesNotContainKey("failuresTheTestProvokesAreNoTestFailure");
    }
}
