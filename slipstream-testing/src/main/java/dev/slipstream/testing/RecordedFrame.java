package dev.slipstream.testing;

import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import java.time.Instant;

/**
 * One frame in or out of a connection, as {@link ServerConnection#recording()} lists them: in order, with the time
 * it was received or handed to the socket.
 *
 * <pre>{@code
 * for (RecordedFrame f : connection.recording()) {
 *     System.out.println(f.at() + " " + f.direction() + " " + f.text());
 * }
 * }</pre>
 *
 * @param direction {@link Direction#IN} from the client, {@link Direction#OUT} to it
 * @param at when
 * @param frame the frame exactly as on the wire
 * @param message the decoded message, or {@code null} for a frame that does not decode (a malformed frame)
 */
public record RecordedFrame(Direction direction, Instant at, Frame frame, Message message) {

    /** The direction of a frame. */
    public enum Direction {
        /** From the client to the server. */
        IN,
        /** From the server to the client. */
        OUT
    }

    /** The frame's text for a text frame, else its description ({@code Binary[...]}). */
    public String text() {
        return frame instanceof Frame.Text t ? t.text() : frame.toString();
    }

    @Override
    public String toString() {
        return at + " " + (direction == Direction.IN ? "C> " : "S> ") + text();
    }
}
