package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every frame a real Phoenix 1.7.24 server exchanged (and the byte examples of the protocol notes) decodes to the
 * message it shows and re-encodes to exactly the same frame: the same text for JSON, the same bytes for binary.
 */
class RealPhoenixFramesTest {

    static Stream<WireVectors.Vector> frames() {
        return WireVectors.all().stream().filter(v -> !v.refused());
    }

    static Stream<WireVectors.Vector> refused() {
        return WireVectors.all().stream().filter(WireVectors.Vector::refused);
    }

    @Test
    void everyFrameOfTheRecordIsAVector() {
        List<WireVectors.Vector> real = WireVectors.read(WireVectors.REAL_PHOENIX);
        // 72 frames in the V2 sections, 21 in the V1 ones, and the refused "this is not json" of section 4.3.
        assertThat(real).hasSize(94);
        assertThat(real.stream().filter(v -> v.frame() instanceof Frame.Binary)).hasSize(6);
        assertThat(real.stream().filter(v -> "1.0.0".equals(v.vsn()))).hasSize(21);
        assertThat(WireVectors.read(WireVectors.BINARY_EXAMPLES)).hasSize(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void decodesToTheMessageItShowsAndReencodesToTheSameFrame(WireVectors.Vector v) {
        Serializer s = v.serializer();
        Message decoded = v.fromClient() ? s.decodeFromClient(v.frame()) : s.decodeFromServer(v.frame());

        assertThat(decoded).isEqualTo(expectedMessage(v));

        Frame reencoded = v.fromClient() ? s.encodeToServer(decoded) : s.encodeToClient(decoded);
        if (v.frame() instanceof Frame.Binary original) {
            assertThat(reencoded).isInstanceOf(Frame.Binary.class);
            assertThat(HexFormat.of().formatHex(((Frame.Binary) reencoded).toByteArray()))
                    .isEqualTo(HexFormat.of().formatHex(original.toByteArray()));
        } else {
            assertThat(reencoded).isEqualTo(v.frame());
        }
        assertThat(reencoded.size()).isEqualTo(v.frame().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void aMessageBuiltByHandEncodesToTheRecordedFrame(WireVectors.Vector v) {
        Serializer s = v.serializer();
        Message byHand = expectedMessage(v);
        Frame encoded = v.fromClient() ? s.encodeToServer(byHand) : s.encodeToClient(byHand);
        assertThat(encoded).isEqualTo(v.frame());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aFrameThePhoenixServerRefusedDoesNotDecode(WireVectors.Vector v) {
        assertThatThrownBy(() -> v.serializer().decodeFromClient(v.frame()))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("invalid JSON")
                .hasMessageContaining("offset 0");
    }

    /**
     * The message a frame shows, built independently of the codec: a JSON frame through a plain Jackson tree, a
     * binary frame from the decoded table next to it in the vector file.
     */
    static Message expectedMessage(WireVectors.Vector v) {
        if (v.frame() instanceof Frame.Binary) {
            JsonNode e = JsonCodec.parse(v.expected());
            Payload.Binary bytes = Payload.binary(HexFormat.of().parseHex(e.get(5).asText()));
            String status = e.get(4).isNull() ? null : e.get(4).asText();
            return Message.of(text(e.get(0)), text(e.get(1)), e.get(2).asText(), e.get(3).asText(),
                    status == null ? bytes : Payload.reply(status, bytes));
        }
        JsonNode tree = JsonCodec.parse(((Frame.Text) v.frame()).text());
        String joinRef;
        String ref;
        String topic;
        String event;
        JsonNode payload;
        if (tree.isArray()) {
            joinRef = text(tree.get(0));
            ref = text(tree.get(1));
            topic = tree.get(2).asText();
            event = tree.get(3).asText();
            payload = tree.get(4);
        } else {
            joinRef = tree.has("join_ref") ? text(tree.get("join_ref")) : null;
            ref = text(tree.get("ref"));
            topic = tree.get("topic").asText();
            event = tree.get("event").asText();
            payload = tree.get("payload");
        }
        Payload p = !v.fromClient() && "phx_reply".equals(event)
                ? Payload.reply(payload.get("status").asText(), Payload.json(payload.get("response")))
                : Payload.json(payload);
        return Message.of(joinRef, ref, topic, event, p);
    }

    private static String text(JsonNode n) {
        return n.isNull() ? null : n.asText();
    }
}
