package dev.slipstream.examples.cli;

/**
 * A {@code --param k=v} or {@code --header k:v} argument, as {@code cat}, {@code record} and {@code verify} read it:
 * the name before the first separator (not empty), the value after it; a header's name and value are trimmed, a
 * param's are kept as typed (a value may hold spaces or '=').
 */
record Pair(String name, String value) {

    /** {@code k=v}. */
    static Pair param(String kv) throws UsageException {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new UsageException("--param needs k=v, got \"" + kv + "\"");
        }
        return new Pair(kv.substring(0, eq), kv.substring(eq + 1));
    }

    /** {@code k:v}. */
    static Pair header(String kv) throws UsageException {
        int colon = kv.indexOf(':');
        if (colon <= 0 || kv.substring(0, colon).isBlank()) {
            throw new UsageException("--header needs k:v, got \"" + kv + "\"");
        }
        return new Pair(kv.substring(0, colon).trim(), kv.substring(colon + 1).trim());
    }
}
