package dev.slipstream.testing.internal;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Presence {@code phx_ref}s as Phoenix makes them: URL-safe Base64 of 12 bytes (time, node hash, unique integer), so
 * 16 characters. Here: 8 bytes of a counter that starts at the wall clock in nanoseconds, and 4 random bytes fixed
 * per server, so refs are unique and increase. Not part of the API.
 *
 * <pre>{@code
 * String ref = new PhxRefs().next(); // e.g. "GOrIQeS6I8lvnwUB"
 * }</pre>
 */
public final class PhxRefs {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final AtomicLong counter = new AtomicLong(System.currentTimeMillis() * 1_000_000L);
    private final int node = RANDOM.nextInt();

    /** A fresh ref. */
    public String next() {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.putLong(counter.incrementAndGet());
        b.putInt(node);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }
}
