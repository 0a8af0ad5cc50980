package dev.slipstream.testing;

/**
 * Decides whether a websocket connect is accepted, like Phoenix's {@code UserSocket.connect/3}. Runs on a worker
 * thread of the server, never on an I/O thread; return {@link ConnectResult#later} to decide asynchronously. A handler
 * that throws refuses the connect with HTTP 500 and the exception is recorded in {@link FakePhoenixServer#errors()}.
 *
 * <pre>{@code
 * FakePhoenixServer server = FakePhoenixServer.builder()
 *         .connectHandler(request -> request.param("token") == null
 *                 ? ConnectResult.reject()
 *                 : ConnectResult.accept().withSocketId("user_socket:" + request.param("token")))
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface ConnectHandler {
    /** The handler every server has unless told otherwise: accept everything, no socket id. */
    ConnectHandler ACCEPT_ALL = request -> ConnectResult.accept();

    /** Decides on one connect. */
    ConnectResult connect(ConnectRequest request);
}
