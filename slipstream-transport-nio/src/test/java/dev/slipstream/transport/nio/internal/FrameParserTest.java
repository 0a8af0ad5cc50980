package dev.slipstream.transport.nio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.client.transport.MessageTooLargeException;
import dev.slipstream.client.transport.WebSocketProtocolException;
import dev.slipstream.protocol.Frame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server-frame parser against byte vectors: every length encoding, every split, every violation. */
class FrameParserTest {

    /** Records what the parser reports, as strings easy to compare. */
    static final class Events implements FrameParser.Sink {
        final List<String> seen = new ArrayList<>();
        final List<Frame> messages = new ArrayList<>();

        @Override
        public void onMessage(Frame message) {
            messages.add(message);
            seen.add(message instanceof Frame.Text t ? "text " + t.text()
                    : "binary " + Arrays.toString(((Frame.Binary) message).toByteArray()));
        }

        @Override
        public void onPing(byte[] payload) {
            seen.add("ping " + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void onPong(byte[] payload) {
            seen.add("pong " + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void onClose(int code, String reason) {
            seen.add("close " + code + " " + reason);
        }
    }

    /** An unmasked server frame with the shortest length encoding. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame((fin ? 0x80 : 0) | opcode, payload, payload.length < 126 ? 7 : payload.length <= 0xFFFF ? 16 : 64);
    }

    /** A frame with {@code b0} as its first byte and the length in a 7, 16 or 64-bit field. */
    static byte[] frame(int b0, byte[] payload, int lengthBits) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int n = payload.length;
        if (lengthBits == 7) {
            out.write(n);
        } else if (lengthBits == 16) {
            out.write(126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)));
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static List<String> parse(byte[] wire, int max) throws IOException {
        Events e = new Events();
        new FrameParser(max).feed(ByteBuffer.wrap(wire), e);
        return e.seen;
    }

    /** Feeds {@code wire} in pieces cut at {@code cuts}. */
    static Events parseSplit(byte[] wire, int max, int... cuts) throws IOException {
        Events e = new Events();
        FrameParser p = new FrameParser(max);
        int from = 0;
        for (int cut : cuts) {
            p.feed(ByteBuffer.wrap(wire, from, cut - from), e);
            from = cut;
        }
        p.feed(ByteBuffer.wrap(wire, from, wire.length - from), e);
        return e;
    }

    static int closeCodeOf(byte[] wire, int max) {
        try {
            parse(wire, max);
        } catch (WebSocketProtocolException e) {
            return e.closeCode();
        } catch (MessageTooLargeException e) {
            return 1009;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no violation found");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 70000})
    void everyLengthEncodingOfTheShortestForm(int size) throws IOException {
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        Events e = new Events();
        new FrameParser(1 << 20).feed(ByteBuffer.wrap(frame(true, 0x2, payload)), e);
        assertThat(((Frame.Binary) e.messages.get(0)).toByteArray()).isEqualTo(payload);
        assertThat(frame(true, 0x2, payload)).hasSize(size + (size < 126 ? 2 : size <= 0xFFFF ? 4 : 10));
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 64})
    void longerLengthFieldsThanNeededAreAccepted(int bits) throws IOException {
        assertThat(parse(frame(0x81, utf8("hi"), bits), 100)).containsExactly("text hi");
    }

    @Test
    void aFragmentedMessageWithControlFramesBetweenSplitAtEveryByte() throws IOException {
        byte[] wire = concat(
                frame(false, 0x1, utf8("[null,\"é")),
                frame(true, 0x9, utf8("p1")),
                frame(false, 0x0, new byte[0]),
                frame(true, 0xA, utf8("p2")),
                frame(true, 0x0, utf8("\",\"x\"]")),
                frame(false, 0x2, new byte[] {1, 2}),
                frame(true, 0x0, new byte[] {3}),
                frame(true, 0x1, utf8("whole")),
                frame(true, 0x8, concat(new byte[] {0x03, (byte) 0xE8}, utf8("bye"))));
        List<String> expected = List.of("ping p1", "pong p2", "text [null,\"é\",\"x\"]", "binary [1, 2, 3]",
                "text whole", "close 1000 bye");
        assertThat(parse(wire, 1000)).isEqualTo(expected);
        for (int cut = 0; cut <= wire.length; cut++) {
            assertThat(parseSplit(wire, 1000, cut).seen).as("cut at %d", cut).isEqualTo(expected);
        }
        int[] everyByte = new int[wire.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertThat(parseSplit(wire, 1000, everyByte).seen).as("one byte at a time").isEqualTo(expected);
    }

    @Test
    void aMultiByteCharacterSplitAcrossFragmentsIsValid() throws IOException {
        byte[] snowman = utf8("☃");
        byte[] wire = concat(frame(false, 0x1, new byte[] {snowman[0]}),
                frame(true, 0x0, new byte[] {snowman[1], snowman[2]}));
        assertThat(parse(wire, 100)).containsExactly("text ☃");
    }

    @Test
    void bytesAfterACloseFrameAreIgnored() throws IOException {
        byte[] wire = concat(frame(true, 0x8, new byte[0]), frame(true, 0x1, utf8("late")), new byte[] {(byte) 0xFF});
        assertThat(parse(wire, 100)).containsExactly("close 1005 ");
    }

    @Test
    void anEmptyCloseIsReportedAs1005() throws IOException {
        assertThat(parse(frame(true, 0x8, new byte[0]), 100)).containsExactly("close 1005 ");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999})
    void closeCodesAllowedOnTheWire(int code) throws IOException {
        assertThat(parse(frame(true, 0x8, new byte[] {(byte) (code >>> 8), (byte) code}), 100))
                .containsExactly("close " + code + " ");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
    void closeCodesNotAllowedOnTheWireAre1002(int code) {
        assertThat(closeCodeOf(frame(true, 0x8, new byte[] {(byte) (code >>> 8), (byte) code}), 100)).isEqualTo(1002);
    }

    @Test
    void protocolViolationsAndTheirCloseCodes() {
        assertThat(closeCodeOf(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2}, 100))
                .as("masked server frame").isEqualTo(1002);
        for (int rsv : new int[] {0x40, 0x20, 0x10}) {
            assertThat(closeCodeOf(frame(0x81 | rsv, utf8("x"), 7), 100)).as("RSV 0x%x", rsv).isEqualTo(1002);
        }
        for (int op : new int[] {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            assertThat(closeCodeOf(frame(0x80 | op, new byte[0], 7), 100)).as("opcode 0x%x", op).isEqualTo(1002);
        }
        assertThat(closeCodeOf(frame(true, 0x9, new byte[126]), 1000)).as("ping of 126 bytes").isEqualTo(1002);
        assertThat(closeCodeOf(frame(0x89, new byte[5], 16), 1000)).as("ping with a 16-bit length").isEqualTo(1002);
        assertThat(closeCodeOf(frame(false, 0x9, new byte[1]), 100)).as("fragmented ping").isEqualTo(1002);
        assertThat(closeCodeOf(frame(false, 0x8, new byte[0]), 100)).as("fragmented close").isEqualTo(1002);
        assertThat(closeCodeOf(frame(true, 0x0, utf8("x")), 100)).as("continuation first").isEqualTo(1002);
        assertThat(closeCodeOf(concat(frame(false, 0x1, utf8("a")), frame(true, 0x1, utf8("b"))), 100))
                .as("text inside a fragmented message").isEqualTo(1002);
        assertThat(closeCodeOf(concat(frame(false, 0x2, utf8("a")), frame(true, 0x2, utf8("b"))), 100))
                .as("binary inside a fragmented message").isEqualTo(1002);
        assertThat(closeCodeOf(new byte[] {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1}, 100))
                .as("64-bit length with the top bit").isEqualTo(1002);
        assertThat(closeCodeOf(frame(true, 0x8, new byte[] {3}), 100)).as("1-byte close").isEqualTo(1002);
        assertThat(closeCodeOf(frame(true, 0x1, new byte[] {(byte) 0xC3, 0x28}), 100)).as("bad UTF-8").isEqualTo(1007);
        assertThat(closeCodeOf(concat(frame(false, 0x1, new byte[] {(byte) 0xE2, (byte) 0x98}), frame(true, 0x0,
                new byte[0])), 100)).as("truncated code point at the end of a fragmented message").isEqualTo(1007);
        assertThat(closeCodeOf(frame(true, 0x8, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF}), 100))
                .as("close reason not UTF-8").isEqualTo(1007);
    }

    @Test
    void theSizeLimitIsCheckedOnTheDeclaredLengthBeforeAllocating() {
        // 2^31 - 1 declared bytes, none sent: allocating them would fail the test with an OutOfMemoryError
        byte[] huge = {(byte) 0x82, 127, 0, 0, 0, 0, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertThatThrownBy(() -> parse(huge, 1000)).isInstanceOfSatisfying(MessageTooLargeException.class, e -> {
            assertThat(e.size()).isEqualTo(Integer.MAX_VALUE);
            assertThat(e.limit()).isEqualTo(1000);
        });
        assertThat(closeCodeOf(frame(true, 0x1, new byte[101]), 100)).isEqualTo(1009);
    }

    @Test
    void theSizeLimitCountsEveryFragmentOfAMessage() throws IOException {
        byte[] wire = concat(frame(false, 0x1, new byte[60]), frame(true, 0x0, new byte[41]));
        assertThatThrownBy(() -> parse(wire, 100)).isInstanceOfSatisfying(MessageTooLargeException.class,
                e -> assertThat(e.size()).isEqualTo(101));
        assertThat(parse(concat(frame(false, 0x2, new byte[60]), frame(true, 0x0, new byte[40])), 100)).hasSize(1);
        // a new message starts from zero
        assertThat(parse(concat(frame(true, 0x2, new byte[100]), frame(true, 0x2, new byte[100])), 100)).hasSize(2);
    }

    @Test
    void aPartialFrameKeepsOnlyItsOwnBytesUntilTheRestArrives() throws IOException {
        byte[] wire = frame(true, 0x1, utf8("x".repeat(300)));
        Events e = new Events();
        FrameParser p = new FrameParser(1000);
        p.feed(ByteBuffer.wrap(wire, 0, 3), e); // half a 16-bit header
        assertThat(e.seen).isEmpty();
        p.feed(ByteBuffer.wrap(wire, 3, 100), e);
        assertThat(e.seen).isEmpty();
        p.feed(ByteBuffer.wrap(wire, 103, wire.length - 103), e);
        assertThat(e.seen).containsExactly("text " + "x".repeat(300));
    }
}
