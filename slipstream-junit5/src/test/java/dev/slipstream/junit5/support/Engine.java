package dev.slipstream.junit5.support;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** Runs fixture classes through the Jupiter engine, as a user's build would, and reads the outcome per test. */
public final class Engine {
    private Engine() {}

    /**
     * Runs {@code fixture} with the given configuration parameters (key, value, key, value...), on top of an assert
     * timeout of 5 s.
     */
    public static EngineExecutionResults run(Class<?> fixture, String... config) {
        EngineTestKit.Builder b = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                // Generous for loaded CI machines; fixtures about timeouts pass their own, which win.
                .configurationParameter("slipstream.assert.timeout", "5 s");
        for (int i = 0; i + 1 < config.length; i += 2) {
            b.configurationParameter(config[i], config[i + 1]);
        }
        return b.execute();
    }

    /** Each test's failure by method name (display name without the parentheses); passing tests are absent. */
    public static Map<String, Throwable> failures(EngineExecutionResults results) {
        Map<String, Throwable> out = new LinkedHashMap<>();
        for (Event e : results.testEvents().failed().list()) {
            String name = e.getTestDescriptor().getDisplayName().replaceAll("\\(.*\\)$", "");
            out.put(name, e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow());
        }
        return out;
    }

    /** The failure of the class container itself (a failing @BeforeAll or class-level callback), if any. */
    public static Optional<Throwable> containerFailure(EngineExecutionResults results, Class<?> fixture) {
        return results.containerEvents().list().stream()
                .filter(e -> e.getType() == EventType.FINISHED)
                .filter(e -> e.getTestDescriptor().getSource()
                        .filter(source -> source instanceof org.junit.platform.engine.support.descriptor.ClassSource cs
                                && cs.getJavaClass() == fixture)
                        .isPresent())
                .map(e -> e.getRequiredPayload(TestExecutionResult.class))
                .filter(r -> r.getStatus() == TestExecutionResult.Status.FAILED)
                .findFirst()
                .flatMap(TestExecutionResult::getThrowable);
    }
}
