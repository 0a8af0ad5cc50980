package dev.slipstream.testing;

import dev.slipstream.protocol.Payload;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What {@link ChannelHandler#join} decides, like the return value of Phoenix's {@code join/3}: ok (with an optional
 * reply map), error (with a reason map), or {@linkplain #later later}.
 *
 * <p>As in Phoenix, the connection handles nothing else while a join is undecided: frames that arrive meanwhile
 * (heartbeats included) wait, in order, and the join reply always precedes any push of the new channel.
 *
 * <pre>{@code
 * JoinResult.ok();
 * JoinResult.ok(Map.of("welcome", true));
 * JoinResult.error(Map.of("reason", "unauthorized"));
 * JoinResult.later(futureTheTestCompletes);   // scripted joins
 * }</pre>
 */
public abstract sealed class JoinResult permits JoinResult.Ok, JoinResult.Error, JoinResult.Later {
    private JoinResult() {}

    /** Joined; the reply is {@code {"response":{},"status":"ok"}}. */
    public static JoinResult ok() {
        return new Ok(Payload.empty());
    }

    /** Joined with a reply, which must be a JSON object (a map, record or {@code ObjectNode}). */
    public static JoinResult ok(Object reply) {
        return new Ok(Payloads.object(reply, "join reply"));
    }

    /** Refused; the reason must be a JSON object, typically {@code {"reason": "..."}}. No {@code phx_close} follows. */
    public static JoinResult error(Object reason) {
        return new Error(Payloads.object(reason, "join error reason"));
    }

    /**
     * Decided later, when {@code result} completes (on any thread). A stage that completes exceptionally counts as a
     * join that raised: the client gets {@code {"reason":"join crashed"}}.
     */
    public static JoinResult later(CompletionStage<JoinResult> result) {
        return new Later(Objects.requireNonNull(result, "result"));
    }

    static final class Ok extends JoinResult {
        final Payload reply;

        Ok(Payload reply) {
            this.reply = reply;
        }

        @Override
        public String toString() {
            return "JoinResult.ok(" + reply + ")";
        }
    }

    static final class Error extends JoinResult {
        final Payload reason;

        Error(Payload reason) {
            this.reason = reason;
        }

        @Override
        public String toString() {
            return "JoinResult.error(" + reason + ")";
        }
    }

    static final class Later extends JoinResult {
        final CompletionStage<JoinResult> stage;

        Later(CompletionStage<JoinResult> stage) {
            this.stage = stage;
        }

        @Override
        public String toString() {
            return "JoinResult.later(" + stage + ")";
        }
    }
}
