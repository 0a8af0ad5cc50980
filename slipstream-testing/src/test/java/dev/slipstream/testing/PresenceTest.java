package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.testing.demo.DemoChannels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Presence diffs and state with Phoenix.Presence's exact shapes. */
@Timeout(30)
class PresenceTest {
    private final FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).build().start();

    @AfterEach
    void tearDown() {
        server.close();
        assertThat(server.errors()).isEmpty();
    }

    private static JsonNode payload(String frame) {
        return JsonCodec.parse(frame).get(4);
    }

    @Test
    void updateIsOneDiffWithJoinAndLeaveAndListShowsTheNewMeta() throws Exception {
        try (WsClient a = WsClient.connect(server, "vsn=2.0.0")) {
            a.send("[\"1\",\"1\",\"presence:r\",\"phx_join\",{\"user_id\":\"ann\"}]");
            a.expect("[\"1\",\"1\",\"presence:r\",\"phx_reply\",{\"response\":{\"joined\":\"presence:r\",\"key\":\"ann\"},\"status\":\"ok\"}]");
            JsonNode ownJoin = payload(a.next());
            String ref = ownJoin.at("/joins/ann/metas/0/phx_ref").asText();
            assertThat(ref).matches("[A-Za-z0-9_-]{16}");
            JsonNode state = payload(a.next());
            assertThat(state.at("/ann/metas/0/phx_ref").asText()).isEqualTo(ref);

            a.send("[\"1\",\"2\",\"presence:r\",\"update_meta\",{\"status\":\"away\"}]");
            String diffFrame = a.next();
            assertThat(diffFrame).startsWith("[null,null,\"presence:r\",\"presence_diff\",{\"joins\":{\"ann\":{\"metas\":[{\"phx_ref\":\"");
            JsonNode diff = payload(diffFrame);
            JsonNode joined = diff.at("/joins/ann/metas/0");
            assertThat(joined.get("phx_ref_prev").asText()).isEqualTo(ref);
            assertThat(joined.get("phx_ref").asText()).isNotEqualTo(ref).matches("[A-Za-z0-9_-]{16}");
            assertThat(joined.get("status").asText()).isEqualTo("away");
            assertThat(diff.at("/leaves/ann/metas/0/phx_ref").asText()).isEqualTo(ref);
            assertThat(diff.at("/leaves/ann/metas/0").has("status")).isFalse();
            // atoms (phx_ref, phx_ref_prev) before the application's keys, then sorted
            assertThat(diffFrame).contains("{\"phx_ref\":\"" + joined.get("phx_ref").asText() + "\",\"phx_ref_prev\":\""
                    + ref + "\",\"online_at\":");
            a.expect("[\"1\",\"2\",\"presence:r\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");

            a.send("[\"1\",\"3\",\"presence:r\",\"list\",{}]");
            JsonNode list = payload(a.next()).get("response");
            assertThat(list.at("/ann/metas")).hasSize(1);
            assertThat(list.at("/ann/metas/0/status").asText()).isEqualTo("away");
            assertThat(JsonCodec.parse(JsonCodec.write(server.presenceList("presence:r")))).isEqualTo(list);
        }
    }

    @Test
    void anonymousKeysAndTwoConnectionsOfOneKeyGiveTwoMetas() throws Exception {
        try (WsClient a = WsClient.connect(server, "vsn=2.0.0&user_id=u");
             WsClient b = WsClient.connect(server, "vsn=2.0.0&user_id=u");
             WsClient anon = WsClient.connect(server, "vsn=2.0.0")) {
            a.send("[\"1\",\"1\",\"presence:x\",\"phx_join\",{}]");
            a.next();
            a.next();
            a.next();
            b.send("[\"1\",\"1\",\"presence:x\",\"phx_join\",{}]");
            b.next();
            b.next();
            JsonNode state = payload(b.next());
            assertThat(state.at("/u/metas")).hasSize(2);
            anon.send("[\"1\",\"1\",\"presence:x\",\"phx_join\",{}]");
            assertThat(anon.next()).matches(".*\"key\":\"anon-\\d+\".*");
            anon.next(); // its own diff
            anon.next(); // its presence_state: its join diff has gone out to everyone
            b.closeNormally();
            b.awaitClose();
            a.next(); // b's join
            a.next(); // anon's join
            JsonNode leave = payload(a.next());
            assertThat(leave.get("joins")).isEmpty();
            assertThat(leave.at("/leaves/u/metas")).hasSize(1);
        }
    }
}
