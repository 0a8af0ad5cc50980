package dev.slipstream.protocol;

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
        if (d.serializer() == Serializer.v2() && frame instanceof Frame.Text t) {
            sameAsJackson(t.text(), d.fromServer());
        }
        try {
            return d.decode(frame);
        } catch (DecodeException e) {
            checkWellFormed(e, d, frame);
            return null;
        } catch (Throwable t) {
            throw new AssertionError(d + " threw " + t + " instead of a DecodeException for " + frame, t);
        }
    }

    /** The V2 fast path, where it takes a frame, gives exactly the message the Jackson path gives. */
    private static void sameAsJackson(String text, boolean fromServer) {
        Message fast = V2Serializer.decodeTextFast(text, fromServer);
        if (fast == null) {
            return;
        }
        Message slow;
        try {
            slow = V2Serializer.decodeTextWithJackson(text, fromServer);
        } catch (DecodeException e) {
            throw new AssertionError("the fast path decoded a frame Jackson refuses: " + text, e);
        }
        if (!exact(fast).equals(exact(slow))) {
            throw new AssertionError("the fast path decoded " + exact(fast) + " but Jackson " + exact(slow) + ": " + text);
        }
    }

    /** Every field as text, so that equal means identical (Message equality compares JSON values). */
    static String exact(Message m) {
        Payload p = m.payload();
        String payload = p instanceof Payload.Reply reply
                ? "reply " + reply.status() + " " + reply.response()
                : p.toString();
        return m.joinRef() + "|" + m.ref() + "|" + m.topic() + "|" + m.event() + "|" + payload;
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
