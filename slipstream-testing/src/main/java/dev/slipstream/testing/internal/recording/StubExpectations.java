package dev.slipstream.testing.internal.recording;

import dev.slipstream.testing.stub.Stubs;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What stub files say a backend answers, as the {@link Exchange}s the drift check performs and compares: the bridge
 * that lets {@code verify} read the stub package's rules without that package exporting its model. The stub package
 * registers the reader when {@link Stubs} is loaded. Not API.
 *
 * <pre>{@code
 * StubExpectations.Expected e = StubExpectations.of(stubs);
 * }</pre>
 */
public final class StubExpectations {
    private static volatile Function<Stubs, Expected> reader;

    /**
     * The exchanges in the order to perform them, the volatile paths of each, and what the stubs say that no request
     * can be built from (a topic pattern, a {@code matches} condition), each with the reason.
     */
    public record Expected(List<Exchange> exchanges, Map<Exchange, List<String>> volatiles, List<String> notChecked) {
    }

    private StubExpectations() {
    }

    /** Called once, by the stub package. */
    public static void register(Function<Stubs, Expected> r) {
        reader = Objects.requireNonNull(r);
    }

    /** The expectations of {@code stubs}. */
    public static Expected of(Stubs stubs) {
        Objects.requireNonNull(stubs, "stubs"); // its class is initialised, so the reader is registered
        return reader.apply(stubs);
    }
}
