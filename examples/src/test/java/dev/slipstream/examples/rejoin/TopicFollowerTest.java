package dev.slipstream.examples.rejoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.junit5.SlipstreamTest;
import dev.slipstream.testing.script.ScriptedConnection;
import dev.slipstream.testing.script.ScriptedServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@SlipstreamTest
class TopicFollowerTest {

    @Test
    void followedTopicsAreJoinedAgainAfterAReconnectAndUnfollowedOnesAreNot(ScriptedServer server) {
        List<TopicFollower.Message> messages = new CopyOnWriteArrayList<>();
        try (TopicFollower follower = TopicFollower.start(SlipstreamClient.builder(server.uri()), messages::add)) {
            follower.follow("stocks:ACME"); // asked for before the connection is up
            ScriptedConnection first = server.acceptConnect();
            first.assertJoin("stocks:ACME").accept();

            // Followed later, from other threads.
            CompletableFuture.runAsync(() -> follower.follow("stocks:INIT")).join();
            first.assertJoin("stocks:INIT").accept();
            CompletableFuture.runAsync(() -> follower.follow("stocks:BOLT")).join();
            first.assertJoin("stocks:BOLT").accept();
            follower.unfollow("stocks:INIT");
            first.assertLeave("stocks:INIT");

            first.disconnect(); // the server ends the session; the client reconnects
            ScriptedConnection second = server.acceptConnect(Duration.ofSeconds(5));
            second.assertJoin("stocks:ACME").accept();
            second.assertJoin("stocks:BOLT").accept();
            second.refuteJoin("stocks:INIT");

            second.push("stocks:BOLT", "price", Map.of("usd", 7));
            await().atMost(Duration.ofSeconds(5)).until(() -> !messages.isEmpty());
            assertThat(messages.get(0).topic()).isEqualTo("stocks:BOLT");
            assertThat(follower.following()).containsExactlyInAnyOrder("stocks:ACME", "stocks:BOLT");
        }
    }

    @Test
    void aTopicFollowedWhileTheConnectionIsDownIsJoinedOnReconnect(ScriptedServer server) {
        try (TopicFollower follower = TopicFollower.start(SlipstreamClient.builder(server.uri()), m -> { })) {
            ScriptedConnection first = server.acceptConnect();
            server.server().refuseConnections(503);
            first.disconnect();
            await().atMost(Duration.ofSeconds(5)).until(() -> !follower.client().isConnected());

            follower.follow("stocks:NEW");
            server.server().acceptConnections();

            server.acceptConnect(Duration.ofSeconds(5)).assertJoin("stocks:NEW").accept();
        }
    }
}
