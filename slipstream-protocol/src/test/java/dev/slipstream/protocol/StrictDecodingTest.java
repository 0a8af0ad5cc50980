package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoding is strict and total: random input and mutated valid frames give a message or a {@link DecodeException}
 * naming the field and offset, never anything else; and each kind of bad frame gets the error it deserves.
 */
class StrictDecodingTest {
    private static final long SEED = 0xDEC0DEL;
    private static final String[] TEXT_PIECES = {
        "[", "]", "{", "}", ",", ":", "\"", "\\", "null", "true", "1", "-0.5e9", "\"a\"", "\"phx_reply\"",
        "\"response\"", "\"status\"", "\"ok\"", "\"topic\"", "\"event\"", "\"payload\"", "\"ref\"", "\"join_ref\"",
        " ", "\n", "é", "😀", "\uD800", "\u0000", "x", "9999999999999999999999", "[[[[", "]]]]",
    };

    static Stream<Decoders.Decoder> decoders() {
        return Decoders.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void randomBytesGiveOnlyTypedErrors(Decoders.Decoder d) {
        Random r = new Random(SEED);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[r.nextInt(48)];
            r.nextBytes(b);
            if (b.length > 0 && r.nextBoolean()) {
                b[0] = (byte) r.nextInt(3); // a valid kind, so the header parser is exercised
                for (int k = 1; k < Math.min(5, b.length); k++) {
                    b[k] = (byte) r.nextInt(12); // small sizes, so the fields are read
                }
            }
            Decoders.decodeStrictly(d, Frame.binary(b));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void randomTextGivesOnlyTypedErrors(Decoders.Decoder d) {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(20);
            for (int k = 0; k < n; k++) {
                sb.append(TEXT_PIECES[r.nextInt(TEXT_PIECES.length)]);
            }
            Decoders.decodeStrictly(d, Frame.text(sb.toString()));
        }
    }

    static Stream<Arguments> decodersAndValidFrames() {
        List<Arguments> out = new ArrayList<>();
        for (Decoders.Decoder d : Decoders.ALL) {
            List<Frame> frames = new ArrayList<>();
            for (WireVectors.Vector v : WireVectors.all()) {
                if (!v.refused() && v.serializer() == d.serializer() && v.fromClient() != d.fromServer()) {
                    frames.add(v.frame());
                }
            }
            for (int i = 0; i < 40; i++) {
                MessageGenerator g = new MessageGenerator(SEED + 100 + i);
                boolean binary = d.serializer() == Serializer.v2();
                Message m = d.fromServer() ? g.serverMessage(binary) : g.clientMessage(binary);
                Frame f = d.fromServer() ? d.serializer().encodeToClient(m) : d.serializer().encodeToServer(m);
                if (f.size() < 4096) {
                    frames.add(f);
                }
            }
            out.add(Arguments.of(d, frames));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodersAndValidFrames")
    void mutatedValidFramesGiveOnlyTypedErrors(Decoders.Decoder d, List<Frame> valid) {
        Random r = new Random(SEED + 2);
        int decoded = 0;
        int refused = 0;
        for (Frame f : valid) {
            for (int i = 0; i < 60; i++) {
                Frame mutated = f instanceof Frame.Binary b ? mutate(b.toByteArray(), r) : mutate(((Frame.Text) f).text(), r);
                if (Decoders.decodeStrictly(d, mutated) == null) {
                    refused++;
                } else {
                    decoded++;
                }
            }
        }
        // Both outcomes occur, so the mutations neither always break frames nor never do.
        assertThat(refused).isPositive();
        assertThat(decoded).isPositive();
    }

    static Frame mutate(byte[] b, Random r) {
        switch (r.nextInt(6)) {
            case 0: { // flip one bit
                if (b.length > 0) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return Frame.binary(b);
            }
            case 1: // truncate
                return Frame.binary(java.util.Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length)));
            case 2: { // a length byte that overflows the frame
                if (b.length > 1) {
                    b[1 + r.nextInt(Math.min(4, b.length - 1))] = (byte) (r.nextBoolean() ? 0xff : b.length);
                }
                return Frame.binary(b);
            }
            case 3: { // invalid UTF-8 somewhere in the header
                if (b.length > 5) {
                    byte[] bad = {(byte) 0xff, (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xe2};
                    b[5 + r.nextInt(Math.min(8, b.length - 5))] = bad[r.nextInt(bad.length)];
                }
                return Frame.binary(b);
            }
            case 4: { // another kind
                if (b.length > 0) {
                    b[0] = (byte) r.nextInt(5);
                }
                return Frame.binary(b);
            }
            default: { // a random byte
                if (b.length > 0) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                return Frame.binary(b);
            }
        }
    }

    static Frame mutate(String s, Random r) {
        StringBuilder sb = new StringBuilder(s);
        int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
        switch (r.nextInt(7)) {
            case 0:
                if (sb.length() > 0) {
                    sb.deleteCharAt(at);
                }
                break;
            case 1:
                sb.insert(at, TEXT_PIECES[r.nextInt(TEXT_PIECES.length)]);
                break;
            case 2:
                sb.setLength(at);
                break;
            case 3: // a ref or string that becomes a number
                return Frame.text(s.replaceFirst("\"[^\"]*\"", r.nextBoolean() ? "7" : "{}"));
            case 4: // wrong arity: drop an element
                return Frame.text(s.replaceFirst(",\"[^\"]*\"", ""));
            case 5: // a phx_reply payload that is not an object
                return Frame.text(s.replaceFirst("\\{\"response\"", "[\"response\"").replaceFirst("\"status\":", ""));
            default:
                if (sb.length() > 0) {
                    sb.setCharAt(at, (char) r.nextInt(0x80));
                }
        }
        return Frame.text(sb.toString());
    }

    // ---- each kind of bad frame, with the field and offset it must name ----

    private static void fails(ThrowingCallable call, String field, long offset, String words) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DecodeException.class, e -> {
            assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
            assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
            assertThat(e.getMessage()).contains(words).contains("(field " + field + ", offset " + offset + ")");
        });
    }

