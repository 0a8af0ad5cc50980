package dev.slipstream.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzz targets (Jazzer) for every decoder: V1 and V2, from a server and from a client, text and
 * binary frames. Each asserts the codec's contract: a frame decodes or gives a {@link DecodeException} naming the
 * field and offset, and nothing else ever escapes.
 *
 * <p>In a normal {@code mvn verify} Jazzer runs in regression mode: each target runs once per seed input in
 * {@code src/test/resources/dev/slipstream/client/protocol/DecoderFuzzTestInputs/<method>/} (the recorded Phoenix
 * frames and hand-made bad frames) and once on an empty input. {@code JAZZER_FUZZ=1} turns one target into a real
 * fuzzing run; see {@code docs/FUZZING.md}.
 */
class DecoderFuzzTest {
    // Real fuzzing runs for minutes; a regression run does not reach this limit.
    private static final String MAX_DURATION = "10m";

    private static void text(Decoders.Decoder d, byte[] input) {
        // Websocket text frames are UTF-8; the decoder sees the Java string the transport makes of them.
        Frame frame = Frame.text(new String(input, StandardCharsets.UTF_8));
        Message m = Decoders.decodeStrictly(d, frame);
        if (m != null) {
            reencode(d, m);
        }
    }

    private static void binary(Decoders.Decoder d, byte[] input) {
        Message m = Decoders.decodeStrictly(d, Frame.binary(input));
        if (m != null) {
            reencode(d, m);
        }
    }

    /** What decodes must encode again (to the other side's format) and decode to the same message. */
    private static void reencode(Decoders.Decoder d, Message m) {
        Serializer s = d.serializer();
        Frame again;
        try {
            again = d.fromServer() ? s.encodeToClient(m) : s.encodeToServer(m);
        } catch (EncodeException e) {
            // A decoded message can hold what no encoder writes: e.g. a reply-like client frame or a V2 binary
            // client push with an empty ref. Only the typed error is acceptable.
            return;
        }
        Message back = d.fromServer() ? s.decodeFromServer(again) : s.decodeFromClient(again);
        Message expected = s == Serializer.v1() && d.fromServer()
                ? Message.of(null, m.ref(), m.topic(), m.event(), m.payload()) : m;
        if (!back.equals(expected)) {
            throw new AssertionError(d + ": " + m + " re-encoded as " + again + " decodes to " + back);
        }
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v1TextFromServer(byte[] input) {
        text(Decoders.ALL.get(0), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v1TextFromClient(byte[] input) {
        text(Decoders.ALL.get(1), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v2TextFromServer(byte[] input) {
        text(Decoders.ALL.get(2), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v2TextFromClient(byte[] input) {
        text(Decoders.ALL.get(3), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v1BinaryFromServer(byte[] input) {
        binary(Decoders.ALL.get(0), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v1BinaryFromClient(byte[] input) {
        binary(Decoders.ALL.get(1), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v2BinaryFromServer(byte[] input) {
        binary(Decoders.ALL.get(2), input);
    }

    @FuzzTest(maxDuration = MAX_DURATION)
    void v2BinaryFromClient(byte[] input) {
        binary(Decoders.ALL.get(3), input);
    }
}
