package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Payload#of}, {@link Payload#as} and {@link Payload#mappedBy} on their own, without a connection. */
class PayloadTypesTest {

    record Tag(String name) {}

    record Msg(String body, List<Tag> tags) {}

    record Num(int n) {}

    @JsonIgnoreProperties({"blob"})
    record IdOnly(long id) {}

    static final class Opaque {}

    @Test
    void objectsBecomeJsonTextOnceAndMapBack() {
        Msg msg = new Msg("hi", List.of(new Tag("a")));
        Payload.Json p = Payload.of(msg);
        assertThat(p.text()).isEqualTo("{\"body\":\"hi\",\"tags\":[{\"name\":\"a\"}]}");
        assertThat(p.as(Msg.class)).isEqualTo(msg);
        assertThat(Payload.of(Map.of("n", 2)).as(Num.class)).isEqualTo(new Num(2));
        assertThat(Payload.of(List.of(new Tag("x"))).as(new TypeReference<List<Tag>>() {}))
                .containsExactly(new Tag("x"));
        // A tree is kept as the tree; a JSON payload is returned as it is.
        JsonNode tree = JsonCodec.parse("{\"n\":5}");
        assertThat(Payload.of(tree).json()).isSameAs(tree);
        assertThat(Payload.of(tree).as(Num.class)).isEqualTo(new Num(5));
        Payload.Json json = Payload.json("{\"n\":6}");
        assertThat(Payload.of(json)).isSameAs(json);
        // Unknown keys are ignored by the default mapper.
        assertThat(Payload.json("{\"n\":7,\"extra\":true}").as(Num.class)).isEqualTo(new Num(7));
    }

    @Test
    void whatCannotBeAJsonValueIsRefusedWithTheWayToSayIt() {
        assertThatThrownBy(() -> Payload.of("{\"n\":1}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Payload.json(text)");
        assertThatThrownBy(() -> Payload.of(new byte[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Payload.binary(bytes)");
        assertThatThrownBy(() -> Payload.of(Payload.binary(new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary payload");
        assertThatThrownBy(() -> Payload.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Payload.empty()");
        assertThatThrownBy(() -> Payload.of(new Opaque()))
                .isInstanceOfSatisfying(PayloadMappingException.class, e -> {
                    assertThat(e.isReading()).isFalse();
                    assertThat(e.type()).isEqualTo(Opaque.class);
                    assertThat(e.topic()).isNull();
                    assertThat(e.forMessage("room:1", "new_msg").getMessage())
                            .startsWith("cannot write a " + Opaque.class.getName()
                                    + " as the payload of \"new_msg\" on room:1: ");
                })
                .hasMessageStartingWith("cannot write a " + Opaque.class.getName() + " as the payload: ");
    }

    @Test
    void aMappingErrorNamesWhatItKnows() {
        assertThatThrownBy(() -> Payload.json("{\"n\":\"x\"}").as(Num.class))
                .isInstanceOf(PayloadMappingException.class)
                .hasMessageStartingWith("cannot map the payload to " + Num.class.getName() + " at $.n: ");
        assertThatThrownBy(() -> Payload.json("{\"n\":\"x\"}").mappedBy(JsonCodec.newObjectMapper(), "t:1", "e")
                .as(Num.class))
                .isInstanceOfSatisfying(PayloadMappingException.class, e -> {
                    assertThat(e.topic()).isEqualTo("t:1");
                    assertThat(e.event()).isEqualTo("e");
                    assertThat(e.path()).isEqualTo("$.n");
                    assertThat(e.getCause()).isInstanceOf(com.fasterxml.jackson.databind.JsonMappingException.class);
                });
        assertThatThrownBy(() -> Payload.binary(new byte[] {1, 2}).mappedBy(JsonCodec.newObjectMapper(), "t:1", "e")
                .as(Num.class))
                .isInstanceOf(PayloadMappingException.class)
                .hasMessage("cannot map the payload of \"e\" on t:1 to " + Num.class.getName()
                        + ": the payload is binary (2 bytes), not JSON; read it with asBinary()");
    }

    @Test
    void mappedBySharesTheTextAndMapsWithTheOtherMapper() {
        ObjectMapper snake = JsonCodec.newObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        record Person(String firstName) {}
        Payload.Json received = Payload.json("{\"first_name\":\"Ada\"}");
        Payload.Json bound = received.mappedBy(snake, "t", "e");
        assertThat(bound.text()).isSameAs(received.text());
        assertThat(bound).isEqualTo(received);
        assertThat(bound.as(Person.class)).isEqualTo(new Person("Ada"));
        assertThat(received.as(Person.class)).isEqualTo(new Person(null));
        assertThat(Payload.of(new Person("Bo"), snake).text()).isEqualTo("{\"first_name\":\"Bo\"}");
        assertThat(Payload.of(new Person("Bo"), snake).as(Person.class)).isEqualTo(new Person("Bo"));

        Payload.Reply reply = Payload.reply("ok", received).mappedBy(snake, "t", "e");
        assertThat(reply.as(Person.class)).isEqualTo(new Person("Ada"));
        assertThat(reply.response().as(Person.class)).isEqualTo(new Person("Ada"));
    }

    /**
     * Decoded from a frame and mapped into a record that ignores the large field by name: the decoder's slice is read
     * where it is. (Unknown properties, not named ones, of a record are buffered by Jackson: see the client README.)
     */
    @Test
    void aLargeDecodedPayloadMapsWithoutACopy() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()).isTrue();
        String blob = "y".repeat(4_000_000);
        Payload small = Serializer.v2()
                .decodeFromServer(Frame.text("[null,null,\"t\",\"e\",{\"id\":1,\"blob\":\"z\"}]")).payload();
        Payload large = Serializer.v2().decodeFromServer(
                Frame.text("[null,null,\"t\",\"e\",{\"blob\":\"" + blob + "\",\"id\":9}]")).payload();
        small.as(IdOnly.class);
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        IdOnly mapped = large.as(IdOnly.class);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(mapped).isEqualTo(new IdOnly(9));
        assertThat(allocated).as("bytes allocated mapping a 4 MB payload").isLessThan(200_000);
    }
}
