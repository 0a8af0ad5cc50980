package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the encoders refuse, each time with an {@link EncodeException} naming the field. */
class EncodingLimitsTest {
    private static final Payload.Binary BYTES = Payload.binary(new byte[] {1, 2, 3});
    /** 85 three-byte characters: 255 UTF-8 bytes, the most a binary header field holds. */
    private static final String MAX = "中".repeat(85);
    /** 86 three-byte characters: 258 UTF-8 bytes, though only 86 chars. */
    private static final String OVER = "中".repeat(86);

    private static void refused(Runnable encode, String field, String words) {
        assertThatThrownBy(encode::run).isInstanceOfSatisfying(EncodeException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(field).contains(words);
        });
    }

    @Test
    void clientPushHeaderFieldsOver255Utf8BytesAreRefused() {
        Serializer v2 = Serializer.v2();
        refused(() -> v2.encodeToServer(Message.of(OVER, "1", "t", "e", BYTES)), "join_ref", "258 bytes");
        refused(() -> v2.encodeToServer(Message.of("1", OVER, "t", "e", BYTES)), "ref", "at most 255");
        refused(() -> v2.encodeToServer(Message.of("1", "1", OVER, "e", BYTES)), "topic", "258 bytes");
        refused(() -> v2.encodeToServer(Message.of("1", "1", "t", "x".repeat(256), BYTES)), "event", "256 bytes");
    }

    @Test
    void serverFrameHeaderFieldsOver255Utf8BytesAreRefused() {
        Serializer v2 = Serializer.v2();
        refused(() -> v2.encodeToClient(Message.reply("1", "1", "t", OVER, BYTES)), "status", "258 bytes");
        refused(() -> v2.encodeToClient(Message.reply("1", OVER, "t", "ok", BYTES)), "ref", "258 bytes");
        refused(() -> v2.encodeToClient(Message.of(OVER, null, "t", "e", BYTES)), "join_ref", "258 bytes");
        refused(() -> v2.encodeToClient(Message.broadcast(OVER, "e", BYTES)), "topic", "258 bytes");
        refused(() -> v2.encodeToClient(Message.broadcast("t", OVER, BYTES)), "event", "258 bytes");
    }

    @Test
    void exactly255Utf8BytesFit() {
        Serializer v2 = Serializer.v2();
        Message m = Message.of(MAX, MAX, MAX, MAX, BYTES);
        Frame f = v2.encodeToServer(m);
        assertThat(f.size()).isEqualTo(1 + 4 + 4 * 255 + 3);
        assertThat(v2.decodeFromClient(f)).isEqualTo(m);
        Message reply = Message.reply(MAX, MAX, MAX, MAX, BYTES);
        assertThat(v2.decodeFromServer(v2.encodeToClient(reply))).isEqualTo(reply);
    }

    @Test
    void jsonTextFramesHaveNoHeaderLimit() {
        Message m = Message.of(OVER, OVER, OVER + OVER, OVER, Payload.empty());
        assertThat(Serializer.v2().decodeFromClient(Serializer.v2().encodeToServer(m))).isEqualTo(m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "a\uDC00b", "\uDBFFx", "x\uD83D"})
    void unpairedSurrogatesAreRefusedRatherThanTurnedIntoQuestionMarks(String bad) {
        refused(() -> Serializer.v2().encodeToServer(Message.of("1", "1", bad, "e", BYTES)), "topic",
                "unpaired surrogate");
        refused(() -> Serializer.v2().encodeToServer(Message.of("1", "1", "t", bad, Payload.empty())), "event",
                "unpaired surrogate");
        refused(() -> Serializer.v1().encodeToClient(Message.of(null, bad, "t", "e", Payload.empty())), "ref",
                "unpaired surrogate");
        refused(() -> Serializer.v2().encodeToClient(Message.reply("1", "1", "t", bad, Payload.empty())), "status",
                "unpaired surrogate");
    }

    @Test
    void binaryPayloadsNeedTheV2Serializer() {
        refused(() -> Serializer.v1().encodeToServer(Message.of("1", "1", "t", "e", BYTES)), "payload",
                "binary frames need the V2 serializer");
        refused(() -> Serializer.v1().encodeToClient(Message.reply("1", "1", "t", "ok", BYTES)), "response",
                "binary frames need the V2 serializer");
    }

    @Test
    void shapesADirectionCannotCarryAreRefused() {
        // A binary server push has no ref field: a message with a ref must be a reply.
        refused(() -> Serializer.v2().encodeToClient(Message.of("1", "2", "t", "e", BYTES)), "ref", "no ref");
        // A client never sends a reply; a reply payload cannot be a binary client push.
        refused(() -> Serializer.v2().encodeToServer(Message.reply("1", "2", "t", "ok", BYTES)), "payload",
                "needs a binary payload");
    }

    @Test
    void aReplyIsWrittenResponseFirstAsPhoenixWritesIt() {
        Message reply = Message.reply("1", "2", "t", "ok", Payload.json("{\"b\":1,\"a\":2}"));
        assertThat(Serializer.v2().encodeToClient(reply)).isEqualTo(
                Frame.text("[\"1\",\"2\",\"t\",\"phx_reply\",{\"response\":{\"b\":1,\"a\":2},\"status\":\"ok\"}]"));
        assertThat(Serializer.v1().encodeToClient(reply)).isEqualTo(Frame.text(
                "{\"event\":\"phx_reply\",\"payload\":{\"response\":{\"b\":1,\"a\":2},\"status\":\"ok\"},"
                        + "\"ref\":\"2\",\"topic\":\"t\"}"));
    }
}
