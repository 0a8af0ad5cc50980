package dev.slipstream.protocol;

/**
 * The names Phoenix Channels reserves on the wire.
 *
 * <pre>{@code
 * if (Protocol.PHX_ERROR.equals(message.event())) {
 *     // the channel crashed on the server
 * }
 * }</pre>
 */
public final class Protocol {
    /** The topic of heartbeats. */
    public static final String PHOENIX_TOPIC = "phoenix";
    /** The event of heartbeats (topic {@value #PHOENIX_TOPIC}). */
    public static final String HEARTBEAT = "heartbeat";
    /** Join a topic. */
    public static final String PHX_JOIN = "phx_join";
    /** Leave a topic. */
    public static final String PHX_LEAVE = "phx_leave";
    /** A reply to a message with a ref. */
    public static final String PHX_REPLY = "phx_reply";
    /** The channel crashed: recoverable, the client rejoins. */
    public static final String PHX_ERROR = "phx_error";
    /** The channel stopped or was left: final, no rejoin. */
    public static final String PHX_CLOSE = "phx_close";
    /** The {@code vsn} query parameter value of the V1 JSON object serializer. */
    public static final String VSN_1 = "1.0.0";
    /** The {@code vsn} query parameter value of the V2 array serializer (with binary frames). */
    public static final String VSN_2 = "2.0.0";
    /** Binary frame header fields are one byte long, so each field holds at most this many UTF-8 bytes. */
    public static final int MAX_BINARY_FIELD_BYTES = 255;

    private Protocol() {}
}
