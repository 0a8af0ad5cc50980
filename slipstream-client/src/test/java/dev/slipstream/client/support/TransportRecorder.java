package dev.slipstream.client.support;

import dev.slipstream.client.transport.TransportListener;
import dev.slipstream.protocol.Frame;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A transport listener that records every call in order, and the thread it came on; {@link #next()} takes the next
 * one, waiting a bounded time.
 */
public final class TransportRecorder implements TransportListener {
    /** A close as reported by {@code onClosed}. */
    public record Closed(int code, String reason) {}

    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    public final List<Object> all = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onFrame(Frame frame) {
        record(frame);
    }

    @Override
    public void onClosed(int code, String reason) {
        record(new Closed(code, reason));
    }

    @Override
    public void onError(Throwable error) {
        record(error);
    }

    private void record(Object o) {
        threads.add(Thread.currentThread().getName());
        all.add(o);
        events.add(o);
    }

    /** The next call, waiting at most 20 s. */
    public Object next() throws InterruptedException {
        Object o = events.poll(20, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("no listener call within 20 s; so far: " + all);
        }
        return o;
    }

    /** The next call, which must be of {@code type}. */
    public <T> T next(Class<T> type) throws InterruptedException {
        Object o = next();
        if (!type.isInstance(o)) {
            throw new AssertionError("expected a " + type.getSimpleName() + " but got " + o + "; so far: " + all,
                    o instanceof Throwable t ? t : null);
        }
        return type.cast(o);
    }

    /** The next frame's text. */
    public String nextText() throws InterruptedException {
        return next(Frame.Text.class).text();
    }

    /** The next frame's bytes. */
    public byte[] nextBinary() throws InterruptedException {
        return next(Frame.Binary.class).toByteArray();
    }

    /** Calls not taken yet. */
    public int waiting() {
        return events.size();
    }
}
