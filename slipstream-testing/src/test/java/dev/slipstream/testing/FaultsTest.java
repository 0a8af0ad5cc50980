package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.demo.DemoChannels;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults on demand, and driving the server from outside any channel. */
@Timeout(30)
class FaultsTest {
    private static final String JOIN = "[\"1\",\"1\",\"echo:a\",\"phx_join\",{}]";
    private static final String JOINED =
            "[\"1\",\"1\",\"echo:a\",\"phx_reply\",{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"}]";
    private static final String HEARTBEAT = "[null,\"9\",\"phoenix\",\"heartbeat\",{}]";
    private static final String HEARTBEAT_REPLY = "[null,\"9\",\"phoenix\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]";

    private final FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).build().start();

    @AfterEach
    void tearDown() {
        server.close();
    }

    private ServerConnection only() throws Exception {
        return server.awaitConnection(WsClient.WAIT);
    }

    @Test
    void dropEndsTheConnectionWithoutACloseFrame() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            only().drop();
            assertThat(c.next()).isEqualTo("closed code=1006");
        }
        await().atMost(WsClient.WAIT).until(() -> server.connections().isEmpty());
    }

    @Test
    void closeWithAChosenCode() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            only().close(1012);
            assertThat(c.next()).isEqualTo("closed code=1012");
        }
    }

    @Test
    void heartbeatsCanBeIgnoredAndResumed() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            server.ignoreHeartbeats(true);
            c.send(HEARTBEAT);
            c.expectNothing(Duration.ofMillis(200));
            server.ignoreHeartbeats(false);
            only().ignoreHeartbeats(true);
            c.send(HEARTBEAT);
            c.expectNothing(Duration.ofMillis(200));
            only().ignoreHeartbeats(false);
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
        }
    }

    @Test
    void delayedRepliesArriveLateAndAfterLaterPushes() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN, JOINED);
            only().delayReplies(Duration.ofMillis(300));
            c.send("[\"1\",\"2\",\"echo:a\",\"echo\",{}]");
            server.broadcast("echo:a", "meanwhile", Map.of());
            c.expect("[null,null,\"echo:a\",\"meanwhile\",{}]",
                    "[\"1\",\"2\",\"echo:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]");
        }
    }

    @Test
    void refuseWith403ThenAcceptAgain() throws Exception {
        server.refuseConnections(403);
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(403);
        server.refuseConnections(503);
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(503);
        server.acceptConnections();
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
        }
    }

    @Test
    void refuseAtTheTcpLevelKeepsOpenConnections() throws Exception {
        try (WsClient open = WsClient.connect(server, "vsn=2.0.0")) {
            server.refuseConnectionsTcp();
            assertThatThrownBy(() -> WsClient.connect(server, "vsn=2.0.0"))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ConnectException.class);
            open.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            server.acceptConnections();
            try (WsClient again = WsClient.connect(server, "vsn=2.0.0")) {
                again.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            }
        }
    }

    @Test
    void timedRefusalEndsByItself() throws Exception {
        server.refuseConnections(403, Duration.ofMillis(200));
        assertThat(WsClient.refusedStatus(URI.create(server.uri() + "?vsn=2.0.0"))).isEqualTo(403);
        await().atMost(WsClient.WAIT).ignoreExceptions().until(() -> {
            try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
                return true;
            }
        });
    }

    @Test
    void stopAndStartAgainOnTheSamePort() throws Exception {
        int port = server.port();
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            server.stop();
            assertThat(c.next()).isEqualTo("closed code=1006");
        }
        assertThatThrownBy(() -> WsClient.connect(server, "vsn=2.0.0")).hasCauseInstanceOf(ConnectException.class);
        server.start();
        assertThat(server.port()).isEqualTo(port);
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            server.stop(1012);
            assertThat(c.next()).isEqualTo("closed code=1012");
        }
    }

    @Test
    void malformedFrameAndRawMessages() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            only().sendMalformedFrame();
            assertThat(c.next()).isEqualTo("this is not a phoenix frame");
            only().send(dev.slipstream.protocol.Message.of("x", "y", "t", "e",
                    dev.slipstream.protocol.Payload.json("{\"b\":1,\"a\":0}")));
            c.expect("[\"x\",\"y\",\"t\",\"e\",{\"a\":0,\"b\":1}]");
        }
    }

    @Test
    void crashAndStopAChannelFromOutside() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN, JOINED);
            only().crashChannel("echo:a");
            c.expect("[\"1\",\"1\",\"echo:a\",\"phx_error\",{\"reason\":\"channel_crash\"}]");
            c.exchange("[\"2\",\"2\",\"echo:a\",\"phx_join\",{}]",
                    "[\"2\",\"2\",\"echo:a\",\"phx_reply\",{\"response\":{\"joined\":\"echo:a\",\"params\":{}},\"status\":\"ok\"}]");
            only().stopChannel("echo:a");
            c.expect("[\"2\",\"2\",\"echo:a\",\"phx_close\",{}]");
            await().atMost(WsClient.WAIT).until(() -> only().joinedTopics().isEmpty());
            assertThatThrownBy(() -> only().crashChannel("echo:a")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has not joined \"echo:a\"");
            assertThatThrownBy(() -> only().sendInfo("echo:zz", "x")).isInstanceOf(IllegalStateException.class);
        }
        assertThat(server.errors()).isEmpty();
    }

    @Test
    void pushToOneConnectionAndListTopics() throws Exception {
        try (WsClient a = WsClient.connect(server, "vsn=2.0.0&user_id=a");
             WsClient b = WsClient.connect(server, "vsn=2.0.0&user_id=b")) {
            a.exchange(JOIN, JOINED);
            ServerConnection ca = server.awaitConnection(c -> c.socketId().equals(java.util.Optional.of("user_socket:a")),
                    WsClient.WAIT);
            await().atMost(WsClient.WAIT).until(() -> ca.joinedTopics().contains("echo:a"));
            assertThat(ca.assigns()).containsEntry("user_id", "a");
            assertThat(ca.request().param("vsn")).isEqualTo("2.0.0");
            ca.push("echo:a", "only_you", Map.of("x", 1));
            ca.push("elsewhere", "unjoined", Map.of());
            a.expect("[\"1\",null,\"echo:a\",\"only_you\",{\"x\":1}]", "[null,null,\"elsewhere\",\"unjoined\",{}]");
            b.expectNothing(Duration.ofMillis(50));
            assertThat(server.connections()).hasSize(2);
        }
    }

    @Test
    void recordingListsEveryFrameInOrder() throws Exception {
        try (WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.exchange(JOIN, JOINED);
            c.exchange(HEARTBEAT, HEARTBEAT_REPLY);
            ServerConnection conn = only();
            await().atMost(WsClient.WAIT).until(() -> conn.recording().size() == 4);
            assertThat(conn.recording()).extracting(RecordedFrame::direction, RecordedFrame::text).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(RecordedFrame.Direction.IN, JOIN),
                    org.assertj.core.groups.Tuple.tuple(RecordedFrame.Direction.OUT, JOINED),
                    org.assertj.core.groups.Tuple.tuple(RecordedFrame.Direction.IN, HEARTBEAT),
                    org.assertj.core.groups.Tuple.tuple(RecordedFrame.Direction.OUT, HEARTBEAT_REPLY));
            assertThat(conn.recording().get(1).at()).isAfterOrEqualTo(conn.recording().get(0).at());
            assertThat(conn.recording().get(0).message().event()).isEqualTo("phx_join");
        }
    }

    @Test
    void awaitConnectionIsBounded() {
        assertThatThrownBy(() -> server.awaitConnection(Duration.ofMillis(50)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("no matching connection");
    }
}
