package dev.slipstream.client.protocol;

import java.util.List;

/**
 * The eight decoders (V1/V2 x from-server/from-client x text/binary input) and the one check every strict-decoding
 * test and fuzz target makes: decoding either returns a message or throws a {@link DecodeException} that names a
 * field and an offset; anything else (NullPointerException, IndexOutOfBounds, ...) is a bug.
 */
final class Decoders {
    /** One decoder: a serializer and a direction. */
    record Decoder(String name, Serializer serializer, boolean fromServer) {
        Message decode(Frame frame) {
            return fromServer ? serializer.decodeFromServer(frame) : serializer.decodeFromClient(frame);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Decoder> ALL = List.of(
            new Decoder("V1 decodeFromServer", Serializer.v1(), true),
            new Decoder("V1 decodeFromClient", Serializer.v1(), false),
            new Decoder("V2 decodeFromServer", Serializer.v2(), true),
            new Decoder("V2 decodeFromClient", Serializer.v2(), false));

    private Decoders() {}

    /**
     * Decodes {@code frame}; returns the message, or null after a well-formed {@link DecodeException}.
     *
     * @throws AssertionError for any other throwable, or a DecodeException that does not name its field and offset
     */
    static Message decodeStrictly(Decoder d, Frame frame) {
        try {
            return d.decode(frame);
        } catch (DecodeException e) {
            checkWellFormed(e, d, frame);
            return null;
        } catch (Throwable t) {
            throw new AssertionError(d + " threw " + t + " instead of a DecodeException for " + frame, t);
        }
    }

    static void checkWellFormed(DecodeException e, Decoder d, Frame frame) {
        String m = e.getMessage();
        if (e.field() == null || e.field().isEmpty() || m == null || !m.contains("(field " + e.field())) {
            throw new AssertionError(d + ": DecodeException without its field: " + m + " for " + frame, e);
        }
        if (e.offset() < 0 || e.offset() > frame.size() + 1 || !m.contains("offset " + e.offset() + ")")) {
            throw new AssertionError(d + ": DecodeException without a valid offset (" + e.offset() + "): " + m
                    + " for " + frame, e);
        }
    }
}
