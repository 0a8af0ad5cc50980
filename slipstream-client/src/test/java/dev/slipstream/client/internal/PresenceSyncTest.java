package dev.slipstream.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cases of phoenix.js's presence_test.js for syncState and syncDiff, the JavaScript key order, and the held
 * diffs of {@link TopicPresence}. The same rules are checked against phoenix.js itself on recorded sequences in
 * slipstream-testing ({@code PresenceAgainstPhoenixJsTest}).
 */
class PresenceSyncTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ObjectNode> state = new LinkedHashMap<>();
    private final List<PresenceSync.Change> changes = new ArrayList<>();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The changes as "join key current joined" and "leave key current left" strings. */
    private List<String> calls() {
        return changes.stream().map(c -> (c.join() ? "join " : "leave ") + c.key() + " " + c.current() + " "
                + c.delta()).toList();
    }

    @Test
    void syncStateOnEmptyStateJoinsEverybody() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}"), changes);

        assertThat(PresenceSync.keys(state)).containsExactly("u1");
        assertThat(calls()).containsExactly("join u1 null {\"metas\":[{\"id\":1,\"phx_ref\":\"1\"}]}");
    }

    @Test
    void syncStateJoinsNewcomersAndLeavesThoseWhoAreGone() {
        PresenceSync.syncState(state, json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'}]},'u2':{'metas':[{'id':2,'phx_ref':'2'}]}}"), new ArrayList<>());
        Map<String, ObjectNode> before = new LinkedHashMap<>(state);

        PresenceSync.syncState(state, json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'}]},'u3':{'metas':[{'id':3,'phx_ref':'3'}]}}"), changes);

        assertThat(PresenceSync.keys(state)).containsExactly("u1", "u3");
        assertThat(calls()).containsExactly(
                "join u3 null {\"metas\":[{\"id\":3,\"phx_ref\":\"3\"}]}",
                "leave u2 {\"metas\":[]} {\"metas\":[{\"id\":2,\"phx_ref\":\"2\"}]}");
        assertThat(before.get("u2").get("metas")).as("stored presences are never mutated").hasSize(1);
    }

    @Test
    void syncStateReportsOnlyTheNewMetasOfAKeyAlreadyOnline() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}"), new ArrayList<>());

        PresenceSync.syncState(state, json("{'u1':{'metas':[{'id':1,'phx_ref':'1'},{'id':1,'phx_ref':'1.2'}]}}"),
                changes);

        assertThat(calls()).containsExactly("join u1 {\"metas\":[{\"id\":1,\"phx_ref\":\"1\"}]} "
                + "{\"metas\":[{\"id\":1,\"phx_ref\":\"1.2\"}]}");
        assertThat(state.get("u1").get("metas")).hasSize(2);
    }

    @Test
    void syncDiffAddsMetasKeepingTheOldOnesFirst() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}"), changes);
        PresenceSync.syncDiff(state, json("{'joins':{'u1':{'metas':[{'id':1,'phx_ref':'1.2'}]}},'leaves':{}}"),
                changes);
        assertThat(state.get("u1")).isEqualTo(json("{'metas':[{'id':1,'phx_ref':'1'},{'id':1,'phx_ref':'1.2'}]}"));
    }

    @Test
    void syncDiffRemovesOneMetaAndKeepsTheKeyThenTheLastAndDropsIt() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'id':1,'phx_ref':'1'},{'id':1,'phx_ref':'1.2'}]}}"),
                new ArrayList<>());

        PresenceSync.syncDiff(state, json("{'joins':{},'leaves':{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}}"), changes);
        assertThat(state.get("u1")).isEqualTo(json("{'metas':[{'id':1,'phx_ref':'1.2'}]}"));
        PresenceSync.syncDiff(state, json("{'joins':{},'leaves':{'u1':{'metas':[{'id':1,'phx_ref':'1.2'}]}}}"),
                changes);

        assertThat(state).isEmpty();
        assertThat(calls()).containsExactly(
                "leave u1 {\"metas\":[{\"id\":1,\"phx_ref\":\"1.2\"}]} {\"metas\":[{\"id\":1,\"phx_ref\":\"1\"}]}",
                "leave u1 {\"metas\":[]} {\"metas\":[{\"id\":1,\"phx_ref\":\"1.2\"}]}");
    }

    @Test
    void anUpdateIsAJoinAndALeaveOfTheSameKeyInOneDiff() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'status':'away','phx_ref':'1'}]}}"), changes);
        PresenceSync.syncDiff(state, json("{'joins':{'u1':{'metas':[{'status':'online','phx_ref':'2',"
                + "'phx_ref_prev':'1'}]}},'leaves':{'u1':{'metas':[{'status':'away','phx_ref':'1'}]}}}"), changes);
        assertThat(state.get("u1")).isEqualTo(json("{'metas':[{'status':'online','phx_ref':'2','phx_ref_prev':'1'}]}"));
    }

    @Test
    void aLeaveOfAKeyNobodyKnowsIsIgnoredAndFieldsNextToMetasAreKept() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'phx_ref':'1'}],'user':{'name':'Ada'}}}"), changes);
        PresenceSync.syncDiff(state, json("{'joins':{},'leaves':{'ghost':{'metas':[{'phx_ref':'9'}]}}}"), changes);
        assertThat(state.get("u1").get("user").get("name").asText()).isEqualTo("Ada");
        assertThat(calls()).hasSize(1);
    }

    @Test
    void keysFollowJavaScriptPropertyOrderArrayIndicesFirst() {
        PresenceSync.syncState(state, json("{'b':{'metas':[]},'10':{'metas':[]},'a':{'metas':[]},'9':{'metas':[]},"
                + "'09':{'metas':[]},'4294967295':{'metas':[]},'4294967294':{'metas':[]}}"), changes);

        assertThat(PresenceSync.keys(state))
                .containsExactly("9", "10", "4294967294", "b", "a", "09", "4294967295");
        assertThat(changes).extracting(PresenceSync.Change::key)
                .containsExactly("9", "10", "4294967294", "b", "a", "09", "4294967295");
    }

    @Test
    void malformedPayloadsAreRefusedNamingTheCulpritAndChangeNothing() {
        PresenceSync.syncState(state, json("{'u1':{'metas':[{'phx_ref':'1'}]}}"), changes);
        assertThatThrownBy(() -> PresenceSync.syncState(state, json("[1]"), changes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("presence_state");
        assertThatThrownBy(() -> PresenceSync.syncState(state, json("{'u2':{'nometas':1}}"), changes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"u2\"");
        assertThatThrownBy(() -> PresenceSync.syncDiff(state, json("{'joins':[]}"), changes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("joins");
        assertThatThrownBy(() -> PresenceSync.syncDiff(state, json("{'joins':{},'leaves':{'u1':{'metas':{}}}}"),
                changes)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaves");
        assertThat(PresenceSync.keys(state)).containsExactly("u1");
        assertThat(changes).hasSize(1);
    }

    @Test
    void diffsBeforeTheStateOfTheCurrentJoinAreHeldThenAppliedAfterIt() {
        TopicPresence presence = new TopicPresence();

        assertThat(presence.onDiff("1", json("{'joins':{'me':{'metas':[{'phx_ref':'r1'}]}},'leaves':{}}"), changes))
                .isFalse();
        assertThat(presence.heldDiffs()).isEqualTo(1);
        assertThat(presence.onState("1", json("{'ann':{'metas':[{'phx_ref':'r0'}]},'me':{'metas':[{'phx_ref':'r1'}]}}"),
                changes)).isTrue();

        assertThat(presence.heldDiffs()).isZero();
        assertThat(presence.snapshot()).extracting(Map.Entry::getKey).containsExactly("ann", "me");
        assertThat(presence.snapshot().get(1).getValue().get("metas")).as("the held join did not duplicate r1")
                .hasSize(1);
        // A rejoin (join_ref 5): diffs wait again for that join's state.
        assertThat(presence.onDiff("5", json("{'joins':{},'leaves':{'ann':{'metas':[{'phx_ref':'r0'}]}}}"), changes))
                .isFalse();
    }

    @Test
    void aDiffHeldUnderAnOlderJoinIsDroppedWhenANewerJoinsStateArrives() {
        TopicPresence presence = new TopicPresence();
        presence.onDiff("1", json("{'joins':{'me':{'metas':[{'phx_ref':'old'}]}},'leaves':{}}"), changes);

        presence.onState("5", json("{'me':{'metas':[{'phx_ref':'new'}]}}"), changes);

        assertThat(presence.snapshot().get(0).getValue()).isEqualTo(json("{'metas':[{'phx_ref':'new'}]}"));
    }

    @Test
    void aMalformedDiffIsRefusedBeforeItIsHeld() {
        TopicPresence presence = new TopicPresence();
        assertThatThrownBy(() -> presence.onDiff("1", json("{'joins':1}"), changes))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(presence.heldDiffs()).isZero();
    }
}
