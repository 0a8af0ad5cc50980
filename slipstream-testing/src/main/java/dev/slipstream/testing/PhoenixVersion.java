package dev.slipstream.testing;

/**
 * Which Phoenix server release the fake imitates where releases differ on the wire ({@code phoenix-protocol.md}
 * section 2.14). Everything else is the same in both.
 *
 * <table>
 * <caption>What differs</caption>
 * <tr><th>Behaviour</th><th>{@link #V1_7}</th><th>{@link #V1_8}</th></tr>
 * <tr><td>{@code phx_error} payload after a channel crash</td><td>{@code {}}</td>
 *     <td>{@code {"reason":"channel_crash"}}</td></tr>
 * <tr><td>non-join message with a stale {@code join_ref}</td><td>handled</td><td>silently dropped</td></tr>
 * <tr><td>{@code null} join_ref on {@code phx_leave} of a joined topic</td><td>ignored (stale)</td><td>accepted</td></tr>
 * <tr><td>close code of a socket-id {@code disconnect}</td><td>1000</td><td>1001</td></tr>
 * </table>
 *
 * <p>The limit of 100 channels per connection exists in both (a real Phoenix 1.7.24 enforces it too).
 *
 * <pre>{@code
 * FakePhoenixServer server = FakePhoenixServer.builder().phoenixVersion(PhoenixVersion.V1_7).build();
 * }</pre>
 */
public enum PhoenixVersion {
    /** Phoenix 1.7 (observed on 1.7.24). */
    V1_7,
    /** Phoenix 1.8 (1.8.12 and later): the default. */
    V1_8;

    /** Parses {@code "1.7"} or {@code "1.8"} (also {@code "1.7.24"}, {@code "V1_8"}). */
    public static PhoenixVersion parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(java.util.Locale.ROOT);
        if (t.equals("V1_7") || t.equals("1.7") || t.startsWith("1.7.")) {
            return V1_7;
        }
        if (t.equals("V1_8") || t.equals("1.8") || t.startsWith("1.8.")) {
            return V1_8;
        }
        throw new IllegalArgumentException("unknown Phoenix version \"" + text + "\": expected 1.7 or 1.8");
    }

    boolean dropsStaleJoinRefs() {
        return this == V1_8;
    }

    int disconnectCloseCode() {
        return this == V1_8 ? 1001 : 1000;
    }
}
