package dev.slipstream.testing;

import dev.slipstream.protocol.DecodeException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;

/**
 * Observes everything a {@link FakePhoenixServer} does, per connection: connects and refusals, every inbound message
 * (heartbeats, joins, leaves and pushes alike) before it is handled, every outbound message, and closes with their
 * code. For tools built on the server, such as a scripted mode or a JUnit extension.
 *
 * <p>Threading: connection events are delivered on that connection's serial executor, in wire order, so a listener
 * sees one connection's events one at a time. Keep listeners quick; an exception thrown by one is recorded in
 * {@link FakePhoenixServer#errors()} and does not disturb the connection.
 *
 * <pre>{@code
 * BlockingQueue<Message> joins = new LinkedBlockingQueue<>();
 * FakePhoenixServer server = FakePhoenixServer.builder()
 *         .listener(new ServerListener() {
 *             public void onInbound(ServerConnection c, Message m) {
 *                 if (m.event().equals("phx_join")) joins.add(m);
 *             }
 *         })
 *         .build();
 * }</pre>
 */
public interface ServerListener {

    /** A websocket connection opened (after the connect handler accepted it). */
    default void onOpen(ServerConnection connection) {}

    /** A connect was refused with an HTTP status (by the connect handler, vsn, origin, or a refusal fault). */
    default void onRefused(ConnectRequest request, int status) {}

    /** A message arrived from the client, before the server handles it. */
    default void onInbound(ServerConnection connection, Message message) {}

    /** A frame arrived that does not decode; the server closes the connection with 1011 right after. */
    default void onUndecodable(ServerConnection connection, Frame frame, DecodeException error) {}

    /** A message is being sent to the client. */
    default void onOutbound(ServerConnection connection, Message message) {}

    /**
     * The connection closed.
     *
     * @param code the close code sent or received, 1006 when the TCP connection ended without a close frame
     * @param byServer whether the server closed it (idle timeout, disconnect, a fault, 1011, shutdown)
     */
    default void onClose(ServerConnection connection, int code, boolean byServer) {}
}
