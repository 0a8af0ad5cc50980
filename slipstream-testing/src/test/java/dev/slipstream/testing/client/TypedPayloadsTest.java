package dev.slipstream.testing.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.slipstream.client.ClientModule;
import dev.slipstream.client.ReceivedMessage;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.SyncClient;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.PayloadMappingException;
import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.demo.DemoChannels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Typed payloads end to end: records and generic types written by the client's mapper, sent over real loopback
 * websockets to the fake server's demo channels ({@code echo} replies with what it got, {@code push_back} pushes it
 * back as {@code pushed}), and mapped back with {@link Payload#as}; a custom mapper; mapping errors that name the
 * topic, event, type and path; the sync client and the module callbacks; and a large payload mapped without a copy.
 */
@Timeout(60)
class TypedPayloadsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    record Tag(String name, int weight) {}

    record Msg(String body, List<Tag> tags) {}

    record RoomParams(String user, long lastSeen) {}

    record Joined(String joined, RoomParams params) {}

    record Page<T>(List<T> items, int total) {}

    record Num(int n) {}

    /**
     * A bean that keeps only {@code id}. A bean, not a record: Jackson buffers the unknown properties of a type built
     * through its constructor (a record) in case the constructor needs them, which would copy the large field.
     */
    static final class IdOnly {
        public long id;
    }

    record Price(BigDecimal amount, String currency) {}

    record Order(String customerName, Price unitPrice) {}

    record Auth(String userId, String device) {}

    /** A value Jackson cannot write: no properties (FAIL_ON_EMPTY_BEANS). */
    static final class Opaque {}

    private FakePhoenixServer server;
    private final List<ConnectRequest> connects = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() {
        server = DemoChannels.install(FakePhoenixServer.builder())
                .connectHandler(request -> {
                    connects.add(request);
                    return ConnectResult.accept();
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        server.close();
    }

    private SlipstreamClient.Builder builder() {
        return SlipstreamClient.builder(server.socketUri()).pushTimeout(WAIT).connectTimeout(WAIT);
    }

    private SyncClient sync(SlipstreamClient.Builder b) {
        SyncClient sync = SyncClient.create(b, 100);
        toClose.add(sync);
        sync.connect();
        return sync;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void recordsGoOutAndComeBackThroughTheFutures() throws Exception {
        SlipstreamClient client = builder().build();
        toClose.add(client);
        await(client.connect());

        Payload response = await(client.join("echo:lobby", new RoomParams("u1", 41)));
        assertThat(response.as(Joined.class)).isEqualTo(new Joined("echo:lobby", new RoomParams("u1", 41)));

        Msg sent = new Msg("hi", List.of(new Tag("a", 1), new Tag("b", 2)));
        Payload.Reply reply = await(client.push("echo:lobby", "echo", sent));
        assertThat(reply.isOk()).isTrue();
        assertThat(reply.as(Msg.class)).isEqualTo(sent);
        assertThat(reply.response().as(Msg.class)).isEqualTo(sent);
        // On the wire it is plain JSON, as a phoenix.js user would have written by hand.
        assertThat(reply.response().asJson().text())
                .isEqualTo("{\"body\":\"hi\",\"tags\":[{\"name\":\"a\",\"weight\":1},{\"name\":\"b\",\"weight\":2}]}");

        // A Payload still goes as it is, and so does a Map.
        assertThat(await(client.push("echo:lobby", "echo", Payload.json("{\"n\":3}"))).as(Num.class))
                .isEqualTo(new Num(3));
        assertThat(await(client.push("echo:lobby", "echo", Map.of("n", 4))).as(Num.class)).isEqualTo(new Num(4));
    }

    @Test
    void nestedGenericsMapThroughATypeReference() throws Exception {
        SyncClient sync = sync(builder());
        sync.join("echo:lobby");
        Page<Tag> page = new Page<>(List.of(new Tag("x", 9), new Tag("y", 8)), 2);
        Payload.Reply reply = sync.push("echo:lobby", "echo", page);
        assertThat(reply.as(new TypeReference<Page<Tag>>() {})).isEqualTo(page);

        Map<String, List<Tag>> byUser = Map.of("u1", List.of(new Tag("z", 1)));
        sync.push("echo:lobby", "push_back", byUser);
        ReceivedMessage pushed = sync.awaitMessage("echo:lobby", "pushed", WAIT);
        assertThat(pushed.payload().as(new TypeReference<Map<String, List<Tag>>>() {})).isEqualTo(byUser);
    }

    @Test
    void aCustomMapperWritesAndReadsWithItsModuleAndNamingStrategy() throws Exception {
        SimpleModule money = new SimpleModule()
                .addSerializer(Price.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(Price p, JsonGenerator g, SerializerProvider s) throws IOException {
                        g.writeString(p.amount().toPlainString() + " " + p.currency());
                    }
                })
                .addDeserializer(Price.class, new JsonDeserializer<>() {
                    @Override
                    public Price deserialize(JsonParser p, DeserializationContext c) throws IOException {
                        String[] parts = p.getValueAsString().split(" ");
                        return new Price(new BigDecimal(parts[0]), parts[1]);
                    }
                });
        ObjectMapper mapper = JsonCodec.newObjectMapper()
                .registerModule(money)
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        SyncClient sync = sync(builder().objectMapper(mapper).params(new Auth("u7", "phone")));
        assertThat(sync.async().objectMapper()).isSameAs(mapper);

        // Connect params from a record, written by the client's mapper (snake_case keys).
        assertThat(connects.get(0).params()).containsEntry("user_id", "u7").containsEntry("device", "phone");

        sync.join("echo:orders");
        Order order = new Order("Ada", new Price(new BigDecimal("12.50"), "EUR"));
        Payload.Reply reply = sync.push("echo:orders", "echo", order);
        assertThat(reply.response().asJson().text()).isEqualTo("{\"customer_name\":\"Ada\",\"unit_price\":\"12.50 EUR\"}");
        assertThat(reply.as(Order.class)).isEqualTo(order);

        // What arrives as a push or broadcast maps with the same mapper.
        server.broadcast("echo:orders", "new_order", Map.of("customer_name", "Bo", "unit_price", "3 USD"));
        ReceivedMessage m = sync.awaitMessage("echo:orders", "new_order", WAIT);
        assertThat(m.payload().as(Order.class)).isEqualTo(new Order("Bo", new Price(new BigDecimal("3"), "USD")));
        // The same text with the default mapper does not know the naming strategy: the difference is the client's.
        assertThat(m.payload().mappedBy(JsonCodec.newObjectMapper(), null, null).as(Auth.class))
                .isEqualTo(new Auth(null, null));
    }

    @Test
    void aMappingFailureNamesTopicEventTypeAndPath() throws Exception {
        SyncClient sync = sync(builder());
        sync.join("echo:lobby");

        sync.push("echo:lobby", "push_back", Map.of("n", "not a number"));
        ReceivedMessage pushed = sync.awaitMessage("echo:lobby", "pushed", WAIT);
        assertThatThrownBy(() -> pushed.payload().as(Num.class))
                .isInstanceOfSatisfying(PayloadMappingException.class, e -> {
                    assertThat(e.topic()).isEqualTo("echo:lobby");
                    assertThat(e.event()).isEqualTo("pushed");
                    assertThat(e.type()).isEqualTo(Num.class);
                    assertThat(e.path()).isEqualTo("$.n");
                    assertThat(e.isReading()).isTrue();
                })
                .hasMessageStartingWith("cannot map the payload of \"pushed\" on echo:lobby to "
                        + Num.class.getName() + " at $.n: ")
                .hasMessageContaining("not a number");

        // A reply's response names the event of the push it answers; a path into a list names the index.
        Payload.Reply reply = sync.push("echo:lobby", "echo",
                Map.of("body", "b", "tags", List.of(Map.of("name", "a", "weight", 1), Map.of("weight", "heavy"))));
        assertThatThrownBy(() -> reply.as(Msg.class))
                .isInstanceOf(PayloadMappingException.class)
                .hasMessageStartingWith("cannot map the payload of \"echo\" on echo:lobby to " + Msg.class.getName()
                        + " at $.tags[1].weight: ");
        assertThatThrownBy(() -> reply.as(new TypeReference<List<Tag>>() {}))
                .isInstanceOf(PayloadMappingException.class)
                .hasMessageContaining("to java.util.List<" + Tag.class.getName() + ">");

        // Binary has no JSON to map: a typed error, not a ClassCastException.
        sync.push("echo:lobby", "binary_push", Payload.binary(new byte[] {1, 2, 3}));
        ReceivedMessage binary = sync.awaitMessage("echo:lobby", "binary_pushed", WAIT);
        assertThatThrownBy(() -> binary.payload().as(Num.class))
                .isInstanceOf(PayloadMappingException.class)
                .hasMessage("cannot map the payload of \"binary_pushed\" on echo:lobby to " + Num.class.getName()
                        + ": the payload is binary (3 bytes), not JSON; read it with asBinary()");

        // A value the mapper cannot write fails the push at once, on the caller's thread, naming the message.
        assertThatThrownBy(() -> sync.push("echo:lobby", "echo", new Opaque()))
                .isInstanceOfSatisfying(PayloadMappingException.class, e -> {
                    assertThat(e.isReading()).isFalse();
                    assertThat(e.type()).isEqualTo(Opaque.class);
                })
                .hasMessageStartingWith("cannot write a " + Opaque.class.getName()
                        + " as the payload of \"echo\" on echo:lobby: ");
        // JSON text passed as an Object would travel as a JSON string: refused with the way to say it.
        assertThatThrownBy(() -> sync.push("echo:lobby", "echo", "{\"n\":1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"echo\" on echo:lobby").hasMessageContaining("Payload.json(text)");
        // Connect params that are no JSON object are refused when the client is built.
        assertThatThrownBy(() -> builder().params(List.of("a")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connect params must be a Map or an object that maps to a JSON object");
    }

    @Test
    void moduleCallbacksAndTheSyncClientGetTheSameTypedAccess() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        ClientModule module = new ClientModule() {
            @Override
            public void joined(SlipstreamClient client, String topic, Payload response) {
                seen.add(response.as(Joined.class));
            }

            @Override
            public void message(SlipstreamClient client, String topic, String event, Payload payload) {
                seen.add(payload.as(Msg.class));
            }

            @Override
            public void reply(SlipstreamClient client, String topic, String ref, Payload.Reply reply) {
                seen.add(reply.as(Num.class));
            }
        };
        SyncClient sync = sync(builder().module(module));
        Payload joinResponse = sync.join("echo:room", new RoomParams("u2", 0));
        assertThat(joinResponse.as(Joined.class).params()).isEqualTo(new RoomParams("u2", 0));
        assertThat(sync.push("echo:room", "echo", new Num(5)).as(Num.class)).isEqualTo(new Num(5));

        Msg hello = new Msg("hello", List.of());
        sync.push("echo:room", "push_back", hello);
        ReceivedMessage m = sync.awaitMessage("echo:room", "pushed", p -> p.as(Msg.class).body().equals("hello"), WAIT);
        assertThat(m.payload().as(Msg.class)).isEqualTo(hello);
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(seen)
                .contains(new Joined("echo:room", new RoomParams("u2", 0)), new Num(5), hello));
    }

    /**
     * A 4 MB payload, received over the websocket, mapped into a type that keeps one field of it: Jackson reads the
     * payload text where it is, so mapping allocates a small fraction of its size. Building the tree of the same
     * payload (what mapping through {@code json()} would cost) allocates more than its size, which shows the
     * measurement would see a copy.
     */
    @Test
    void aLargePayloadMapsWithoutASecondCopy() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()).isTrue();

        SyncClient sync = sync(builder());
        sync.join("echo:big");
        String blob = "x".repeat(4_000_000);
        server.broadcast("echo:big", "small", Map.of("id", 1, "blob", "warm-up"));
        server.broadcast("echo:big", "large", Map.of("id", 7, "blob", blob));
        Payload small = sync.awaitMessage("echo:big", "small", WAIT).payload();
        Payload large = sync.awaitMessage("echo:big", "large", WAIT).payload();
        int size = large.asJson().text().length();
        assertThat(size).isGreaterThan(4_000_000);
        small.as(IdOnly.class); // the type's deserializer is built once, outside the measurement

        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        IdOnly mapped = large.as(IdOnly.class);
        long mapping = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(mapped.id).isEqualTo(7);

        before = threads.getThreadAllocatedBytes(tid);
        large.asJson().json();
        long tree = threads.getThreadAllocatedBytes(tid) - before;

        assertThat(mapping).as("bytes allocated mapping a %d-character payload", size).isLessThan(size / 20);
        assertThat(tree).as("bytes allocated building its tree").isGreaterThan(size);
    }
}
