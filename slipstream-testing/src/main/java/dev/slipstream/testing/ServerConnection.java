package dev.slipstream.testing;

import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One client websocket connection to a {@link FakePhoenixServer}, for tests to inspect and drive: its connect
 * params, joined topics and frame recording, and faults on demand. All methods are thread-safe and return without
 * waiting for the wire; what is sent after the connection closed goes nowhere (as on a real socket), which
 * {@link #isOpen()} tells beforehand.
 *
 * <pre>{@code
 * ServerConnection c = server.awaitConnection(Duration.ofSeconds(5));
 * c.push("room:1", "new_msg", Map.of("body", "hi"));
 * c.crashChannel("room:1");            // phx_error, the client rejoins
 * c.close(1012);                        // as a Phoenix drain does
 * }</pre>
 */
public interface ServerConnection {

    /** A server-unique id, such as {@code "conn-3"}. */
    String id();

    /** The connect request it was accepted with. */
    ConnectRequest request();

    /** The protocol version, {@code "1.0.0"} or {@code "2.0.0"}. */
    String vsn();

    /** The socket id given at connect, if any. */
    Optional<String> socketId();

    /** The connection's assigns, as the connect handler gave them (read-only). */
    Map<String, Object> assigns();

    /** The topics currently joined. */
    Set<String> joinedTopics();

    /** Whether the websocket is still open. */
    boolean isOpen();

    /** Every frame in and out so far, in order (empty when the server's recording is off). */
    List<RecordedFrame> recording();

    /**
     * Pushes to this connection: {@code [join_ref, null, topic, event, payload]} when the topic is joined, else
     * {@code [null, null, topic, event, payload]} as a broadcast would arrive.
     */
    void push(String topic, String event, Object payload);

    /** Sends any message, encoded with this connection's serializer. */
    void send(Message message);

    /** Sends a frame exactly as given, such as a malformed one. */
    void sendFrame(Frame frame);

    /** Sends a text frame that no Phoenix client can decode. */
    void sendMalformedFrame();

    /**
     * Sends {@code message} to the {@link ChannelHandler#handleInfo} of the channel joined to {@code topic}.
     *
     * @throws IllegalStateException when {@code topic} is not joined
     */
    void sendInfo(String topic, Object message);

    /**
     * Crashes the channel of {@code topic}: the client gets {@code phx_error}, terminate does not run.
     *
     * @throws IllegalStateException when {@code topic} is not joined
     */
    void crashChannel(String topic);

    /**
     * Stops the channel of {@code topic}: {@code phx_close}, then terminate ({@link TerminateReason#SHUTDOWN}).
     *
     * @throws IllegalStateException when {@code topic} is not joined
     */
    void stopChannel(String topic);

    /** Closes with a close frame carrying {@code code} and an empty reason. */
    void close(int code);

    /** Drops the TCP connection without a close frame (the client sees 1006). */
    void drop();

    /** Stops or resumes answering heartbeats on this connection. */
    void ignoreHeartbeats(boolean ignore);

    /**
     * Delays every reply to a push, leave or heartbeat on this connection by {@code delay} (zero to stop), so it
     * arrives after later pushes. Join replies are not delayed: a slow join is a {@link JoinResult#later}.
     */
    void delayReplies(Duration delay);
}
