package dev.slipstream.transport.nio.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * The writing side of a {@link NioConnection}: the queue of frames the socket has not taken, the output state and the
 * masking keys.
 *
 * <p>Threads: {@link NioConnection#send} and {@link NioConnection#sendAll} offer frames from the caller's thread, and
 * a frame goes straight to the socket when nothing is queued; the loop finishes queued frames on {@code OP_WRITE}
 * ({@link #flush}) and writes the TLS handshake, the upgrade request, pongs and close frames.
 *
 * <p>This object's monitor is the connection's write lock: it guards every field below but the masking state, the
 * {@link TlsSession}'s wrapping side, and every write to the socket. Methods named {@code ...Locked} expect it held.
 * No listener is called while it is held.
 */
final class Outbound implements OutFrame.Sink {

    // Output states.
    private static final int OUT_OPEN = 0;
    private static final int OUT_CLOSING = 1; // a close frame is queued
    private static final int OUT_CLOSE_SENT = 2;
    private static final int OUT_DEAD = 3;

    // What offering a frame did.
    static final int WRITTEN = 0;
    static final int QUEUED = 1;
    static final int REFUSED = 2;
    static final int HELD = 3; // queued, and the queue now waits for flushHeld

    /** The most bytes offered to one socket write. */
    static final int MAX_WRITE = 256 * 1024;
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final VarHandle MASK_STATE;

    static {
        try {
            MASK_STATE = MethodHandles.lookup().findVarHandle(Outbound.class, "maskState", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NioConnection c;

    // ---- guarded by this (the write lock)
    private ArrayDeque<OutFrame> queue;
    private boolean writeBlocked; // the socket is full: OP_WRITE wanted
    private boolean tlsStalled; // the engine takes no data until the peer's handshake message: retried after reads
    private int out = OUT_OPEN;
    private boolean closeWhenFlushed; // both close frames are (or will be) exchanged, or the connection failed
    private boolean held; // the queue waits for the end of a loop thread's batch, not for OP_WRITE (flushHeld)

    // ---- any thread
    @SuppressWarnings("unused") // through MASK_STATE
    private volatile long maskState;

    Outbound(NioConnection c) {
        this.c = c;
        // Masking keys: a SplitMix64 sequence per connection seeded from SecureRandom. Unpredictable to anyone who
        // does not see the seed, one atomic add per frame. RFC 6455 §10.3 asks for unpredictable keys so a hostile
        // script cannot choose the bytes an intermediary sees; here the application chooses the payloads anyway.
        this.maskState = SEEDS.nextLong();
    }

    // ===================================================================================== offering (under the lock)

    /**
     * Writes {@code f} now when nothing waits before it, else queues it (at the back, or for {@code urgent} control
     * frames right after a started frame). Under the write lock.
     */
    int offerLocked(OutFrame f, boolean urgent) throws IOException {
        if (out != OUT_OPEN) {
            return REFUSED;
        }
        if (queue == null && !writeBlocked && !tlsStalled) {
            if (f.writeTo(this)) {
                if (f.opcode == OutFrame.CLOSE) {
                    out = OUT_CLOSE_SENT;
                }
                if (c.tls != null && c.tls.hasPending()) {
                    writeBlocked = true;
                }
                return WRITTEN;
            }
            queue = new ArrayDeque<>(4);
            queue.add(f);
            markBlockedLocked();
            return QUEUED;
        }
        if (queue == null) {
            queue = new ArrayDeque<>(4);
        }
        if (f.opcode == OutFrame.PONG) {
            // RFC 6455 §5.5.3: answering the latest ping is enough. A server that pings while it does not read cannot
            // make the queue grow.
            queue.removeIf(q -> q.opcode == OutFrame.PONG && !q.started());
        }
        if (urgent && !queue.isEmpty()) {
            OutFrame head = queue.peekFirst();
            if (head.started()) {
                queue.pollFirst();
                queue.addFirst(f);
                queue.addFirst(head);
            } else {
                queue.addFirst(f);
            }
        } else {
            queue.addLast(f);
        }
        return QUEUED;
    }

    /**
     * From a loop thread running its batch: queues {@code f} for {@link #flushHeld} at the end of the batch, so that
     * the frames its stages send leave in one write. When frames wait already, {@code f} joins them as with
     * {@link #offerLocked}. Returns {@link #HELD} when this call began holding (the caller remembers the connection),
     * else what {@link #offerLocked} did.
     */
    int holdLocked(OutFrame f) throws IOException {
        if (!idleLocked()) {
            return offerLocked(f, false);
        }
        queue = new ArrayDeque<>(4);
        queue.add(f);
        held = true;
        return HELD;
    }

    /**
     * Writes the frames held for a batch: one gathering write when they are whole and fit in it, else as
     * {@link #flush} does. Any thread (the batch's, or the loop's leader when it takes over from a batch that holds it).
     */
    void flushHeld() {
        List<CompletableFuture<Void>> done = new ArrayList<>(4);
        IOException failure = null;
        boolean closeNow;
        boolean blocked;
        synchronized (this) {
            if (!held) {
                return;
            }
            held = false;
            try {
                if (queue == null) {
                    return; // the loop wrote them already (after a TLS read)
                }
                if (c.tls != null || !gatherQueueLocked(done)) {
                    drainLocked(done);
                }
            } catch (IOException e) {
                failure = e;
            }
            closeNow = failure == null && closeNowLocked();
            blocked = writeBlocked || tlsStalled;
        }
        for (CompletableFuture<Void> d : done) {
            d.complete(null);
        }
        if (failure != null) {
            IOException e = failure;
            c.onLoop(() -> c.onFailure(e));
        } else if (closeNow) {
            c.onLoop(c.closing::closeSocket);
        } else if (blocked) {
            c.onLoop(c::updateInterest);
        }
    }

    /**
     * The queue, all whole frames and at most {@link #MAX_WRITE} bytes, in one gathering write; false (nothing
     * written) when it is not like that. Frames the socket did not finish stay queued.
     */
    private boolean gatherQueueLocked(List<CompletableFuture<Void>> done) throws IOException {
        int count = 0;
        long bytes = 0;
        for (OutFrame f : queue) {
            if (!f.whole() || f.started() || f.opcode == OutFrame.CLOSE) {
                return false;
            }
            count += f.buffers().length;
            bytes += f.remaining();
        }
        if (bytes > MAX_WRITE) {
            return false;
        }
        c.channel.write(buffersOf(queue, count));
        while (!queue.isEmpty() && queue.peekFirst().remaining() == 0) {
            OutFrame f = queue.pollFirst();
            if (f.done != null) {
                done.add(f.done);
            }
        }
        if (queue.isEmpty()) {
            queue = null;
        } else {
            markBlockedLocked();
        }
        return true;
    }

    /** The buffers of {@code frames}, {@code count} in all, in order: what one gathering write takes. */
    private static ByteBuffer[] buffersOf(Iterable<OutFrame> frames, int count) {
        ByteBuffer[] all = new ByteBuffer[count];
        int at = 0;
        for (OutFrame f : frames) {
            for (ByteBuffer b : f.buffers()) {
                all[at++] = b;
            }
        }
        return all;
    }

    /** A frame did not fit: wait for OP_WRITE, or (TLS busy with a handshake, nothing pending) for the next read. */
    private void markBlockedLocked() {
        if (c.tls != null && !c.tls.hasPending()) {
            tlsStalled = true;
        } else {
            writeBlocked = true;
        }
    }

    /**
     * One gathering write of a burst of whole frames; those it did not finish (the first perhaps started) wait in the
     * queue, in order. Returns what happened to the last frame. Under the write lock, when {@link #idleLocked}.
     */
    int gatherLocked(OutFrame[] burst, long bytes) throws IOException {
        int count = 0;
        for (OutFrame f : burst) {
            count += f.buffers().length;
        }
        if (c.channel.write(buffersOf(Arrays.asList(burst), count)) == bytes) {
            return WRITTEN;
        }
        queue = new ArrayDeque<>(burst.length);
        for (OutFrame f : burst) {
            if (f.remaining() > 0) {
                queue.add(f);
            } else if (f.done != null) {
                f.done.complete(null); // never the last one here: the last is unfinished
            }
        }
        markBlockedLocked();
        return QUEUED;
    }

    /**
     * Our close frame, from {@link NioConnection#close} (any thread): written or queued unless the output is no longer
     * open. Returns true when it was; a write failure fails the connection on the loop.
     */
    synchronized boolean offerClose(OutFrame f) {
        if (out != OUT_OPEN) {
            return false;
        }
        try {
            offerLocked(f, false);
        } catch (IOException e) {
            c.onLoop(() -> c.onFailure(e));
            return false;
        } finally {
            if (out == OUT_OPEN) {
                out = OUT_CLOSING;
            }
        }
        return true;
    }

    // ======================================================================================== the loop's frames

    /** A pong (from the loop): ahead of queued messages, never inside a frame already started. */
    void offerControl(OutFrame f) {
        boolean blocked;
        try {
            synchronized (this) {
                offerLocked(f, true);
                blocked = writeBlocked;
            }
        } catch (IOException e) {
            c.onFailure(e);
            return;
        }
        if (blocked) {
            c.updateInterest();
        }
    }

    /**
     * Loop thread: the server's close frame arrived ({@code echo}: answer with its code, RFC 6455 §5.5.1, unless our
     * close went first) or the connection fails (RFC 6455 §7.1.7: send a close frame with {@code code} unless one was
     * sent or queued already). What was not started is not sent: dropped when failing, and when echoing while our
     * close was not queued; the dropped frames' futures fail with {@code droppedWhy} after the lock. Returns true when
     * the socket can close now (or writing the close failed), false while our close still waits to go out.
     */
    boolean closeFromLoop(boolean echo, int code, byte[] reason, String droppedWhy) {
        List<CompletableFuture<Void>> dropped = null;
        IOException failure = null;
        boolean closeNow;
        synchronized (this) {
            closeWhenFlushed = true;
            if (!echo || out == OUT_OPEN) {
                dropped = dropUnstartedLocked();
            }
            if (out == OUT_OPEN) {
                try {
                    offerLocked(OutFrame.control(OutFrame.CLOSE, OutFrame.closePayload(code, reason), nextMask()),
                            false);
                } catch (IOException e) {
                    failure = e;
                }
                if (out == OUT_OPEN) {
                    out = OUT_CLOSING;
                }
            }
            closeNow = closeNowLocked();
        }
        failAll(dropped, droppedWhy);
        return closeNow || failure != null;
    }

    // ======================================================================================== the socket

    /** The sink frames write to: the socket, or TLS in front of it. Under the write lock. */
    @Override
    public boolean write(ByteBuffer[] buffers) throws IOException {
        TlsSession tls = c.tls;
        if (tls != null) {
            tls.write(buffers); // one TLS record (16 KiB) at a time, until the socket is full
            if (tls.hasPending()) {
                return false;
            }
            for (ByteBuffer b : buffers) {
                if (b.hasRemaining()) {
                    return false; // the engine waits for the peer's handshake message
                }
            }
            return true;
        }
        ByteBuffer first = buffers[0];
        ByteBuffer second = buffers.length > 1 ? buffers[1] : null;
        long offered = first.remaining() + (second == null ? 0L : second.remaining());
        if (offered <= MAX_WRITE) {
            return (second == null ? c.channel.write(first) : c.channel.write(buffers)) == offered;
        }
        // The JDK copies the whole remainder of a heap buffer into a temporary direct buffer on every write, however
        // little the socket takes: offer at most MAX_WRITE bytes per write, or a large frame to a slow reader costs
        // copying quadratic in its size.
        int limit1 = first.limit();
        int limit2 = second == null ? 0 : second.limit();
        int take1 = Math.min(first.remaining(), MAX_WRITE);
        first.limit(first.position() + take1);
        if (second != null) {
            second.limit(second.position() + Math.min(second.remaining(), MAX_WRITE - take1));
        }
        try {
            return (second == null ? c.channel.write(first) : c.channel.write(buffers)) == MAX_WRITE;
        } finally {
            first.limit(limit1);
            if (second != null) {
                second.limit(limit2);
            }
        }
    }

    /** Writes what waits, on OP_WRITE or after a TLS read. Loop thread. */
    void flush() {
        List<CompletableFuture<Void>> done = new ArrayList<>(4);
        IOException failure = null;
        boolean closeNow;
        synchronized (this) {
            try {
                drainLocked(done);
            } catch (IOException e) {
                failure = e;
            }
            closeNow = failure == null && closeNowLocked();
        }
        for (CompletableFuture<Void> d : done) {
            d.complete(null);
        }
        if (failure != null) {
            c.onFailure(failure);
            return;
        }
        c.updateInterest();
        if (closeNow) {
            c.closing.closeSocket();
        }
    }

    /** Writes queued frames while the socket takes them; written frames' futures go to {@code done}. */
    private void drainLocked(List<CompletableFuture<Void>> done) throws IOException {
        writeBlocked = false;
        tlsStalled = false;
        TlsSession tls = c.tls;
        if (tls != null) {
            if (!tls.flush()
                    || (tls.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !tls.wrapHandshake())) {
                writeBlocked = true;
                return;
            }
        }
        while (queue != null && !queue.isEmpty()) {
            OutFrame f = queue.peekFirst();
            if (!f.writeTo(this)) {
                markBlockedLocked();
                return;
            }
            queue.pollFirst();
            if (f.opcode == OutFrame.CLOSE) {
                out = OUT_CLOSE_SENT;
            }
            if (f.done != null) {
                done.add(f.done);
            }
        }
        queue = null;
        if (tls != null && tls.hasPending()) {
            writeBlocked = true;
        }
    }

    // ======================================================================================== handshakes (loop)

    /** Produces and writes the TLS handshake messages the engine asks for; true when all are on the socket. */
    synchronized boolean wrapHandshake() throws IOException {
        boolean flushed = c.tls.wrapHandshake();
        writeBlocked = !flushed;
        return flushed;
    }

    /** Writes handshake bytes the socket did not take before; true when none is left. */
    synchronized boolean flushHandshake() throws IOException {
        boolean flushed = c.tls.flush();
        writeBlocked = !flushed;
        return flushed;
    }

    /** Writes what the socket takes of the upgrade request; true when all of it is on the socket. */
    synchronized boolean writeUpgrade(ByteBuffer request) throws IOException {
        write(new ByteBuffer[] {request}); // small: one write takes it unless the socket is full
        boolean done = !request.hasRemaining() && (c.tls == null || !c.tls.hasPending());
        writeBlocked = !done;
        return done;
    }

    // ======================================================================================== state

    /** The socket is full: the loop wants OP_WRITE. */
    synchronized boolean writeBlocked() {
        return writeBlocked;
    }

    /** {@link #writeBlocked()} for a caller that holds the write lock already. */
    boolean writeBlockedLocked() {
        return writeBlocked;
    }

    /** Open, nothing queued, nothing blocked: a frame offered now goes straight to the socket. */
    boolean idleLocked() {
        return out == OUT_OPEN && queue == null && !writeBlocked && !tlsStalled;
    }

    /** The engine took no data until the peer's handshake message: the loop retries after a read. */
    synchronized boolean tlsStalled() {
        return tlsStalled;
    }

    /** Our close frame is on the wire, nothing else waits, and the server's close came or the connection failed. */
    synchronized boolean closeNow() {
        return closeNowLocked();
    }

    private boolean closeNowLocked() {
        return out == OUT_CLOSE_SENT && closeWhenFlushed && !writeBlocked && queue == null;
    }

    /**
     * The socket closes (any thread): nothing is written any more, TLS says close_notify if the socket takes it now.
     * Returns the futures of the frames that waited, for the caller to fail after the lock.
     */
    synchronized List<CompletableFuture<Void>> shutDown() {
        List<CompletableFuture<Void>> dropped = null;
        out = OUT_DEAD;
        held = false;
        if (queue != null) {
            dropped = new ArrayList<>(queue.size());
            for (OutFrame f : queue) {
                if (f.done != null) {
                    dropped.add(f.done);
                }
            }
            queue = null;
        }
        writeBlocked = false;
        tlsStalled = false;
        if (c.tls != null && c.channel != null && c.channel.isOpen()) {
            c.tls.closeOutbound();
        }
        return dropped;
    }

    /** Takes every queued frame out except one already started and a queued close; returns their futures. */
    private List<CompletableFuture<Void>> dropUnstartedLocked() {
        if (queue == null) {
            return null;
        }
        List<CompletableFuture<Void>> dropped = null;
        for (Iterator<OutFrame> it = queue.iterator(); it.hasNext(); ) {
            OutFrame f = it.next();
            if (!f.started() && f.opcode != OutFrame.CLOSE) {
                it.remove();
                if (f.done != null) {
                    if (dropped == null) {
                        dropped = new ArrayList<>();
                    }
                    dropped.add(f.done);
                }
            }
        }
        if (queue.isEmpty()) {
            queue = null;
            held = false;
        }
        return dropped;
    }

    static void failAll(List<CompletableFuture<Void>> futures, String why) {
        if (futures != null) {
            IOException e = new IOException(why);
            for (CompletableFuture<Void> f : futures) {
                f.completeExceptionally(e);
            }
        }
    }

    /** The next masking key. Any thread. */
    int nextMask() {
        long z = (long) MASK_STATE.getAndAdd(this, GOLDEN_GAMMA) + GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) ((z ^ (z >>> 31)) >>> 32);
    }
}
