package dev.slipstream.transport.nio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.protocol.Frame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client frames: header bytes, masking, and writing to a socket that takes a few bytes at a time. */
class OutFrameTest {
    private static final int KEY = 0x37FA213D; // the key of RFC 6455 §5.7's masked example

    /** A sink that takes at most {@code step} bytes per call (0 now and then, as a full socket does). */
    static final class TrickleSink implements OutFrame.Sink {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final Random random = new Random(7);
        final int step;

        TrickleSink(int step) {
            this.step = step;
        }

        @Override
        public boolean write(ByteBuffer[] buffers) {
            int budget = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(step);
            boolean all = true;
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining() && budget > 0) {
                    written.write(b.get());
                    budget--;
                }
                all &= !b.hasRemaining();
            }
            return all;
        }
    }

    /** A parsed client frame. */
    record Parsed(int b0, long length, int key, byte[] payload, int headerLength) {}

    static Parsed parse(byte[] wire) {
        ByteBuffer b = ByteBuffer.wrap(wire);
        int b0 = b.get() & 0xFF;
        int b1 = b.get() & 0xFF;
        assertThat(b1 & 0x80).as("mask bit").isEqualTo(0x80);
        long len = b1 & 0x7F;
        if (len == 126) {
            len = b.getShort() & 0xFFFF;
        } else if (len == 127) {
            len = b.getLong();
        }
        int key = b.getInt();
        int header = b.position();
        byte[] payload = new byte[(int) len];
        b.get(payload);
        assertThat(b.hasRemaining()).as("nothing after the frame").isFalse();
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= (byte) (key >>> (24 - 8 * (i % 4)));
        }
        return new Parsed(b0, len, key, payload, header);
    }

    static byte[] writeAll(OutFrame f, int step) throws IOException {
        TrickleSink sink = new TrickleSink(step);
        int calls = 0;
        while (!f.writeTo(sink)) {
            assertThat(++calls).as("progress").isLessThan(100_000_000);
        }
        return sink.written.toByteArray();
    }

    @Test
    void theMaskedHelloOfRfc6455() throws IOException {
        byte[] wire = writeAll(OutFrame.of(Frame.text("Hello"), KEY, null), 1000);
        assertThat(wire).containsExactly(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 125, 126, 65535, 65536, 65537, 200_003})
    void textFramesOfEveryLength(int size) throws IOException {
        String text = "é".repeat(size / 2) + "x".repeat(size % 2);
        Parsed p = parse(writeAll(OutFrame.of(Frame.text(text), KEY, null), 70_000));
        assertThat(p.b0()).isEqualTo(0x81);
        assertThat(p.length()).isEqualTo(size);
        assertThat(p.headerLength()).isEqualTo(size < 126 ? 6 : size <= 0xFFFF ? 8 : 14);
        assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 125, 126, 65535, 65536, 65537, 100_001, 1 << 20})
    void binaryFramesOfEveryLengthWrittenAFewBytesAtATime(int size) throws IOException {
        byte[] data = new byte[size + 10];
        new Random(size).nextBytes(data);
        ByteBuffer view = ByteBuffer.wrap(data, 5, size); // a view: only its bytes go out, untouched
        byte[] before = data.clone();
        Parsed p = parse(writeAll(OutFrame.of(Frame.binary(view), KEY, null), size > 100_000 ? 50_000 : 300));
        assertThat(p.b0()).isEqualTo(0x82);
        assertThat(p.payload()).isEqualTo(Arrays.copyOfRange(data, 5, 5 + size));
        assertThat(data).as("the caller's bytes are not masked in place").isEqualTo(before);
    }

    @Test
    void controlFrames() throws IOException {
        Parsed close = parse(writeAll(OutFrame.control(OutFrame.CLOSE, OutFrame.closePayload(1001, "away"
                .getBytes(StandardCharsets.UTF_8)), KEY), 3));
        assertThat(close.b0()).isEqualTo(0x88);
        assertThat(close.payload()).containsExactly(0x03, 0xE9, 'a', 'w', 'a', 'y');
        assertThat(OutFrame.closePayload(1005, new byte[0])).isEmpty();
        Parsed pong = parse(writeAll(OutFrame.control(OutFrame.PONG, new byte[] {1, 2, 3}, KEY), 3));
        assertThat(pong.b0()).isEqualTo(0x8A);
        assertThat(pong.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void maskingEightBytesAtATimeMatchesByteByByte() {
        Random r = new Random(1);
        for (int round = 0; round < 1000; round++) {
            byte[] a = new byte[r.nextInt(40)];
            r.nextBytes(a);
            int off = a.length == 0 ? 0 : r.nextInt(a.length);
            int len = a.length - off == 0 ? 0 : r.nextInt(a.length - off);
            int key = r.nextInt();
            byte[] expected = a.clone();
            for (int i = 0; i < len; i++) {
                expected[off + i] ^= (byte) (key >>> (24 - 8 * (i % 4)));
            }
            OutFrame.mask(a, off, len, key);
            assertThat(a).isEqualTo(expected);
        }
    }

    @Test
    void aStartedFrameSaysSo() throws IOException {
        OutFrame f = OutFrame.of(Frame.text("x".repeat(100)), KEY, null);
        assertThat(f.started()).isFalse();
        f.writeTo(buffers -> false);
        assertThat(f.started()).isFalse();
        f.writeTo(buffers -> {
            buffers[0].get();
            return false;
        });
        assertThat(f.started()).isTrue();
    }
}
