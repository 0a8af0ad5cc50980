package dev.slipstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void reconnectDefaultIsTheSlipstreamListWithTheLastRepeating() {
        assertThat(IntStream.rangeClosed(1, 12).mapToObj(Backoff.reconnectDefault()::delay).map(Duration::toMillis))
                .containsExactly(10L, 50L, 100L, 150L, 200L, 250L, 500L, 1000L, 2000L, 5000L, 5000L, 5000L);
    }

    @Test
    void theDefaultsAreSharedNotBuiltPerClient() {
        // Built per call they cost every client about 550 bytes (16 Durations, two lists), measured at 10,000 clients.
        assertThat(Backoff.reconnectDefault()).isSameAs(Backoff.reconnectDefault());
        assertThat(Backoff.rejoinDefault()).isSameAs(Backoff.rejoinDefault());
    }

    @Test
    void rejoinDefaultIsTheSlipstreamListWithTheLastRepeating() {
        assertThat(IntStream.rangeClosed(1, 8).mapToObj(Backoff.rejoinDefault()::delay).map(Duration::toMillis))
                .containsExactly(100L, 500L, 1000L, 2000L, 5000L, 10000L, 10000L, 10000L);
    }

    @Test
    void jitterStaysWithinItsBoundsAtBothExtremes() {
        Backoff base = Backoff.stepsMillis(1000);
        assertThat(base.withJitter(0.25, () -> 0.0).delay(1)).isEqualTo(Duration.ofMillis(750));
        assertThat(base.withJitter(0.25, () -> 0.999999).delay(1)).isBetween(Duration.ofMillis(1249), Duration.ofMillis(1250));
        assertThat(base.withJitter(0.25, () -> 0.5).delay(1)).isEqualTo(Duration.ofMillis(1000));
        Backoff random = base.withJitter(0.25);
        for (int i = 0; i < 1000; i++) {
            assertThat(random.delay(1)).isBetween(Duration.ofMillis(750), Duration.ofMillis(1250));
        }
    }

    @Test
    void aFunctionOfTheAttemptReplacesTheList() {
        Backoff exp = Backoff.of(a -> Duration.ofMillis(1L << a));
        assertThat(exp.delay(3)).isEqualTo(Duration.ofMillis(8));
        assertThat(Backoff.of(a -> Duration.ofMillis(-5)).delay(1)).isEqualTo(Duration.ZERO);
    }

    @Test
    void badDefinitionsAreRefusedWithTheCulpritNamed() {
        assertThatThrownBy(Backoff::steps).hasMessageContaining("empty");
        assertThatThrownBy(() -> Backoff.stepsMillis(10, -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> Backoff.reconnectDefault().withJitter(1.5)).hasMessageContaining("1.5");
    }
}
