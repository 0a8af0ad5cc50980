package dev.slipstream.testing.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.Presence;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.script.ScriptedServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Slipstream's client presence against phoenix.js's own {@code Presence} (npm {@code phoenix} 1.8.16, the version
 * the conformance suite pins) on the same recorded sequences ({@code src/test/resources/presence-sequences}). Node
 * runs phoenix.js on each sequence ({@code src/test/js/presence-sequences.js}); the same sequence is played to our
 * client by the scripted fake server over a real websocket (a later {@code join} step is a dropped connection, a
 * reconnect and a rejoin). Both must report the same {@code onJoin}/{@code onLeave}/{@code onSync} calls, with the
 * same arguments and lists, and end with the same {@code list()}.
 */
class PresenceAgainstPhoenixJsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String TOPIC = "room:lobby";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestFactory
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // covers finding Node and `npm ci` on a cold npm cache
    Stream<DynamicTest> sameCallsAndListsAsPhoenixJs() throws Exception {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        Path sequences = module.resolve("src/test/resources/presence-sequences");
        NodeProject project = NodeProject.prepare(module.resolve("src/test/js"), module.resolve("target/phoenix-js"));
        NodeProject.ProcessResult run = NodeProject.run(List.of(project.node().toString(), "presence-sequences.js",
                "--dir", sequences.toString()), project.dir(), Duration.ofMinutes(1),
                project.dir().resolve("presence-sequences.log"));
        Map<String, JsonNode> phoenixJs = new LinkedHashMap<>();
        for (String line : (Iterable<String>) run.output().lines()::iterator) {
            if (line.startsWith("SEQUENCE ")) {
                JsonNode result = JSON.readTree(line.substring("SEQUENCE ".length()));
                phoenixJs.put(result.path("name").asText(), result);
            }
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(sequences)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("sequence files").hasSizeGreaterThanOrEqualTo(8);
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            JsonNode sequence = JSON.readTree(file.toFile());
            JsonNode expected = phoenixJs.get(sequence.path("name").asText());
            if (expected == null || expected.has("error")) {
                fail("phoenix.js did not run sequence " + file.getFileName() + ": "
                        + (expected == null ? run.output() : expected.path("error").asText()));
            }
            compare(sequence, expected, playToSlipstream(sequence));
        }));
    }

    private static void compare(JsonNode sequence, JsonNode phoenixJs, JsonNode ours) {
        String name = sequence.path("name").asText();
        if (sequence.has("phoenixJsDiffers")) {
            assertThat(ours.get("list")).as("Slipstream's list for " + name).isEqualTo(sequence.get("expectedList"));
            assertThat(phoenixJs.get("list")).as("phoenix.js's list for " + name + " (if this fails, phoenix.js now "
                    + "agrees with Slipstream: drop phoenixJsDiffers)").isNotEqualTo(ours.get("list"));
            return;
        }
        List<String> ourCalls = lines(ours.get("calls"));
        List<String> theirCalls = lines(phoenixJs.get("calls"));
        assertThat(ourCalls).as("callbacks of " + name + " (Slipstream, then phoenix.js)").isEqualTo(theirCalls);
        assertThat(ours.get("list")).as("final list of " + name).isEqualTo(phoenixJs.get("list"));
    }

    /** One call per line, so a failure shows which call differs (JsonNode equality, object keys in any order). */
    private static List<String> lines(JsonNode calls) {
        List<String> lines = new ArrayList<>();
        calls.forEach(c -> lines.add(canonical(c)));
        return lines;
    }

    private static String canonical(JsonNode node) {
        try {
            return JSON.copy().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS,
                    true).writeValueAsString(JSON.treeToValue(node, Object.class));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Plays {@code sequence} from the scripted server to a real client and records what its Presence reports. */
    private static JsonNode playToSlipstream(JsonNode sequence) throws Exception {
        List<JsonNode> calls = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (ScriptedServer server = ScriptedServer.start();
                SlipstreamClient client = SlipstreamClient.builder(server.uri()).module(new ClientModule() {
                    @Override
                    public void message(SlipstreamClient c, String topic, String event, Payload payload) {
                        if (event.equals("sequence_done")) {
                            done.complete(null);
                        }
                    }
                }).build()) {
            Presence presence = client.presence(TOPIC);
            presence.onJoin((key, current, joined) -> calls.add(NODES.arrayNode().add("join").add(key)
                    .add(current == null ? NullNode.getInstance() : current.json()).add(joined.json())));
            presence.onLeave((key, current, left) -> calls.add(NODES.arrayNode().add("leave").add(key)
                    .add(current.json()).add(left.json())));
            presence.onSync(() -> calls.add(NODES.arrayNode().add("sync").add(list(presence))));
            boolean joined = false;
            for (JsonNode step : sequence.get("steps")) {
                if (step.path("join").asBoolean()) {
                    if (!joined) {
                        client.connect();
                        client.join(TOPIC);
                        server.connectAndJoin(TOPIC);
                        joined = true;
                    } else {
                        server.disconnect(); // the client reconnects and rejoins by itself
                        server.acceptConnect(WAIT);
                        server.assertJoin(TOPIC, Map.of(), WAIT).accept();
                    }
                } else {
                    requireSortedKeys(step.get("payload"), sequence.path("name").asText());
                    server.push(TOPIC, step.get("event").asText(), step.get("payload"));
                }
            }
            server.push(TOPIC, "sequence_done", Map.of());
            done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            ArrayNode recorded = NODES.arrayNode();
            calls.forEach(recorded::add);
            return NODES.objectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("calls", recorded)
                    .set("list", list(presence));
        }
    }

    private static ArrayNode list(Presence presence) {
        ArrayNode list = NODES.arrayNode();
        presence.list((key, entry) -> NODES.arrayNode().add(key).add(entry.json())).forEach(list::add);
        return list;
    }

    /**
     * The fake server writes small maps with sorted keys, as Phoenix does, while Node reads the file's order: a
     * sequence must therefore be written sorted for both clients to receive the same order.
     */
    private static void requireSortedKeys(JsonNode payload, String sequence) {
        List<JsonNode> maps = new ArrayList<>(List.of(payload));
        maps.add(payload.path("joins"));
        maps.add(payload.path("leaves"));
        for (JsonNode map : maps) {
            List<String> keys = new ArrayList<>();
            map.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as("keys of a payload in sequence " + sequence + " must be written sorted").isSorted();
        }
    }
}
