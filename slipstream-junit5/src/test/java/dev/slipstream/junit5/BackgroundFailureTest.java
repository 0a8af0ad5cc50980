package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

/** Failures off the test thread fail the test that caused them, the first thrown and later ones suppressed. */
@Timeout(60)
class BackgroundFailureTest {
    private static Map<String, Throwable> failures;

    @BeforeAll
    static void runFixture() {
        var results = Engine.run(Fixtures.BACKGROUND);
        failures = Engine.failures(results);
        results.testEvents().assertStatistics(s -> s.started(6).succeeded(1).failed(5));
    }

    @Test
    void stubChannelExceptionsFailTheTestFirstThrownLaterSuppressed() {
        Throwable t = failures.get("stubChannelThrowsTwice");
        assertThat(t).hasRootCauseMessage("the stub channel blew up on {\"n\":1}");
        assertThat(t.getSuppressed()).hasSize(1);
        assertThat(t.getSuppressed()[0]).hasRootCauseMessage("the stub channel blew up on {\"n\":2}");
    }

    @Test
    void pushOnATopicNeverJoinedIsAProtocolViolation() {
        assertThat(failures.get("pushOnATopicNeverJoined"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("protocol violation on connection #1")
                .hasMessageContaining("the client pushed \"new_msg\" on \"room:nowhere\", a topic it has not joined "
                        + "(the server replied {\"reason\":\"unmatched topic\"})");
    }

    @Test
    void aProtocolViolationTheTestAssertedIsNoFailure() {
        assertThat(failures).doesNotContainKey("pushOnATopicNeverJoinedThatTheTestExpects");
    }

    @Test
    void reportedClientCallbackFailure() {
        assertThat(failures.get("clientCallbackFailureReported"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("exception in the client's onMessage callback");
    }

    @Test
    void undecodableFrame() {
        assertThat(failures.get("malformedFrameFromTheClient"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("the client sent a frame that does not decode")
                .hasMessageContaining("closes the connection with 1011");
    }

    @Test
    void theTestsOwnFailureComesFirst() {
        Throwable t = failures.get("testFailureKeepsBackgroundFailuresAsSuppressed");
        assertThat(t).hasMessage("the test's own failure");
        assertThat(t.getSuppressed()).extracting(Throwable::getMessage).contains("background");
    }
}
