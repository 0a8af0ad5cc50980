package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The codec's fast paths (JsonScan for payloads, the V2 text decoder without a parser) against Jackson, which decides
 * everything they give up on: whatever a fast path accepts, Jackson accepts with the same boundaries and the same
 * message; and the fast paths do take the common frames (otherwise they would be dead weight).
 */
class FastPathTest {
    private static final long SEED = 0xFA57L;
    private static final String[] PIECES = {
        "[", "]", "{", "}", ",", ":", "\"", "\\", "\\u", "\\n", "\\x", "00af", "null", "nul", "true", "false", "1",
        "01", "-", "-0", "0.", ".5", "1e", "1E+5", "-0.5e-9", "2.50", "\"a\"", "\"ok\"", "\"phx_reply\"",
        "\"response\"", "\"status\"", " ", "\n", "\t", "\r", "\f", "\u000b", "é", "😀", "\uD800", "\u0000", "\u001f",
        "x", "NaN", "Infinity", "'", "/*", "9".repeat(120), "[[[[", "]]]]", "\uFEFF",
    };

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "0", "-0", "1.5e10", "-12.25E-3", "\"\"", "\"\\u00e9\\n\\\"\"", "true", "false", "null",
        " {\"a\" : [1, 2.0, {\"b\": null}], \"c\":\"d\"} ", "\"\uD800\"", "[\"😀\"]", "1E400", "-1e-400",
        "{\"a\":1,\"a\":2}",
    })
    void validJsonIsTakenByTheFastPathAndJacksonAgrees(String text) {
        assertThat(JsonScan.isOneValue(text)).isTrue();
        JsonCodec.parseStrict(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "1e", "NaN", "tru", "truex", "[truex]", "nulll",
        "'a'", "{a:1}", "\"\\x\"", "\"\\u12g4\"", "\"a\u0001\"", "[1 2]", "{\"a\" 1}", "1 2", "[] x", "/* c */ 1",
        "\f1", "\u000b1", "\uFEFF{}",
    })
    void anythingElseIsLeftToJackson(String text) {
        assertThat(JsonScan.isOneValue(text)).isFalse();
    }

    @Test
    void numbersWellWithinJacksonsLimitAreTakenLongerOnesAreLeftToJackson() {
        assertThat(JsonScan.isOneValue("[" + "9".repeat(100) + "]")).isTrue();
        assertThat(JsonScan.isOneValue("[" + "9".repeat(101) + "]")).isFalse();
    }

    @Test
    void deepNestingWellWithinJacksonsLimitIsTakenDeeperIsLeftToJackson() {
        assertThat(JsonScan.isOneValue("[".repeat(200) + "]".repeat(200))).isTrue();
        assertThat(JsonScan.isOneValue("[".repeat(201) + "]".repeat(201))).isFalse();
        JsonCodec.parseStrict("[".repeat(201) + "]".repeat(201));
    }

    @Test
    void randomAndMutatedJsonNeverGetsPastTheFastPathUnlessJacksonTakesItWithTheSameBoundaries() {
        Random r = new Random(SEED);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(12);
            for (int k = 0; k < n; k++) {
                sb.append(PIECES[r.nextInt(PIECES.length)]);
            }
            inputs.add(sb.toString());
        }
        for (int i = 0; i < 300; i++) {
            String valid = new MessageGenerator(SEED + i).json().text();
            if (valid.length() > 10_000) {
                continue;
            }
            inputs.add(valid);
            for (int k = 0; k < 20; k++) {
                inputs.add(((Frame.Text) StrictDecodingTest.mutate(valid, r)).text());
            }
        }
        int taken = 0;
        for (String text : inputs) {
            if (JsonScan.isOneValue(text)) {
                taken++;
                JsonCodec.parseStrict(text); // throws if Jackson refuses what the fast path took
            }
            // A value counts only where a delimiter follows it, as in a frame ("0" of "00" or "true" of "truex" is
            // no value): then Jackson must see it end at the same place.
            int end = JsonScan.value(text, 0, 0);
            if (end != JsonScan.UNSURE && (end == text.length() || " \t\n\r,]}".indexOf(text.charAt(end)) >= 0)) {
                // Inside an array, as payloads are (at the top level Jackson also consumes one space after a number).
                assertThat(end).as(text).isEqualTo(jacksonEndOfFirstValue("[" + text) - 1);
            }
        }
        assertThat(taken).isGreaterThan(300);
    }

    /** Where Jackson's first value in an array ends, as the Jackson decode path slices payloads. */
    private static int jacksonEndOfFirstValue(String text) {
        try (JsonParser p = JsonFrames.parser(text)) {
            p.nextToken();
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else if (t == JsonToken.VALUE_STRING) {
                p.getText();
            }
            return (int) p.currentLocation().getCharOffset();
        } catch (Exception e) {
            throw new AssertionError("Jackson refuses what the fast path took: " + text, e);
        }
    }

    @Test
    void theFastV2DecoderGivesTheMessageJacksonGivesOnEveryVectorGeneratedRandomAndMutatedFrame() {
        Random r = new Random(SEED + 1);
        List<String> frames = new ArrayList<>();
        for (WireVectors.Vector v : WireVectors.all()) {
            if (v.frame() instanceof Frame.Text t) {
                frames.add(t.text());
            }
        }
        for (int i = 0; i < 400; i++) {
            MessageGenerator g = new MessageGenerator(SEED + 1000 + i);
            Frame server = Serializer.v2().encodeToClient(g.serverMessage(false));
            Frame client = Serializer.v2().encodeToServer(g.clientMessage(false));
            for (Frame f : List.of(server, client)) {
                String text = ((Frame.Text) f).text();
                if (text.length() < 10_000) {
                    frames.add(text);
                }
            }
        }
        int n = frames.size();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 15; k++) {
                frames.add(((Frame.Text) StrictDecodingTest.mutate(frames.get(i), r)).text());
            }
            frames.add(" " + frames.get(i) + "\n");
            frames.add(frames.get(i).replace(",", " , "));
            frames.add(frames.get(i).replaceFirst("\\]$", ",1]"));
            frames.add(frames.get(i).replace("{\"response\":", "{\"status\":\"ok\",\"response\":")); // a second status
        }
        for (int i = 0; i < 5_000; i++) {
            StringBuilder sb = new StringBuilder("[");
            int pieces = r.nextInt(14);
            for (int k = 0; k < pieces; k++) {
                sb.append(PIECES[r.nextInt(PIECES.length)]);
            }
            frames.add(sb.toString());
        }
        int fast = 0;
        for (String text : frames) {
            for (boolean fromServer : new boolean[] {true, false}) {
                Message m = V2Serializer.decodeTextFast(text, fromServer);
                if (m == null) {
                    continue;
                }
                fast++;
                Message viaJackson = fromServer ? jacksonServer(text) : jacksonClient(text);
                assertThat(exact(m)).as(text).isEqualTo(exact(viaJackson));
            }
        }
        assertThat(fast).isGreaterThan(1_000);
    }

    @Test
    void theFastV2DecoderTakesTheFramesAClientGetsMostOften() {
        for (String text : List.of(
                "[\"3\",\"17\",\"room:lobby\",\"phx_reply\",{\"response\":{\"body\":\"hi\"},\"status\":\"ok\"}]",
                "[\"3\",\"17\",\"room:lobby\",\"phx_reply\",{\"status\":\"error\",\"response\":{}}]",
                "[null,\"5\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]",
                "[\"3\",null,\"room:lobby\",\"new_msg\",{\"body\":\"caf\u00e9 \\\"quoted\\\" \\n\"}]",
                "[null,null,\"room:lobby\",\"presence_diff\",{\"joins\":{},\"leaves\":{}}]")) {
            Message fast = V2Serializer.decodeTextFast(text, true);
            assertThat(fast).as(text).isNotNull();
            assertThat(exact(fast)).isEqualTo(exact(jacksonServer(text)));
        }
    }

    @Test
    void theOneConcatenationEncoderWritesWhatFieldByFieldQuotingWrites() {
        int plain = 0;
        List<Message> messages = new ArrayList<>(List.of(
                Message.of("3", "17", "room:lobby", "new_msg", Payload.json("{\"body\":\"hi\"}")),
                Message.reply("3", "17", "room:lobby", "ok", Payload.json("{}")),
                Message.reply("3", "17", "room:lobby", "a\"b", Payload.json("{}")),
                Message.of(null, "4", "phoenix", "heartbeat", Payload.empty()),
                Message.of("1", "2", "caf\u00e9 \uD83D\uDE00", "\u2028", Payload.json("[1]"))));
        for (int i = 0; i < 2_000; i++) {
            MessageGenerator g = new MessageGenerator(SEED + 5_000 + i);
            messages.add(g.serverMessage(false));
            messages.add(g.clientMessage(false));
        }
        for (Message m : messages) {
            String expected;
            try {
                expected = V2Serializer.encodeTextQuoted(m);
            } catch (EncodeException e) {
                continue;
            }
            assertThat(V2Serializer.encodeText(m)).isEqualTo(expected);
            if (JsonFrames.isPlain(m.joinRef()) && JsonFrames.isPlain(m.ref()) && JsonFrames.isPlain(m.topic())
                    && JsonFrames.isPlain(m.event())) {
                plain++;
            }
        }
        assertThat(plain).isGreaterThan(50);
    }

    private static String exact(Message m) {
        return Decoders.exact(m);
    }

    private static Message jacksonServer(String text) {
        return jackson(text, true);
    }

    private static Message jacksonClient(String text) {
        return jackson(text, false);
    }

    private static Message jackson(String text, boolean fromServer) {
        try {
            return V2Serializer.decodeTextWithJackson(text, fromServer);
        } catch (DecodeException e) {
            throw new AssertionError("Jackson refuses a frame the fast path decoded: " + text, e);
        }
    }
}
