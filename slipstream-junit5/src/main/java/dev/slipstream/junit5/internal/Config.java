package dev.slipstream.junit5.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Reads durations from JUnit configuration parameters ({@code junit-platform.properties}, {@code -D} system
 * properties, launcher parameters) in JUnit's own timeout syntax: a number and an optional unit ({@code ns},
 * {@code μs}/{@code us}, {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}), seconds when the unit is missing,
 * as for {@code junit.jupiter.execution.timeout.default}.
 *
 * <pre>{@code
 * Duration d = Config.parse("slipstream.assert.timeout", "1500 ms");   // PT1.5S
 * }</pre>
 */
public final class Config {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ns|μs|us|ms|s|m|h|d)?");

    private Config() {}

    /** The duration configured under {@code key}, or {@code fallback}; fails naming the key on a bad value. */
    public static Duration duration(ExtensionContext context, String key, Duration fallback) {
        Optional<String> value = context.getConfigurationParameter(key);
        return value.map(v -> parse(key, v)).orElse(fallback);
    }

    /** Parses {@code value} of {@code key}. */
    public static Duration parse(String key, String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ExtensionConfigurationException("configuration parameter " + key + " = \"" + value
                    + "\" is not a duration; write a number and a unit, such as \"2 s\" or \"1500 ms\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ns" -> Duration.ofNanos(n);
            case "μs", "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new ExtensionConfigurationException("configuration parameter " + key + " = \"" + value
                    + "\" must be positive");
        }
        return d;
    }
}
