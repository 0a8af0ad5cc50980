package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * A measurement, not a check: how long the everyday test (connect, join, assert a push, reply) takes once the JVM
 * is warm, measured by the engine's own start and finish events. Prints the median of the last 40 of 60 runs; the
 * figure goes into the README. It asserts only that the runs passed, never a duration (speed belongs to benchmarks).
 */
@Timeout(120)
class WarmExchangeTiming {

    @Test
    void measure(TestReporter reporter) {
        report("per-test server (start + exchange + close)", Fixtures.TIMED_PER_TEST, reporter);
        report("shared server (exchange + reset)", Fixtures.TIMED_PER_CLASS, reporter);
    }

    private static void report(String what, Class<?> fixture, TestReporter reporter) {
        EngineExecutionResults results = Engine.run(fixture);
        Engine.failures(results).forEach((test, failure) -> failure.printStackTrace());
        results.testEvents().assertStatistics(s -> s.succeeded(60).failed(0));
        Map<UniqueId, Event> started = new HashMap<>();
        List<Duration> durations = new ArrayList<>();
        for (Event e : results.testEvents().list()) {
            if (e.getType() == EventType.STARTED) {
                started.put(e.getTestDescriptor().getUniqueId(), e);
            } else if (e.getType() == EventType.FINISHED) {
                Event s = started.get(e.getTestDescriptor().getUniqueId());
                durations.add(Duration.between(s.getTimestamp(), e.getTimestamp()));
            }
        }
        assertThat(durations).hasSize(60);
        List<Duration> warm = new ArrayList<>(durations.subList(20, 60));
        warm.sort(null);
        Duration median = warm.get(warm.size() / 2);
        String line = String.format("warm %s: median %.2f ms, fastest %.2f ms, slowest %.2f ms (40 runs after 20 warm-up)",
                what, median.toNanos() / 1e6, warm.get(0).toNanos() / 1e6, warm.get(warm.size() - 1).toNanos() / 1e6);
        System.out.println(line);
        reporter.publishEntry(what, line);
    }
}
