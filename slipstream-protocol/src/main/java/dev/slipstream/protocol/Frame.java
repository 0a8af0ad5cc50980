package dev.slipstream.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One websocket message as it travels: a text frame or a binary frame. This is what a {@link Serializer} produces
 * and consumes; transports only move frames.
 *
 * <pre>{@code
 * Frame frame = Serializer.v2().encodeToServer(Message.heartbeat("7"));
 * if (frame instanceof Frame.Text text) {
 *     webSocket.sendText(text.text(), true);
 * }
 * }</pre>
 */
public sealed interface Frame permits Frame.Text, Frame.Binary {

    /** A text frame. */
    static Text text(String text) {
        return new Text(text);
    }

    /** A binary frame over the remaining bytes of {@code bytes} (not copied). */
    static Binary binary(ByteBuffer bytes) {
        return new Binary(bytes);
    }

    /** A binary frame over {@code bytes} (not copied). */
    static Binary binary(byte[] bytes) {
        return new Binary(ByteBuffer.wrap(bytes));
    }

    /** The size of this frame on the wire, in bytes (UTF-8 for text frames). */
    int size();

    /**
     * A websocket text frame.
     *
     * <pre>{@code
     * Frame.Text t = Frame.text("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
     * String wire = t.text();
     * }</pre>
     */
    record Text(String text) implements Frame {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public int size() {
            return Bytes.utf8Length(text);
        }

        @Override
        public String toString() {
            return "Text[" + text + "]";
        }
    }

    /**
     * A websocket binary frame; {@link #bytes()} returns a read-only view of its remaining bytes.
     *
     * <pre>{@code
     * Frame.Binary b = Frame.binary(ByteBuffer.wrap(received));
     * webSocket.sendBinary(b.bytes(), true); // a view, not a copy
     * }</pre>
     */
    record Binary(ByteBuffer bytes) implements Frame {
        public Binary {
            Objects.requireNonNull(bytes, "bytes");
            bytes = bytes.asReadOnlyBuffer();
        }

        @Override
        public ByteBuffer bytes() {
            return bytes.duplicate();
        }

        @Override
        public int size() {
            return bytes.remaining();
        }

        /** The frame's bytes as a new array. */
        public byte[] toByteArray() {
            byte[] out = new byte[bytes.remaining()];
            bytes.duplicate().get(out);
            return out;
        }

        @Override
        public String toString() {
            return "Binary[" + bytes.remaining() + " bytes: " + Bytes.hex(bytes, 64) + "]";
        }
    }
}
