package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.fixtures.Fixtures;
import dev.slipstream.junit5.support.Engine;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

/**
 * Each scripted helper, when it fails, fails its test with a message that says what was expected, how long it
 * waited and what did arrive (closest match first), as an {@link AssertionFailedError} with expected and actual.
 */
@Timeout(60)
class HelperFailureMessagesTest {
    private static Map<String, Throwable> failures;

    @BeforeAll
    static void runFixture() {
        var results = Engine.run(Fixtures.HELPER_FAILURES,
                SlipstreamExtension.ASSERT_TIMEOUT_PROPERTY, "300 ms",
                SlipstreamExtension.REFUTE_TIMEOUT_PROPERTY, "100 ms");
        results.testEvents().assertStatistics(s -> s.succeeded(0));
        failures = Engine.failures(results);
    }

    private static AssertionFailedError failure(String test) {
        assertThat(failures).containsKey(test);
        Throwable t = failures.get(test);
        assertThat(t).isInstanceOf(AssertionFailedError.class);
        return (AssertionFailedError) t;
    }

    @Test
    void everyTestFailed() {
        assertThat(failures).hasSize(18);
    }

    @Test
    void assertPushNamesTheClosestMatchAndEveryFrame() {
        AssertionFailedError e = failure("assertPushWrongPayload");
        assertThat(e.getMessage())
                .startsWith("assertPush failed: expected a push \"new_msg\" on \"room:lobby\" with a payload equal to "
                        + "{\"body\":\"hi\"} within 300 ms on connection #1")
                .contains("closest match: #2  ")
                .contains("[\"1\",\"2\",\"room:lobby\",\"new_msg\",{\"body\":\"hello\"}]")
                .contains("at /body expected \"hi\" but was \"hello\"")
                .contains("everything received on connection #1")
                .contains("#1  ").contains("phx_join").contains("(taken by assertJoin)")
                .contains("#3  ").contains("[null,\"3\",\"phoenix\",\"heartbeat\",{}]");
        assertThat(e.getMessage().indexOf("closest match")).isLessThan(e.getMessage().indexOf("everything received"));
        assertThat(e.isExpectedDefined()).isTrue();
        assertThat(e.getExpected().getStringRepresentation()).contains("push \"new_msg\" on \"room:lobby\"")
                .contains("\"body\" : \"hi\"");
        assertThat(e.getActual().getStringRepresentation()).contains("push \"new_msg\" on \"room:lobby\"")
                .contains("\"body\" : \"hello\"");
    }

    @Test
    void assertPushWithAnotherEvent() {
        assertThat(failure("assertPushWrongEvent").getMessage())
                .contains("with a payload containing {\"body\":\"hi\"}")
                .contains("event is \"edit_msg\", not \"new_msg\"");
    }

    @Test
    void assertPushWithAConsumerShowsItsAssertion() {
        assertThat(failure("assertPushConsumer").getMessage())
                .contains("with a payload satisfying the given assertions")
                .contains("the assertions failed:")
                .contains("\"yo\"")
                .contains("hi");
    }

    @Test
    void assertPushWithAPredicate() {
        assertThat(failure("assertPushPredicate").getMessage())
                .contains("with a payload matching \"n is even\"")
                .contains("\"n is even\" is false for {\"n\":1}");
    }

    @Test
    void assertPushOfBytes() {
        assertThat(failure("assertPushBytes").getMessage())
                .contains("with a payload equal to <binary, 3 bytes: 01 02 03>")
                .contains("bytes differ at index 2: expected 03 but was 04");
    }

    @Test
    void assertPushSaysWhenAnEarlierAssertionTookTheFrame() {
        assertThat(failure("assertPushAlreadyTaken").getMessage())
                .contains("no push arrived that the test had not taken yet")
                .contains("note: #2 matches, but assertPush already took it.");
    }

    @Test
    void refutePushShowsWhatArrived() {
        AssertionFailedError e = failure("refutePush");
        assertThat(e.getMessage()).startsWith("refutePush failed: expected no push \"new_msg\" on \"room:lobby\" on "
                + "connection #1").contains("[\"1\",\"2\",\"room:lobby\",\"new_msg\",{\"body\":\"hi\"}]");
    }

    @Test
    void assertJoinShowsTheParamsThatDiffer() {
        AssertionFailedError e = failure("assertJoinWrongParams");
        assertThat(e.getMessage()).startsWith("assertJoin failed: expected a join on \"room:lobby\" with params equal "
                + "to {\"user\":\"u1\"} within 300 ms").contains("at /user expected \"u1\" but was \"u2\"");
        assertThat(e.getActual().getStringRepresentation()).contains("\"user\" : \"u2\"");
    }

    @Test
    void refuteJoin() {
        assertThat(failure("refuteJoin").getMessage()).startsWith("refuteJoin failed: expected no join on "
                + "\"room:lobby\"");
    }

    @Test
    void assertLeave() {
        assertThat(failure("assertLeave").getMessage())
                .startsWith("assertLeave failed: expected a leave on \"room:lobby\" within 300 ms")
                .contains("no leave arrived");
    }

    @Test
    void refuteLeave() {
        assertThat(failure("refuteLeave").getMessage()).startsWith("refuteLeave failed: expected no leave on "
                + "\"room:lobby\"").contains("phx_leave");
    }

    @Test
    void assertHeartbeat() {
        assertThat(failure("assertHeartbeat").getMessage())
                .startsWith("assertHeartbeat failed: expected a heartbeat within 300 ms");
    }

    @Test
    void assertDisconnectTellsAServerCloseApart() {
        assertThat(failure("assertDisconnectButServerClosed").getMessage())
                .startsWith("assertDisconnect failed: expected the client to close the connection, but connection #1")
                .contains("closed after")
                .contains("the server closed the connection (code 1001), not the client");
    }

    @Test
    void refuteDisconnect() {
        assertThat(failure("refuteDisconnect").getMessage())
                .startsWith("refuteDisconnect failed: expected the client not to close the connection")
                .contains("connection closed: closed by the client (code 1000)");
    }

    @Test
    void acceptConnectWithoutAClient() {
        assertThat(failure("acceptConnectWithoutClient").getMessage())
                .startsWith("acceptConnect failed: expected a client to connect to ws://127.0.0.1:")
                .contains("within 300 ms, but no new connect attempt arrived")
                .contains("no connect attempts so far.");
    }

    @Test
    void refuteConnect() {
        assertThat(failure("refuteConnect").getMessage())
                .startsWith("refuteConnect failed: expected no connect attempt within 10000 ms, but #1 params "
                        + "{vsn=2.0.0}");
    }

    @Test
    void anAssertionBeforeAnyAcceptedConnectSaysWhatToDo() {
        assertThat(failure("assertionWithoutAcceptedConnection").getMessage())
                .startsWith("no client connection is open on ws://")
                .contains("1 connect attempt(s) wait for the test to decide; call acceptConnect() (or connectAndJoin) "
                        + "first");
    }

    @Test
    void assertNoMoreEventsListsWhatIsLeft() {
        assertThat(failure("assertNoMoreEvents").getMessage())
                .startsWith("assertNoMoreEvents failed: 1 event on connection #1 (conn-1, vsn 2.0.0) not taken by any "
                        + "assertion:")
                .contains("typing");
    }
}
