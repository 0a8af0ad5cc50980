package dev.slipstream.testing.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipstream.client.event.ClientEventListener;
import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.PayloadMappingException;
import dev.slipstream.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scripted server reads what our client sent, over a real websocket, as the test's own types: connect params and
 * headers from the {@link ConnectAttempt}, join params from the {@link Join}, push payloads from the {@link Push}.
 */
@Timeout(60)
class TypedScriptTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    record Auth(String token, String device) {}

    record RoomParams(String user, long lastSeen) {}

    record Item(String sku, int qty) {}

    record Order(String id, List<Item> items) {}

    record Stored(long orderNo) {}

    record Batch<T>(String id, List<T> items) {}

    @Test
    void whatTheClientSentIsReadAsTheTestsOwnTypes() throws Exception {
        try (ScriptedServer server = ScriptedServer.builder().assertTimeout(WAIT).start();
                SlipstreamClient client = SlipstreamClient.builder(server.uri())
                        .params(new Auth("t1", "phone"))
                        .header("User-Agent", "typed-test/1.0")
                        .pushTimeout(WAIT)
                        .eventListener(ClientEventListener.onCallbackFailure(server::reportFailure))
                        .build()) {
            CompletableFuture<Void> connected = client.connect();
            ConnectAttempt attempt = server.assertConnect();
            assertThat(attempt.params()).containsEntry("token", "t1").containsEntry("device", "phone")
                    .containsEntry("vsn", "2.0.0");
            assertThat(attempt.param("token")).isEqualTo("t1");
            assertThat(attempt.headers()).containsKey("user-agent");
            assertThat(attempt.header("User-Agent")).hasValue("typed-test/1.0");
            assertThat(attempt.params()).isEqualTo(attempt.request().params());
            attempt.accept();
            assertThat(connected).succeedsWithin(WAIT);

            CompletableFuture<Payload> joined = client.join("shop:1", new RoomParams("u1", 41));
            Join join = server.assertJoin("shop:1");
            assertThat(join.params(RoomParams.class)).isEqualTo(new RoomParams("u1", 41));
            assertThat(join.params(new TypeReference<Map<String, Object>>() {})).containsEntry("lastSeen", 41);
            ScriptedChannel shop = join.accept(Map.of("welcome", true));
            assertThat(joined).succeedsWithin(WAIT);

            Order order = new Order("o-1", List.of(new Item("apple", 3), new Item("pear", 1)));
            CompletableFuture<Payload.Reply> reply = client.push("shop:1", "place", order);
            Push push = shop.assertPush("place");
            assertThat(push.payload(Order.class)).isEqualTo(order);
            assertThat(push.payload(new TypeReference<Batch<Item>>() {}).items())
                    .containsExactly(new Item("apple", 3), new Item("pear", 1));
            assertThatThrownBy(() -> push.payload(new TypeReference<List<Item>>() {}))
                    .isInstanceOf(PayloadMappingException.class)
                    .hasMessageStartingWith("cannot map the payload of \"place\" on shop:1 to java.util.List<"
                            + Item.class.getName() + ">: ");
            push.reply(Reply.ok(new Stored(1001)));
            assertThat(reply).succeedsWithin(WAIT)
                    .satisfies(r -> assertThat(r.as(Stored.class).orderNo()).isEqualTo(1001));
            assertThat(server.takeFailures()).isEmpty();
        }
    }
}
