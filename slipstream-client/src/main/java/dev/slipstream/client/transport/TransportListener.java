package dev.slipstream.client.transport;

import dev.slipstream.protocol.Frame;

/**
 * Receives what a {@link TransportConnection} reads. Called one at a time, never concurrently, and must return
 * quickly: the client's implementation hands the frame to the client's owner, which applies it right there when idle
 * (its work never blocks and never runs user code) and else queues it.
 *
 * <pre>{@code
 * TransportListener listener = new TransportListener() {
 *     public void onFrame(Frame frame) { inbox.add(frame); }
 *     public void onClosed(int code, String reason) { inbox.add(Frame.text("closed " + code)); }
 *     public void onError(Throwable error) { error.printStackTrace(); }
 * };
 * }</pre>
 */
public interface TransportListener {

    /** A whole message (fragments already reassembled). */
    void onFrame(Frame frame);

    /** The connection closed with this close code and reason (1006 when the TCP link died without a close frame). */
    void onClosed(int code, String reason);

    /**
     * The connection failed (I/O error, or {@link MessageTooLargeException} after the transport closed the connection
     * with 1009). Final: no further calls follow.
     */
    void onError(Throwable error);
}
