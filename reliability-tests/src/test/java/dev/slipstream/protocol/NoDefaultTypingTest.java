package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jackson is used without default typing or polymorphic deserialisation of untrusted input: the one mapper of the
 * codec (shared by the client and the fake server) has no default typer, a payload carrying a type hint stays plain
 * JSON data end to end, and no main source of any module turns typing on. (This class sits in the codec's package
 * to read its package-private mapper.)
 */
@Timeout(60)
class NoDefaultTypingTest {

    private static final String HINTED = "{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"touch\",\"/tmp/pwned\"],"
            + "\"@type\":\"java.net.URL\",\"list\":[\"java.util.ArrayList\",[1,2]]}";

    @Test
    void theCodecsMapperHasNoDefaultTyping() {
        ObjectMapper mapper = JsonCodec.MAPPER;
        TypeFactory types = mapper.getTypeFactory();
        for (Class<?> c : List.of(Object.class, java.io.Serializable.class, Comparable.class, JsonNode.class)) {
            assertThat(mapper.getDeserializationConfig().getDefaultTyper(types.constructType(c)))
                    .as("default typer for reading %s", c).isNull();
            assertThat(mapper.getSerializationConfig().getDefaultTyper(types.constructType(c)))
                    .as("default typer for writing %s", c).isNull();
        }
        assertThat(mapper.getRegisteredModuleIds()).as("no modules that could add typing").isEmpty();
    }

    @Test
    void aTypeHintInAFrameIsJustData() {
        Message m = Serializer.v2().decodeFromServer(Frame.text(
                "[\"1\",null,\"room:a\",\"evil\"," + HINTED + "]"));
        JsonNode json = ((Payload.Json) m.payload()).json();
        assertThat(json.isObject()).isTrue();
        assertThat(json.get("@class").asText()).isEqualTo("java.lang.ProcessBuilder");
        assertThat(json.get("list").isArray()).isTrue();
        Message fromClient = Serializer.v1().decodeFromClient(Frame.text(
                "{\"topic\":\"room:a\",\"event\":\"evil\",\"payload\":" + HINTED + ",\"ref\":\"1\",\"join_ref\":null}"));
        assertThat(((Payload.Json) fromClient.payload()).json().get("@type").asText()).isEqualTo("java.net.URL");
        assertThat(Payload.json(HINTED).json().get("command").get(0).asText()).isEqualTo("touch");
    }

    @Test
    void aTypeHintSurvivesTheWireBothWaysAsPlainJson() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .channel("room:*", new dev.slipstream.testing.ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, dev.slipstream.testing.ChannelSocket s) {
                        return JoinResult.ok(params);
                    }

                    @Override
                    public HandleResult handleIn(String event, Payload payload, dev.slipstream.testing.ChannelSocket s) {
                        assertThat(payload).isInstanceOf(Payload.Json.class);
                        return HandleResult.ok(payload);
                    }
                })
                .start();
                SlipstreamClient client = SlipstreamClient.builder(server.socketUri()).build()) {
            client.connect().get(10, TimeUnit.SECONDS);
            Payload joined = client.join("room:a", Payload.json(HINTED)).get(10, TimeUnit.SECONDS);
            assertThat(((Payload.Json) joined).json().get("@class").asText()).isEqualTo("java.lang.ProcessBuilder");
            Payload.Reply reply = client.push("room:a", "evil", Payload.json(HINTED)).get(10, TimeUnit.SECONDS);
            JsonNode echoed = ((Payload.Json) reply.response()).json();
            assertThat(echoed.get("@type").asText()).isEqualTo("java.net.URL");
            assertThat(echoed.get("list").get(0).asText()).isEqualTo("java.util.ArrayList");
            assertThat(server.errors()).isEmpty();
        }
    }

    @Test
    void noMainSourceEnablesTypingOrPolymorphicReads() throws IOException {
        Pattern forbidden = Pattern.compile("activateDefaultTyping|enableDefaultTyping|setDefaultTyping"
                + "|@JsonTypeInfo|PolymorphicTypeValidator|ObjectMapper\\.DefaultTyping"
                + "|readValue\\([^;]*Object\\.class");
        int scanned = 0;
        for (String module : List.of("slipstream-client", "slipstream-testing", "slipstream-junit5", "examples")) {
            Path src = Path.of("..", module, "src", "main", "java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    String text = Files.readString(f);
                    assertThat(forbidden.matcher(text).find()).as("typing turned on in %s", f).isFalse();
                    scanned++;
                }
            }
        }
        assertThat(scanned).as("main sources scanned").isGreaterThan(30);
    }
}
