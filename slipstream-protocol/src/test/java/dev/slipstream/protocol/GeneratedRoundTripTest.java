package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded generated round trips for every serializer and direction: random topics, events and refs (null included),
 * unicode with surrogate pairs and characters JSON must escape, empty and large payloads, nested JSON and binary.
 * A failure names the seed; {@code new MessageGenerator(seed)} reproduces the message.
 */
class GeneratedRoundTripTest {
    private static final int ITERATIONS = 400;
    private static final long BASE_SEED = 0x5117_57AEL;

    static Stream<Arguments> serializers() {
        return Stream.of(Arguments.of("V1", Serializer.v1()), Arguments.of("V2", Serializer.v2()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serializers")
    void clientToServer(String name, Serializer s) {
        boolean binary = s == Serializer.v2();
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + i;
            Message m = new MessageGenerator(seed).clientMessage(binary);
            Frame frame = s.encodeToServer(m);
            Message back = s.decodeFromClient(frame);
            assertThat(back).as("%s client frame, seed %d: %s", name, seed, m).isEqualTo(m);
            assertSameFrame(s.encodeToServer(back), frame, name + " seed " + seed);
            assertThat(frame).as("seed %d", seed).isInstanceOf(m.payload().isBinary() ? Frame.Binary.class
                    : Frame.Text.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serializers")
    void serverToClient(String name, Serializer s) {
        boolean v1 = s == Serializer.v1();
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + 1_000_000 + i;
            Message m = new MessageGenerator(seed).serverMessage(!v1);
            Frame frame = s.encodeToClient(m);
            Message back = s.decodeFromServer(frame);
            // V1 server frames never carry a join_ref, as Phoenix writes them.
            Message expected = v1 ? Message.of(null, m.ref(), m.topic(), m.event(), m.payload()) : m;
            assertThat(back).as("%s server frame, seed %d: %s", name, seed, m).isEqualTo(expected);
            assertSameFrame(s.encodeToClient(back), frame, name + " seed " + seed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serializers")
    void jsonTextFramesAreValidJsonWhoseTreeMatchesTheMessage(String name, Serializer s) {
        for (int i = 0; i < ITERATIONS / 4; i++) {
            long seed = BASE_SEED + 2_000_000 + i;
            Message m = new MessageGenerator(seed).clientMessage(false);
            String text = ((Frame.Text) s.encodeToServer(m)).text();
            // An independent parser reads the same fields back: escaping is right, not just symmetric.
            var tree = JsonCodec.parse(text);
            String topic = tree.isArray() ? tree.get(2).asText() : tree.get("topic").asText();
            String event = tree.isArray() ? tree.get(3).asText() : tree.get("event").asText();
            var payload = tree.isArray() ? tree.get(4) : tree.get("payload");
            assertThat(topic).as("seed %d", seed).isEqualTo(m.topic());
            assertThat(event).as("seed %d", seed).isEqualTo(m.event());
            assertThat(payload).as("seed %d", seed).isEqualTo(JsonCodec.parse(m.payload().asJson().text()));
        }
    }

    @Test
    void largePayloadsRoundTripInEveryFormat() {
        StringBuilder big = new StringBuilder("{\"data\":\"");
        for (int i = 0; big.length() < (1 << 20); i++) {
            big.append("chunk ").append(i).append(" é中😀 ");
        }
        Payload.Json json = Payload.json(big.append("\"}").toString());
        byte[] bytes = new byte[1 << 20];
        new java.util.Random(7).nextBytes(bytes);
        Payload.Binary binary = Payload.binary(bytes);
        for (Serializer s : new Serializer[] {Serializer.v1(), Serializer.v2()}) {
            Message push = Message.of("1", "2", "room:big", "upload", json);
            assertThat(s.decodeFromClient(s.encodeToServer(push))).isEqualTo(push);
            Message reply = Message.reply(null, "2", "room:big", "ok", json);
            assertThat(s.decodeFromServer(s.encodeToClient(reply))).isEqualTo(reply);
        }
        Serializer v2 = Serializer.v2();
        Message binPush = Message.of("1", "2", "room:big", "upload", binary);
        Frame frame = v2.encodeToServer(binPush);
        assertThat(frame.size()).isEqualTo(1 + 4 + 1 + 1 + 8 + 6 + bytes.length);
        assertThat(v2.decodeFromClient(frame)).isEqualTo(binPush);
        Message binReply = Message.reply("1", "2", "room:big", "ok", binary);
        assertThat(v2.decodeFromServer(v2.encodeToClient(binReply))).isEqualTo(binReply);
    }

    @Test
    void emptyPayloadsRoundTrip() {
        Serializer v2 = Serializer.v2();
        Message emptyBinary = Message.of("1", "2", "t", "e", Payload.binary(new byte[0]));
        assertThat(HexFormat.of().formatHex(((Frame.Binary) v2.encodeToServer(emptyBinary)).toByteArray()))
                .isEqualTo("00010101013132746" + "5");
        assertThat(v2.decodeFromClient(v2.encodeToServer(emptyBinary))).isEqualTo(emptyBinary);
        Message broadcast = Message.broadcast("t", "e", Payload.binary(new byte[0]));
        assertThat(v2.decodeFromServer(v2.encodeToClient(broadcast))).isEqualTo(broadcast);
        for (Serializer s : new Serializer[] {Serializer.v1(), v2}) {
            Message m = Message.of(null, null, "", "", Payload.empty());
            assertThat(s.decodeFromClient(s.encodeToServer(m))).isEqualTo(m);
        }
    }

    @Test
    void emptyRefsSurviveJsonButReadBackAsNullFromBinaryFrames() {
        Message m = Message.of("", "", "t", "e", Payload.empty());
        assertThat(Serializer.v2().encodeToServer(m)).isEqualTo(Frame.text("[\"\",\"\",\"t\",\"e\",{}]"));
        assertThat(Serializer.v2().decodeFromClient(Serializer.v2().encodeToServer(m))).isEqualTo(m);
        assertThat(Serializer.v1().decodeFromClient(Serializer.v1().encodeToServer(m))).isEqualTo(m);
        // A binary frame writes a null ref as an empty field (as Phoenix does), so the two read back alike.
        Message bin = Message.of("", "", "t", "e", Payload.binary(new byte[] {1}));
        assertThat(Serializer.v2().decodeFromClient(Serializer.v2().encodeToServer(bin)))
                .isEqualTo(Message.of(null, null, "t", "e", Payload.binary(new byte[] {1})));
    }

    @Test
    void escapingIsJasonsByteForByte() {
        // Jason's default escape: the short escapes, other control characters as upper-case \\u00XX, DEL,
        // U+2028 and non-ASCII as they are.
        String topic = "a\"b\\c\n\t\r\b\f\u0000\u001f\u007f\u2028é😀/";
        String frame = ((Frame.Text) Serializer.v2().encodeToClient(
                Message.of(null, null, topic, "e", Payload.empty()))).text();
        assertThat(frame).isEqualTo(
                "[null,null,\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0000\\u001F\u007f\u2028é😀/\",\"e\",{}]");
    }

    private static void assertSameFrame(Frame actual, Frame expected, String what) {
        if (expected instanceof Frame.Binary b) {
            assertThat(((Frame.Binary) actual).toByteArray()).as(what).isEqualTo(b.toByteArray());
        } else {
            assertThat(actual).as(what).isEqualTo(expected);
        }
    }
}
