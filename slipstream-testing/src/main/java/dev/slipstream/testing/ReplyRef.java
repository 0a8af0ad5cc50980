package dev.slipstream.testing;

/**
 * A saved reference to one client message, to reply to it later, from any thread (Phoenix's {@code socket_ref} with
 * {@code reply/2}). The reply carries the channel's join_ref and the message's ref. Several replies to one ref are
 * allowed, as in Phoenix; a reply after the connection closed is dropped.
 *
 * <pre>{@code
 * ReplyRef ref = socket.replyRef();
 * CompletableFuture.runAsync(() -> ref.reply(Reply.ok(Map.of("late", true))));
 * return HandleResult.noReply();
 * }</pre>
 */
public interface ReplyRef {
    /** The topic of the message. */
    String topic();

    /** The join_ref the reply carries. */
    String joinRef();

    /** The ref of the message (may be null when the client sent none). */
    String ref();

    /** Sends the reply. */
    void reply(Reply reply);
}
