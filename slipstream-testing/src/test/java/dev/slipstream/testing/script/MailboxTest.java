package dev.slipstream.testing.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

/** The per-connection queue: selective takes, refutes, bounded waits that end early, and failure messages. */
@Timeout(10)
class MailboxTest {
    private final Mailbox mailbox = new Mailbox("connection #1");

    private static Message push(String event, String json) {
        return Message.of("1", "2", "room:1", event, Payload.json(json));
    }

    private static Expectation expectPush(String event, Object payload) {
        return new Expectation(Inbound.Kind.PUSH, "room:1", event, PayloadMatcher.json(payload));
    }

    @Test
    void takesTheFirstMatchLeavingOthersQueued() {
        mailbox.add(Message.heartbeat("1"), null);
        mailbox.add(push("a", "{\"n\":1}"), null);
        mailbox.add(push("b", "{\"n\":2}"), null);
        assertThat(mailbox.take(expectPush("b", Map.of("n", 2)), Duration.ofSeconds(1), "assertPush").seq).isEqualTo(3);
        assertThat(mailbox.take(expectPush("a", Map.of("n", 1)), Duration.ofSeconds(1), "assertPush").seq).isEqualTo(2);
        assertThat(mailbox.untaken(true)).extracting(e -> e.kind).containsExactly(Inbound.Kind.HEARTBEAT);
        assertThat(mailbox.untaken(false)).isEmpty();
    }

    @Test
    void wakesUpWhenTheEventArrives() {
        CompletableFuture<Inbound> taken = CompletableFuture.supplyAsync(
                () -> mailbox.take(expectPush("a", Map.of("n", 1)), Duration.ofSeconds(30), "assertPush"));
        mailbox.add(push("other", "{}"), null);
        mailbox.add(push("a", "{\"n\":1}"), null);
        assertThat(taken).succeedsWithin(Duration.ofSeconds(5)).extracting(e -> e.seq).isEqualTo(2);
    }

    @Test
    void aClosedConnectionEndsTheWaitAtOnce() {
        mailbox.close(1000, "closed by the client", false);
        // A 30 s timeout that must not be waited out: the class's @Timeout would fail the test.
        assertThatThrownBy(() -> mailbox.take(expectPush("a", Map.of()), Duration.ofSeconds(30), "assertPush"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("but connection #1 closed after")
                .hasMessageContaining("connection closed: closed by the client (code 1000)");
        mailbox.refute(expectPush("a", Map.of()), Duration.ofSeconds(30), "refutePush");
    }

    @Test
    void timeoutMessageHasTheClosestMatchFirstAndEveryEvent() {
        mailbox.add(push("a", "{\"n\":1}"), null);
        mailbox.add(push("b", "{\"n\":3}"), null);
        AssertionFailedError e = Assertions.assertThrows(AssertionFailedError.class,
                () -> mailbox.take(expectPush("b", Map.of("n", 2)), Duration.ofMillis(20), "assertPush"));
        assertThat(e.getMessage()).startsWith("assertPush failed: expected a push \"b\" on \"room:1\" with a payload "
                        + "equal to {\"n\":2} within 20 ms on connection #1, but it did not arrive.\n"
                        + "closest match: #2")
                .contains("at /n expected 2 but was 3")
                .contains("everything received on connection #1, in order (2 events):");
        assertThat(e.getExpected().getStringRepresentation()).isEqualToIgnoringNewLines(
                "push \"b\" on \"room:1\"{  \"n\" : 2}");
        assertThat(e.getActual().getStringRepresentation()).isEqualToIgnoringNewLines(
                "push \"b\" on \"room:1\"{  \"n\" : 3}");
    }

    @Test
    void refuteFailsOnAMatchAlreadyQueued() {
        mailbox.add(push("a", "{\"n\":1}"), null);
        assertThatThrownBy(() -> mailbox.refute(expectPush("a", Map.of("n", 1)), Duration.ofMillis(20), "refutePush"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("refutePush failed: expected no push \"a\" on \"room:1\" with a payload equal to "
                        + "{\"n\":1} on connection #1, but #1");
        mailbox.refute(expectPush("a", Map.of("n", 2)), Duration.ofMillis(20), "refutePush");
    }

    @Test
    void topicPatternsEndingInAStarMatchAPrefix() {
        mailbox.add(Message.of("1", "1", "room:42", "phx_join", Payload.empty()), null);
        Expectation anyRoom = new Expectation(Inbound.Kind.JOIN, "room:*", null, null);
        assertThat(anyRoom.describe()).isEqualTo("a join on a topic starting with \"room:\"");
        assertThat(mailbox.take(anyRoom, Duration.ofSeconds(1), "assertJoin").topic()).isEqualTo("room:42");
    }
}