    private static Frame hex(String hex) {
        return Frame.binary(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    @Test
    void binaryFramesThatAreTooShortOrLie() {
        Serializer v2 = Serializer.v2();
        fails(() -> v2.decodeFromServer(Frame.binary(new byte[0])), "kind", 0, "empty binary frame");
        fails(() -> v2.decodeFromServer(hex("07 00")), "kind", 0, "unknown binary frame kind 7");
        fails(() -> v2.decodeFromClient(hex("01 01 01 01 02 31 32 74 6f 6b")), "kind", 0, "not a client push");
        fails(() -> v2.decodeFromClient(hex("00 01 01")), "header", 3, "too short for its 4 header sizes");
        // topic declared as 255 bytes, but 2 remain after join_ref and ref
        fails(() -> v2.decodeFromClient(hex("00 01 01 ff 01 31 32 74 65")), "topic", 7,
                "topic is declared as 255 bytes but only 2 remain");
        fails(() -> v2.decodeFromServer(hex("02 05 05 74 6f")), "topic", 3, "declared as 5 bytes but only 2 remain");
        // invalid UTF-8 (a lone continuation byte) in the event of a broadcast
        fails(() -> v2.decodeFromServer(hex("02 01 02 74 c3 28")), "event", 4, "invalid UTF-8 in event");
        // an encoded surrogate (CESU-8) in a join_ref
        fails(() -> v2.decodeFromClient(hex("00 03 00 01 01 ed a0 80 74 65")), "join_ref", 5, "invalid UTF-8");
        fails(() -> Serializer.v1().decodeFromServer(hex("02 00 00")), "frame", 0, "need the V2 serializer");
    }

    @Test
    void binaryFramesDecodeFromTheirBufferPosition() {
        ByteBuffer buf = ByteBuffer.wrap(HexFormat.of().parseHex("ffff020a106563686f3a6c6f62627962696e6172795f62726f616463617374cafe"));
        buf.position(2);
        Message m = Serializer.v2().decodeFromServer(Frame.binary(buf));
        assertThat(m).isEqualTo(Message.broadcast("echo:lobby", "binary_broadcast", Payload.binary(new byte[] {(byte) 0xca, (byte) 0xfe})));
        buf.put(6, (byte) 0xff); // corrupt the topic: offsets stay relative to the frame, not the buffer
        fails(() -> Serializer.v2().decodeFromServer(Frame.binary(buf)), "topic", 3, "invalid UTF-8");
    }

    @Test
    void v2TextFramesWithWrongShapes() {
        Serializer v2 = Serializer.v2();
        fails(() -> v2.decodeFromServer(Frame.text("{\"a\":1}")), "frame", 0, "expected a JSON array");
        fails(() -> v2.decodeFromServer(Frame.text("[1,\"2\",\"t\",\"e\",{}]")), "join_ref", 1,
                "join_ref must be a string or null, got a number");
        fails(() -> v2.decodeFromClient(Frame.text("[\"1\",{},\"t\",\"e\",{}]")), "ref", 5,
                "ref must be a string or null, got an object");
        fails(() -> v2.decodeFromClient(Frame.text("[\"1\",\"2\",null,\"e\",{}]")), "topic", 9,
                "topic must be a string, got null");
        fails(() -> v2.decodeFromClient(Frame.text("[\"1\",\"2\",\"t\"]")), "event", 12,
                "event must be a string, got the end of the array");
        fails(() -> v2.decodeFromClient(Frame.text("[\"1\",\"2\",\"t\",\"e\"]")), "payload", 16, "missing payload");
        fails(() -> v2.decodeFromServer(Frame.text("[null,null,\"t\",\"e\",{},1]")), "frame", 22, "got more");
        fails(() -> v2.decodeFromClient(Frame.text("[null,null,\"t\",\"e\",{}] x")), "frame", 23, "invalid JSON");
        fails(() -> v2.decodeFromClient(Frame.text("[null,null,\"t\",\"e\",{}][]")), "frame", 22,
                "unexpected data after the frame's array");
        fails(() -> v2.decodeFromClient(Frame.text("[null,null,\"t\",\"e\",{\"a\":}]")), "frame", 24, "invalid JSON");
        fails(() -> v2.decodeFromClient(Frame.text("")), "frame", 0, "got the end of the frame");
        // Phoenix ignores a client frame's extra elements, and so does the codec.
        assertThat(v2.decodeFromClient(Frame.text("[null,\"1\",\"t\",\"e\",{},{\"x\":[1]},2]")))
                .isEqualTo(Message.of(null, "1", "t", "e", Payload.empty()));
    }

    @Test
    void phxReplyPayloadsMustBeTheReplyObject() {
        Serializer v2 = Serializer.v2();
        String head = "[\"1\",\"2\",\"t\",\"phx_reply\",";
        fails(() -> v2.decodeFromServer(Frame.text(head + "[]]")), "payload", 25, "must be an object");
        fails(() -> v2.decodeFromServer(Frame.text(head + "\"ok\"]")), "payload", 25, "got a string");
        fails(() -> v2.decodeFromServer(Frame.text(head + "{\"response\":{}}]")), "status", 39,
                "has no \"status\"");
        fails(() -> v2.decodeFromServer(Frame.text(head + "{\"status\":\"ok\"}]")), "response", 39,
                "has no \"response\"");
        fails(() -> v2.decodeFromServer(Frame.text(head + "{\"response\":{},\"status\":1}]")), "status", 49,
                "status must be a string, got a number");
        fails(() -> v2.decodeFromServer(Frame.text(head + "{\"response\":{},\"status\":\"ok\",\"x\":1}]")),
                "payload", 54, "has the key \"x\"");
        fails(() -> v2.decodeFromServer(Frame.text(head + "{\"status\":\"ok\",\"status\":\"ok\",\"response\":1}]")),
                "status", 40, "\"status\" twice");
        // Any key order reads, and the response may be any JSON value.
        assertThat(v2.decodeFromServer(Frame.text(head + "{\"status\":\"ok\",\"response\":[1]}]")))
                .isEqualTo(Message.reply("1", "2", "t", "ok", Payload.json("[1]")));
        // A client frame with event phx_reply is just JSON: only servers reply.
        assertThat(v2.decodeFromClient(Frame.text(head + "[]]")).payload()).isEqualTo(Payload.json("[]"));
    }

    @Test
    void v1FramesWithWrongShapes() {
        Serializer v1 = Serializer.v1();
        fails(() -> v1.decodeFromClient(Frame.text("[\"1\",\"1\",\"t\",\"e\",{}]")), "frame", 0,
                "expected a JSON object");
        fails(() -> v1.decodeFromClient(Frame.text("{\"topic\":\"t\",\"event\":\"e\",\"payload\":{}}")), "ref", 0,
                "no \"ref\" key");
        fails(() -> v1.decodeFromClient(Frame.text("{\"event\":\"e\",\"payload\":{},\"ref\":null}")), "topic", 0,
                "no \"topic\" key");
        fails(() -> v1.decodeFromClient(Frame.text("{\"topic\":\"t\",\"event\":\"e\",\"ref\":null}")), "payload", 0,
                "no \"payload\" key");
        fails(() -> v1.decodeFromClient(Frame.text("{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":1}")),
                "ref", 44, "ref must be a string or null, got a number");
        fails(() -> v1.decodeFromClient(Frame.text("{\"topic\":\"t\",\"topic\":\"u\"}")), "topic", 13,
                "\"topic\" twice");
        fails(() -> v1.decodeFromServer(Frame.text(
                "{\"event\":\"phx_reply\",\"payload\":{\"response\":{}},\"ref\":\"1\",\"topic\":\"t\"}")), "status",
                45, "no \"status\"");
        // "event" after "payload": the reply is still read, and its errors still point into the frame.
        assertThat(v1.decodeFromServer(Frame.text(
                "{\"payload\":{\"response\":{},\"status\":\"ok\"},\"ref\":\"1\",\"topic\":\"t\",\"event\":\"phx_reply\"}")))
                .isEqualTo(Message.reply(null, "1", "t", "ok", Payload.empty()));
        fails(() -> v1.decodeFromServer(Frame.text(
                "{\"payload\":{\"response\":{},\"status\":2},\"ref\":\"1\",\"topic\":\"t\",\"event\":\"phx_reply\"}")),
                "status", 35, "status must be a string");
        // A join_ref in a server frame is read (Phoenix never writes one, older servers might).
        assertThat(v1.decodeFromServer(Frame.text(
                "{\"event\":\"e\",\"payload\":{},\"ref\":null,\"topic\":\"t\",\"join_ref\":\"3\"}")).joinRef())
                .isEqualTo("3");
        // Unknown keys are ignored, as Phoenix ignores them.
        assertThat(v1.decodeFromClient(Frame.text(
                "{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":null,\"extra\":[1,{\"a\":2}]}")))
                .isEqualTo(Message.of(null, null, "t", "e", Payload.empty()));
    }

    @Test
    void aNullFrameIsATypedErrorToo() {
        for (Decoders.Decoder d : Decoders.ALL) {
            assertThatThrownBy(() -> d.decode(null)).isInstanceOf(DecodeException.class)
                    .hasMessageContaining("frame is null");
        }
    }

    @Test
    void deepNestingIsATypedError() {
        String deep = "[null,null,\"t\",\"e\"," + "[".repeat(5000) + "]".repeat(5000) + "]";
        assertThatThrownBy(() -> Serializer.v2().decodeFromClient(Frame.text(deep)))
                .isInstanceOfSatisfying(DecodeException.class, e -> {
                    assertThat(e.field()).isEqualTo("frame");
                    assertThat(e.getMessage()).contains("nesting depth");
                });
    }
}
