package dev.slipstream.testing.script;

import static dev.slipstream.testing.script.PayloadMatcher.any;
import static dev.slipstream.testing.script.PayloadMatcher.bytes;
import static dev.slipstream.testing.script.PayloadMatcher.json;
import static dev.slipstream.testing.script.PayloadMatcher.matching;
import static dev.slipstream.testing.script.PayloadMatcher.partial;
import static dev.slipstream.testing.script.PayloadMatcher.satisfying;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.protocol.Payload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadMatcherTest {
    private static final Payload MSG = Payload.json("{\"body\":\"hi\",\"n\":1,\"meta\":{\"a\":[1,2],\"b\":true}}");
    private static final Payload BIN = Payload.binary(new byte[] {1, 2, 3});

    record Greeting(String body, int n) {}

    @Test
    void equalJsonFromAMapTextARecordOrATree() {
        Payload flat = Payload.json("{\"n\":1,\"body\":\"hi\"}");
        assertThat(json(Map.of("body", "hi", "n", 1)).matches(flat)).isTrue();
        assertThat(json("{\"body\": \"hi\", \"n\": 1.0}").matches(flat)).isTrue();
        assertThat(json(new Greeting("hi", 1)).matches(flat)).isTrue();
        assertThat(json(Payload.json("{\"body\":\"hi\",\"n\":1}")).matches(flat)).isTrue();
        assertThat(json(Map.of("body", "hi")).matches(flat)).isFalse();
        assertThat(json(Map.of("body", "hi")).mismatch(flat)).isEqualTo("unexpected key /n = 1");
        assertThat(json(Map.of("body", "hi", "n", 2)).mismatch(flat)).isEqualTo("at /n expected 2 but was 1");
        assertThat(json(Map.of("body", "hi", "n", 1)).matches(BIN)).isFalse();
        assertThat(json(Map.of("n", 1)).mismatch(BIN)).startsWith("payload is binary, not JSON: <binary, 3 bytes:");
    }

    @Test
    void partialMatchesOnlyTheKeysGivenAtEveryDepth() {
        assertThat(partial(Map.of("body", "hi")).matches(MSG)).isTrue();
        assertThat(partial(Map.of("meta", Map.of("b", true))).matches(MSG)).isTrue();
        assertThat(partial(Map.of("meta", Map.of("a", List.of(1, 2)))).matches(MSG)).isTrue();
        assertThat(partial(Map.of("meta", Map.of("a", List.of(1)))).mismatch(MSG))
                .startsWith("at /meta/a expected an array of 1 but it has 2");
        assertThat(partial(Map.of("missing", 1)).mismatch(MSG)).isEqualTo("missing key /missing (expected 1)");
        assertThat(partial(Map.of("body", "hi")).description()).isEqualTo("containing {\"body\":\"hi\"}");
    }

    @Test
    void predicatesAndConsumers() {
        assertThat(matching("n is 1", p -> p.get("n").asInt() == 1).matches(MSG)).isTrue();
        assertThat(matching("has x", p -> p.get("x").asInt() == 1).matches(MSG)).isFalse();
        assertThat(matching("has x", p -> p.get("x").asInt() == 1).mismatch(MSG))
                .startsWith("\"has x\" threw java.lang.NullPointerException");
        PayloadMatcher startsWithHi = satisfying(p -> assertThat(p.get("body").asText()).startsWith("hi"));
        assertThat(startsWithHi.matches(MSG)).isTrue();
        PayloadMatcher startsWithYo = satisfying(p -> assertThat(p.get("body").asText()).startsWith("yo"));
        assertThat(startsWithYo.matches(MSG)).isFalse();
        assertThat(startsWithYo.mismatch(MSG)).startsWith("the assertions failed:").contains("\"hi\"").contains("yo");
        assertThat(startsWithYo.matches(BIN)).isFalse();
    }

    @Test
    void bytesAndAny() {
        assertThat(bytes(new byte[] {1, 2, 3}).matches(BIN)).isTrue();
        assertThat(json(new byte[] {1, 2, 3}).matches(BIN)).isTrue();
        assertThat(bytes(new byte[] {1, 2}).mismatch(BIN)).startsWith("expected 2 bytes but got 3");
        assertThat(bytes(new byte[] {1, 2, 3}).mismatch(MSG)).startsWith("payload is JSON, not binary");
        assertThat(any().matches(BIN)).isTrue();
        assertThat(any().matches(MSG)).isTrue();
    }

    @Test
    void aStringThatIsNotJsonIsRefusedWithAHint() {
        assertThatThrownBy(() -> json("hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("expected payload is a String, so it must be JSON text, but invalid JSON")
                .hasMessageContaining("pass it quoted");
        assertThat(json("\"hi\"").matches(Payload.json("\"hi\""))).isTrue();
    }

    @Test
    void expectedTextIsPrettyWithSortedKeys() {
        assertThat(json(Map.of("z", 1, "a", Map.of("y", 2, "b", 3))).expectedText())
                .isEqualToIgnoringNewLines("{  \"a\" : {    \"b\" : 3,    \"y\" : 2  },  \"z\" : 1}");
    }
}
