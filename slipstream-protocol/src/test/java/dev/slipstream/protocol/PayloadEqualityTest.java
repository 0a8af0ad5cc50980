package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** JSON payloads are equal when they are the same JSON value, however they were made. */
class PayloadEqualityTest {

    @Test
    void numbersAreEqualByValueAndKeysInAnyOrder() {
        ObjectNode byHand = JsonNodeFactory.instance.objectNode();
        byHand.put("n", 5L);
        byHand.put("x", new BigDecimal("1.50"));
        Payload.Json tree = Payload.json(byHand);
        Payload.Json decoded = Serializer.v2().decodeFromClient(
                Frame.text("[null,null,\"t\",\"e\",{\"x\":1.5,\"n\":5}]")).payload().asJson();
        assertThat(decoded).isEqualTo(tree);
        assertThat(tree).isEqualTo(decoded);
        assertThat(decoded.hashCode()).isEqualTo(tree.hashCode());
        assertThat(Payload.json("{\"n\":5.0}")).isEqualTo(Payload.json("{\"n\":5}"))
                .hasSameHashCodeAs(Payload.json("{\"n\":5}"));
        assertThat(Payload.json("[0, -0.0]")).isEqualTo(Payload.json("[0.0, 0]"));
    }

    @Test
    void differentValuesDiffer() {
        assertThat(Payload.json("{\"n\":5}")).isNotEqualTo(Payload.json("{\"n\":6}"));
        assertThat(Payload.json("{\"n\":\"5\"}")).isNotEqualTo(Payload.json("{\"n\":5}"));
        assertThat(Payload.json("[1,2]")).isNotEqualTo(Payload.json("[2,1]"));
        assertThat(Payload.json("{\"a\":{\"b\":null}}")).isNotEqualTo(Payload.json("{\"a\":{}}"));
    }
}
