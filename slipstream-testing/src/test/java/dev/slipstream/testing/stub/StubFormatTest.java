package dev.slipstream.testing.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading stub files: every kind of mistake fails at load naming the file, the JSON path and what is wrong. */
class StubFormatTest {

    private static String file(String channels) {
        return "{\"slipstream\":\"stubs/1\",\"channels\":[" + channels + "]}";
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"slipstream\":\"stubs/2\"}|$.slipstream|unsupported format \"stubs/2\"",
            "{\"channels\":[]}|$.slipstream|missing (required)",
            "{\"slipstream\":\"stubs/1\",\"chanels\":[]}|$.chanels|unknown field \"chanels\" (allowed: slipstream, unmatched, connect, channels)",
            "{\"slipstream\":\"stubs/1\",\"unmatched\":\"ignore\"}|$.unmatched|expected \"error\" or \"noreply\"",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"a*b\"}]}|$.channels[0].topic|a prefix ending in *",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"replay\":{}}]}]}|$.channels[0].events[0].replay|unknown field \"replay\"",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"payload\":{\"body\":{\"matches\":\"[a\"}}}]}]}|$.channels[0].events[0].payload.body.matches|bad regular expression",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"payload\":{\"body\":{\"like\":\"x\"}}}]}]}|$.channels[0].events[0].payload.body|a matcher object has exactly one of",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"reply\":{\"response\":{\"x\":\"{{paylod.x}}\"}}}]}]}|$.channels[0].events[0].reply.response.x|bad template {{paylod.x}}",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"reply\":{\"response\":\"{{topic\"}}]}]}|$.channels[0].events[0].reply.response|unclosed {{",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"reply\":{\"status\":\"fine\"}}]}]}|$.channels[0].events[0].reply.status|expected \"ok\" or \"error\"",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"noreply\":true,\"reply\":{}}]}]}|$.channels[0].events[0]|not both",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"reply\":{}}]}]}|$.channels[0].events[0].event|missing (required)",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"then\":[{\"push\":\"a\",\"broadcast\":\"b\"}]}]}]}|$.channels[0].join[0].then[0]|exactly one of \"push\", \"broadcast\" and \"broadcast_from\"",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"crash\":true,\"reply\":{}}]}]}|$.channels[0].events[0]|a crashing rule has no",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"stop\":true,\"then\":[{\"push\":\"a\"}]}]}]}|$.channels[0].events[0]|a stopping rule has no \"then\"",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"stop\":\"yes\"}]}]}|$.channels[0].events[0].stop|expected true or false",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"crash\":true,\"track\":{\"key\":\"k\"}}]}]}|$.channels[0].join[0]|a crashing join has no",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"reply\":{\"delay_ms\":5}}]}]}|$.channels[0].join[0].reply.delay_ms|a join reply cannot be delayed",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"reply\":{\"delay_ms\":-5}}]}]}|$.channels[0].events[0].reply.delay_ms|milliseconds >= 0",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"then\":[{\"push\":\"a\",\"delay_ms\":-1}]}]}]}|$.channels[0].join[0].then[0].delay_ms|milliseconds >= 0",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"track\":{\"meta\":{}}}]}]}|$.channels[0].join[0].track.key|missing (required)",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"volatile\":[\"id\"]}]}|$.channels[0].volatile[0]|starts with $",
            "{\"slipstream\":\"stubs/1\",\"connect\":[{\"params\":{}}]}|$.connect[0]|exactly one of \"accept\" and \"refuse\"",
            "{\"slipstream\":\"stubs/1\",\"connect\":[{\"refuse\":{\"status\":200}}]}|$.connect[0].refuse.status|400..599",
            "{\"slipstream\":\"stubs/1\",\"channels\":{}}|$.channels|expected an array, got object",
            "not json|$|not JSON",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"then\":[{\"push\":\"a\",\"before_reply\":true}]}]}]}|$.channels[0].join[0].then[0].before_reply|a join's pushes follow its reply",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"then\":[{\"push\":\"a\",\"delay_ms\":5,\"before_reply\":true}]}]}]}|$.channels[0].events[0].then[0].before_reply|cannot have a delay_ms",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"noreply\":true,\"then\":[{\"push\":\"a\",\"before_reply\":true}]}]}]}|$.channels[0].events[0].then[0].before_reply|only an event rule with a reply",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"events\":[{\"event\":\"e\",\"payload\":{\"id\":1},\"example\":{\"id\":2}}]}]}|$.channels[0].events[0].example|does not match this rule's condition on \"id\"",
            "{\"slipstream\":\"stubs/1\",\"channels\":[{\"topic\":\"t\",\"join\":[{\"example\":[1]}]}]}|$.channels[0].join[0].example|expected an object, got array",
            "{\"slipstream\":\"stubs/1\",\"connect\":[{\"params\":{\"user\":{\"matches\":\"a.*\"}},\"accept\":{},\"example\":{\"user\":\"bob\"}}]}|$.connect[0].example|does not match this rule's condition on \"user\"",
    })
    void mistakesNameFilePathAndProblem(String json, String path, String problem) {
        assertThatThrownBy(() -> Stubs.parse(json, "backend.json"))
                .isInstanceOfSatisfying(StubFormatException.class, e -> {
                    assertThat(e.source()).isEqualTo("backend.json");
                    assertThat(e.path()).isEqualTo(path);
                    assertThat(e.problem()).contains(problem);
                    assertThat(e.getMessage()).startsWith("backend.json at " + path + ": ");
                });
    }

    @Test
    void aFolderLoadsWholeOrNotAtAll(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.json"), file("{\"id\":\"a\",\"topic\":\"a:*\"}"));
        Files.writeString(dir.resolve("b.json"), file("{\"id\":\"b\",\"topic\":\"b:*\"}"));
        Files.writeString(dir.resolve("notes.txt"), "not a stub");
        Stubs stubs = Stubs.load(dir);
        assertThat(stubs.channels()).extracting(c -> c.get("id").asText()).containsExactly("a", "b");
        assertThat(stubs.handles("b:1")).isTrue();
        assertThat(stubs.handles("c:1")).isFalse();

        Files.writeString(dir.resolve("c.json"), file("{\"topic\":\"c:*\",\"oops\":1}"));
        assertThatThrownBy(() -> Stubs.load(dir.toString()))
                .isInstanceOf(StubFormatException.class)
                .hasMessageStartingWith(dir.resolve("c.json") + " at $.channels[0].oops: unknown field");
    }

    @Test
    void filesThatContradictEachOtherAndMissingPlacesAreErrors(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.json"), "{\"slipstream\":\"stubs/1\",\"unmatched\":\"noreply\"}");
        Files.writeString(dir.resolve("b.json"), "{\"slipstream\":\"stubs/1\",\"unmatched\":\"error\"}");
        assertThatThrownBy(() -> Stubs.load(dir)).hasMessageContaining("contradicts \"noreply\"");
        assertThatThrownBy(() -> Stubs.load(dir.resolve("missing"))).hasMessageContaining("no such file or folder");
        assertThatThrownBy(() -> Stubs.load("classpath:no/such/stubs/")).hasMessageContaining("no such resource");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> Stubs.load(empty)).hasMessageContaining("no stub files");
    }

    @Test
    void fileUrlsAndClasspathFilesLoad(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("one.json"), file("{\"id\":\"x\",\"topic\":\"x\"}"));
        assertThat(Stubs.load(f.toUri().toString()).handles("x")).isTrue();
        assertThat(Stubs.load("classpath:stubs/backend/20-rooms.json").handles("room:1")).isTrue();
    }

    @Test
    void runtimeChangesCheckTheirInputAndIds() {
        Stubs stubs = Stubs.parse(file("{\"id\":\"a\",\"topic\":\"a\"},{\"topic\":\"b\"}"), "s.json");
        assertThat(stubs.channels()).extracting(c -> c.get("id").asText()).containsExactly("a", "channel-1");
        assertThatThrownBy(() -> stubs.add("{\"id\":\"a\",\"topic\":\"z\"}")).hasMessageContaining("exists already");
        assertThatThrownBy(() -> stubs.add("{\"topic\":\"z\",\"join\":{}}"))
                .isInstanceOf(StubFormatException.class).hasMessage("added stub at $.join: expected an array, got object");
        assertThat(stubs.replace("nope", "{\"topic\":\"z\"}")).isFalse();
        assertThat(stubs.remove("a")).isTrue();
        assertThat(stubs.remove("a")).isFalse();
        assertThat(stubs.handles("a")).isFalse();
        stubs.reset();
        assertThat(stubs.handles("a")).isTrue();
    }

    /** The schema and the loader name the same fields, so neither can drift from the other. */
    @Test
    void theSchemaListsExactlyTheFieldsTheLoaderAllows() throws IOException {
        JsonNode schema;
        try (InputStream in = Stubs.class.getResourceAsStream("stubs-1.schema.json")) {
            schema = JsonCodec.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        JsonNode defs = schema.get("$defs");
        assertThat(names(schema.get("properties"))).isEqualTo(Rules.FILE_FIELDS);
        assertThat(names(defs.at("/connect/properties"))).isEqualTo(Rules.CONNECT_FIELDS);
        assertThat(names(defs.at("/connect/properties/accept/properties"))).isEqualTo(Rules.ACCEPT_FIELDS);
        assertThat(names(defs.at("/connect/properties/refuse/properties"))).isEqualTo(Rules.REFUSE_FIELDS);
        assertThat(names(defs.at("/channel/properties"))).isEqualTo(Rules.CHANNEL_FIELDS);
        assertThat(names(defs.at("/join/properties"))).isEqualTo(Rules.JOIN_FIELDS);
        assertThat(names(defs.at("/join/properties/track/properties"))).isEqualTo(Rules.TRACK_FIELDS);
        assertThat(names(defs.at("/event/properties"))).isEqualTo(Rules.EVENT_FIELDS);
        assertThat(names(defs.at("/reply/properties"))).isEqualTo(Rules.REPLY_FIELDS);
        assertThat(names(defs.at("/action/properties"))).isEqualTo(Rules.ACTION_FIELDS);
        assertThat(names(defs.at("/matcher/anyOf/0/properties"))).isEqualTo(Matcher.KINDS);
        assertThat(schema.at("/properties/slipstream/const").asText()).isEqualTo(Rules.FORMAT);
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
