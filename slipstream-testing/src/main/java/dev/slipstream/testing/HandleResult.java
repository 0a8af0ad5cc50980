package dev.slipstream.testing;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What {@link ChannelHandler#handleIn} and {@link ChannelHandler#handleInfo} decide, like the return values of
 * Phoenix's {@code handle_in/3} and {@code handle_info/2}: reply, no reply, stop (with or without a reply first), or
 * {@linkplain #later later}. A handler that throws crashes the channel: the client gets {@code phx_error}.
 *
 * <pre>{@code
 * HandleResult.reply(Reply.ok(Map.of("n", 1)));
 * HandleResult.ok();                 // reply {"response":{},"status":"ok"}
 * HandleResult.noReply();
 * HandleResult.stop();               // phx_close, as {:stop, :normal, socket}
 * HandleResult.stop(Reply.ok());     // the reply, then phx_close
 * HandleResult.later(future);        // the channel is busy until the future completes
 * }</pre>
 */
public abstract sealed class HandleResult
        permits HandleResult.Replying, HandleResult.NoReply, HandleResult.Stop, HandleResult.Later {
    private HandleResult() {}

    /** Reply to the message being handled ({@code handleIn} only; {@code handleInfo} has no ref to reply to). */
    public static HandleResult reply(Reply reply) {
        return new Replying(Objects.requireNonNull(reply, "reply"));
    }

    /** Reply {@code ok} with {@code {}}. */
    public static HandleResult ok() {
        return reply(Reply.ok());
    }

    /** Reply {@code ok} with a response. */
    public static HandleResult ok(Object response) {
        return reply(Reply.ok(response));
    }

    /** Reply {@code error} with a response. */
    public static HandleResult error(Object response) {
        return reply(Reply.error(response));
    }

    /** No reply now (the client's push times out unless someone replies later through a {@link ReplyRef}). */
    public static HandleResult noReply() {
        return NoReply.INSTANCE;
    }

    /** Stop the channel normally: terminate runs and the client gets {@code phx_close} (no rejoin). */
    public static HandleResult stop() {
        return new Stop(null);
    }

    /** Reply, then stop the channel normally. */
    public static HandleResult stop(Reply reply) {
        return new Stop(Objects.requireNonNull(reply, "reply"));
    }

    /**
     * Decided later, when {@code result} completes (on any thread). Like a Phoenix channel process that is busy,
     * this channel handles none of its later messages until then; other channels and heartbeats are not held up.
     * A stage that completes exceptionally crashes the channel. To leave the channel free instead, return
     * {@link #noReply()} and answer through {@link ChannelSocket#replyRef()}.
     */
    public static HandleResult later(CompletionStage<HandleResult> result) {
        return new Later(Objects.requireNonNull(result, "result"));
    }

    static final class Replying extends HandleResult {
        final Reply reply;

        Replying(Reply reply) {
            this.reply = reply;
        }

        @Override
        public String toString() {
            return "HandleResult.reply(" + reply + ")";
        }
    }

    static final class NoReply extends HandleResult {
        static final NoReply INSTANCE = new NoReply();

        @Override
        public String toString() {
            return "HandleResult.noReply()";
        }
    }

    static final class Stop extends HandleResult {
        final Reply reply;

        Stop(Reply reply) {
            this.reply = reply;
        }

        @Override
        public String toString() {
            return "HandleResult.stop(" + (reply == null ? "" : reply) + ")";
        }
    }

    static final class Later extends HandleResult {
        final CompletionStage<HandleResult> stage;

        Later(CompletionStage<HandleResult> stage) {
            this.stage = stage;
        }

        @Override
        public String toString() {
            return "HandleResult.later(" + stage + ")";
        }
    }
}
