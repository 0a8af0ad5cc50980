package dev.slipstream.testing.script;

import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Protocol;

/**
 * One thing a client did on a connection, as the scripted server recorded it: a frame it sent (join, push, leave,
 * heartbeat) or the end of the connection. Kept in arrival order for failure messages; {@link #takenBy} marks the
 * ones an assertion already consumed.
 */
final class Inbound {
    enum Kind {
        JOIN("join"),
        PUSH("push"),
        LEAVE("leave"),
        HEARTBEAT("heartbeat"),
        DISCONNECT("disconnect");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        static Kind of(Message m) {
            if (Protocol.PHOENIX_TOPIC.equals(m.topic()) && Protocol.HEARTBEAT.equals(m.event())) {
                return HEARTBEAT;
            }
            if (Protocol.PHX_JOIN.equals(m.event())) {
                return JOIN;
            }
            if (Protocol.PHX_LEAVE.equals(m.event())) {
                return LEAVE;
            }
            return PUSH;
        }
    }

    final int seq;
    final Kind kind;
    /** The frame, or null for {@link Kind#DISCONNECT}. */
    final Message message;
    /** For {@link Kind#DISCONNECT}: the close code the connection ended with, and who closed it. */
    final int closeCode;
    final String closeDetail;
    final boolean byServer;
    final long atNanos;
    /** What the test answers with (a {@link Join} or {@link Push}), or null for the kinds answered by the server. */
    Object handle;
    /** The assertion that consumed this event; guarded by the mailbox lock. */
    String takenBy;

    private Inbound(int seq, Kind kind, Message message, int closeCode, String closeDetail, boolean byServer,
            long atNanos) {
        this.seq = seq;
        this.kind = kind;
        this.message = message;
        this.closeCode = closeCode;
        this.closeDetail = closeDetail;
        this.byServer = byServer;
        this.atNanos = atNanos;
    }

    static Inbound frame(int seq, Message message, long atNanos) {
        return new Inbound(seq, Kind.of(message), message, 0, null, false, atNanos);
    }

    static Inbound disconnect(int seq, int closeCode, String detail, boolean byServer, long atNanos) {
        return new Inbound(seq, Kind.DISCONNECT, null, closeCode, detail, byServer, atNanos);
    }

    String topic() {
        return message == null ? null : message.topic();
    }

    String event() {
        return message == null ? null : message.event();
    }

    /** One line: number, time since the connection opened, and the frame as V2 JSON. */
    String line() {
        String time = "+" + (atNanos / 1_000_000) + " ms";
        String what = message == null
                ? "connection closed: " + closeDetail + " (code " + closeCode + ")"
                : JsonSupport.inline(message);
        return String.format("#%-3d %-9s %s", seq, time, what);
    }
}
