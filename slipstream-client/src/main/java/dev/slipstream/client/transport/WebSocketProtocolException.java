package dev.slipstream.client.transport;

import java.net.ProtocolException;

/**
 * The server broke RFC 6455 on an open websocket (a masked frame, reserved bits, an unknown opcode, invalid UTF-8 in
 * a text message, a bad close code, ...). The transport has answered with a close frame carrying
 * {@link #closeCode()} and dropped the connection; the listener's {@code onError} receives this exception.
 *
 * <pre>{@code
 * public void onError(Throwable error) {
 *     if (error instanceof WebSocketProtocolException p && p.closeCode() == 1007) {
 *         log.warn("the server sent text that is not UTF-8: {}", p.getMessage());
 *     }
 * }
 * }</pre>
 */
public final class WebSocketProtocolException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int closeCode;

    /** A violation answered with {@code closeCode} (1002 protocol error, 1007 invalid payload data). */
    public WebSocketProtocolException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    /** The close code the transport sent to the server: 1002 (protocol error) or 1007 (invalid payload data). */
    public int closeCode() {
        return closeCode;
    }
}
