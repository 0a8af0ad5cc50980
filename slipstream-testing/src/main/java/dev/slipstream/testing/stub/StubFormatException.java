package dev.slipstream.testing.stub;

/**
 * A stub file that cannot be used: names the file, the JSON path and what is wrong. Thrown at load, before anything of
 * the set is used, so a server never runs half-loaded stubs.
 *
 * <pre>{@code
 * try {
 *     Stubs.load("classpath:phoenix/");
 * } catch (StubFormatException e) {
 *     // e.getMessage(): "phoenix/rooms.json at $.channels[0].events[1]: unknown field \"replay\" (allowed: ...)"
 *     System.err.println(e.source() + " " + e.path() + ": " + e.problem());
 * }
 * }</pre>
 */
public final class StubFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String path;
    private final String problem;

    StubFormatException(String source, String path, String problem) {
        super(source + " at " + path + ": " + problem);
        this.source = source;
        this.path = path;
        this.problem = problem;
    }

    /** The file, classpath resource, URL or name the JSON came from. */
    public String source() {
        return source;
    }

    /** The JSON path of the culprit, such as {@code $.channels[0].join[1].params.user}. */
    public String path() {
        return path;
    }

    /** What is wrong there. */
    public String problem() {
        return problem;
    }
}
