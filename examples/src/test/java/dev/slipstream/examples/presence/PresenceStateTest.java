package dev.slipstream.examples.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cases of phoenix.js's presence_test.js for syncState and syncDiff, on {@link PresenceState}. */
class PresenceStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the callbacks as "join key current->joined" and "leave key current<-left" strings. */
    private static final class Recorder implements PresenceState.Callbacks {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onJoin(String key, ObjectNode current, ObjectNode joined) {
            calls.add("join " + key + " " + current + " " + joined);
        }

        @Override
        public void onLeave(String key, ObjectNode current, ObjectNode left) {
            calls.add("leave " + key + " " + current + " " + left);
        }
    }

    @Test
    void syncStateOnEmptyStateJoinsEverybody() {
        Recorder r = new Recorder();
        PresenceState s = PresenceState.empty().syncState(json("{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}"), r);

        assertThat(s.keys()).containsExactly("u1");
        assertThat(r.calls).containsExactly("join u1 null {\"metas\":[{\"id\":1,\"phx_ref\":\"1\"}]}");
    }

    @Test
    void syncStateJoinsNewcomersAndLeavesThoseWhoAreGone() {
        PresenceState before = PresenceState.empty().syncState(json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'}]},'u2':{'metas':[{'id':2,'phx_ref':'2'}]}}"),
                PresenceState.Callbacks.NONE);
        Recorder r = new Recorder();

        PresenceState after = before.syncState(json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'}]},'u3':{'metas':[{'id':3,'phx_ref':'3'}]}}"), r);

        assertThat(after.keys()).containsExactly("u1", "u3");
        assertThat(r.calls).containsExactly(
                "join u3 null {\"metas\":[{\"id\":3,\"phx_ref\":\"3\"}]}",
                "leave u2 {\"metas\":[]} {\"metas\":[{\"id\":2,\"phx_ref\":\"2\"}]}");
        assertThat(before.keys()).as("the old state is untouched").containsExactly("u1", "u2");
    }

    @Test
    void syncStateReportsOnlyTheNewMetasOfAKeyAlreadyOnline() {
        PresenceState before = PresenceState.empty().syncState(json("{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}"),
                PresenceState.Callbacks.NONE);
        Recorder r = new Recorder();

        PresenceState after = before.syncState(json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'},{'id':1,'phx_ref':'1.2'}]}}"), r);

        assertThat(r.calls).containsExactly("join u1 {\"metas\":[{\"id\":1,\"phx_ref\":\"1\"}]} "
                + "{\"metas\":[{\"id\":1,\"phx_ref\":\"1.2\"}]}");
        assertThat(after.get("u1").get("metas")).hasSize(2);
    }

    @Test
    void syncDiffOnEmptyStateAddsTheJoins() {
        PresenceState s = PresenceState.empty().syncDiff(json(
                "{'joins':{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}},'leaves':{}}"), PresenceState.Callbacks.NONE);
        assertThat(s.list()).hasSize(1);
        assertThat(s.get("u1")).isEqualTo(json("{'metas':[{'id':1,'phx_ref':'1'}]}"));
    }

    @Test
    void syncDiffRemovesAKeyWhoseMetasBecomeEmpty() {
        PresenceState s = PresenceState.empty().syncState(json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'}]},'u2':{'metas':[{'id':2,'phx_ref':'2'}]}}"),
                PresenceState.Callbacks.NONE);
        s = s.syncDiff(json("{'joins':{},'leaves':{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}}"),
                PresenceState.Callbacks.NONE);
        assertThat(s.keys()).containsExactly("u2");
    }

    @Test
    void syncDiffAddsMetasKeepingTheOldOnesFirst() {
        PresenceState s = PresenceState.empty().syncState(json("{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}"),
                PresenceState.Callbacks.NONE);
        s = s.syncDiff(json("{'joins':{'u1':{'metas':[{'id':1,'phx_ref':'1.2'}]}},'leaves':{}}"),
                PresenceState.Callbacks.NONE);
        assertThat(s.get("u1")).isEqualTo(json("{'metas':[{'id':1,'phx_ref':'1'},{'id':1,'phx_ref':'1.2'}]}"));
    }

    @Test
    void syncDiffRemovesOneMetaAndKeepsTheKey() {
        PresenceState s = PresenceState.empty().syncState(json(
                "{'u1':{'metas':[{'id':1,'phx_ref':'1'},{'id':1,'phx_ref':'1.2'}]}}"), PresenceState.Callbacks.NONE);
        Recorder r = new Recorder();
        s = s.syncDiff(json("{'joins':{},'leaves':{'u1':{'metas':[{'id':1,'phx_ref':'1'}]}}}"), r);
        assertThat(s.get("u1")).isEqualTo(json("{'metas':[{'id':1,'phx_ref':'1.2'}]}"));
        assertThat(r.calls).containsExactly("leave u1 {\"metas\":[{\"id\":1,\"phx_ref\":\"1.2\"}]} "
                + "{\"metas\":[{\"id\":1,\"phx_ref\":\"1\"}]}");
    }

    @Test
    void anUpdateIsAJoinAndALeaveOfTheSameKeyInOneDiff() {
        PresenceState s = PresenceState.empty().syncState(json("{'u1':{'metas':[{'status':'away','phx_ref':'1'}]}}"),
                PresenceState.Callbacks.NONE);
        s = s.syncDiff(json("{'joins':{'u1':{'metas':[{'status':'online','phx_ref':'2','phx_ref_prev':'1'}]}},"
                + "'leaves':{'u1':{'metas':[{'status':'away','phx_ref':'1'}]}}}"), PresenceState.Callbacks.NONE);
        assertThat(s.get("u1")).isEqualTo(json("{'metas':[{'status':'online','phx_ref':'2','phx_ref_prev':'1'}]}"));
    }

    @Test
    void extraFieldsNextToMetasAreKept() {
        PresenceState s = PresenceState.empty().syncState(json(
                "{'u1':{'metas':[{'phx_ref':'1'}],'user':{'name':'Ada'}}}"), PresenceState.Callbacks.NONE);
        assertThat(s.get("u1").get("user").get("name").asText()).isEqualTo("Ada");
    }

    @Test
    void malformedPayloadsAreRefusedNamingTheCulprit() {
        assertThatThrownBy(() -> PresenceState.empty().syncState(json("[1]"), PresenceState.Callbacks.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("presence_state");
        assertThatThrownBy(() -> PresenceState.empty().syncState(json("{'u1':{'nometas':1}}"),
                PresenceState.Callbacks.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"u1\"");
        assertThatThrownBy(() -> PresenceState.empty().syncDiff(json("{'joins':[]}"), PresenceState.Callbacks.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("joins");
    }
}
