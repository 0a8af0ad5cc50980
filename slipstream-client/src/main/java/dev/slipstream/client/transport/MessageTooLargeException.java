package dev.slipstream.client.transport;

import java.io.IOException;

/**
 * An inbound message was larger than the configured maximum; the transport closed the connection with 1009
 * (message too big), as Phoenix itself does for frames over its {@code max_frame_size}.
 *
 * <pre>{@code
 * SlipstreamClient client = SlipstreamClient.builder(uri).maxMessageBytes(1024 * 1024).build();
 * // a 2 MiB message then ends the connection with Disconnected(reason MESSAGE_TOO_LARGE)
 * }</pre>
 */
public final class MessageTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final int limit;

    /** A message of at least {@code size} bytes met a {@code limit}. */
    public MessageTooLargeException(long size, int limit) {
        super("inbound message of at least " + size + " bytes exceeds the limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    /** The size reached when the limit was crossed (the whole message may be larger). */
    public long size() {
        return size;
    }

    /** The configured limit in bytes. */
    public int limit() {
        return limit;
    }
}
