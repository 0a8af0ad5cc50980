package dev.slipstream.protocol;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@link Message}s into {@link Frame}s and back, for one protocol version ({@code vsn}), in both directions:
 * a client encodes what it sends to a server and decodes what the server sends; a server (such as the fake Phoenix
 * server of {@code slipstream-testing}) does the opposite. The two directions differ: a server never sends a
 * {@code join_ref} in V1, and in V2 binary frames a client push carries a ref while a server push does not.
 *
 * <p>Decoding is strict and total: any input that is not a valid frame gives a {@link DecodeException}. Encoding a
 * message the format cannot carry gives an {@link EncodeException}. Implementations are stateless and thread-safe.
 *
 * <pre>{@code
 * Serializer v2 = Serializer.v2();
 * Frame out = v2.encodeToServer(Message.of("1", "1", "room:lobby", "phx_join", Payload.empty()));
 * Message in = v2.decodeFromServer(Frame.text(
 *     "[\"1\",\"1\",\"room:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]"));
 * assert in.payload().asReply().isOk();
 * }</pre>
 */
public interface Serializer {

    /** The V2 serializer ({@code vsn=2.0.0}): JSON arrays in text frames, and binary frames. */
    static Serializer v2() {
        return V2Serializer.INSTANCE;
    }

    /** The V1 serializer ({@code vsn=1.0.0}, also what Phoenix uses when {@code vsn} is absent): JSON objects. */
    static Serializer v1() {
        return V1Serializer.INSTANCE;
    }

    /**
     * The serializer a Phoenix server picks for a {@code vsn} query parameter, by its default requirements
     * {@code ~> 1.0.0} (V1) and {@code ~> 2.0.0} (V2): absent means V1; {@code 1.0.x} V1; {@code 2.0.x} V2; anything
     * else, including versions that are not {@code MAJOR.MINOR.PATCH}, none (Phoenix then refuses with HTTP 403).
     * Pre-releases follow Elixir's {@code Version.match?/2} (which allows them by default): {@code 2.0.1-rc.1} is
     * V2, but {@code 2.0.0-rc.1} is not, because it sorts before {@code 2.0.0}. Build metadata ({@code +...}) is
     * ignored.
     */
    static Optional<Serializer> forVsn(String vsn) {
        if (vsn == null) {
            return Optional.of(v1());
        }
        Matcher m = VsnPattern.VERSION.matcher(vsn);
        if (!m.matches()) {
            return Optional.empty();
        }
        String pre = m.group(4);
        if (pre != null && ("0".equals(m.group(3)) || VsnPattern.hasLeadingZeroNumber(pre.substring(1)))) {
            // x.y.0-pre < x.y.0, below the requirement's lower bound; Elixir refuses numeric parts like "01".
            return Optional.empty();
        }
        String major = m.group(1);
        String minor = m.group(2);
        if ("0".equals(minor) && "1".equals(major)) {
            return Optional.of(v1());
        }
        if ("0".equals(minor) && "2".equals(major)) {
            return Optional.of(v2());
        }
        return Optional.empty();
    }

    /** The {@code vsn} this serializer speaks, {@code "1.0.0"} or {@code "2.0.0"}. */
    String vsn();

    /** Encodes a message a client sends to a server. */
    Frame encodeToServer(Message message);

    /** Decodes a frame a server sent to a client. */
    Message decodeFromServer(Frame frame);

    /** Encodes a message a server sends to a client. */
    Frame encodeToClient(Message message);

    /** Decodes a frame a client sent to a server. */
    Message decodeFromClient(Frame frame);
}

/** Semantic versions as Elixir's {@code Version.parse/1} accepts them. */
final class VsnPattern {
    private static final String NUM = "(0|[1-9][0-9]*)";
    static final Pattern VERSION = Pattern.compile(
            NUM + "\\." + NUM + "\\." + NUM + "(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    /** Whether a dot-separated pre-release has a numeric identifier with a leading zero, which Elixir rejects. */
    static boolean hasLeadingZeroNumber(String pre) {
        for (String part : pre.split("\\.", -1)) {
            if (part.length() > 1 && part.charAt(0) == '0' && part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return true;
            }
        }
        return false;
    }

    private VsnPattern() {}
}
