package dev.slipstream.transport.nio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The strict UTF-8 check agrees with the JDK's strict decoder, on chosen and on random bytes. */
class Utf8Test {

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void chosenSequences() {
        assertThat(Utf8.isValid(bytes(0xC3, 0xA9), 0, 2)).as("é").isTrue();
        assertThat(Utf8.isValid(bytes(0xF0, 0x9F, 0x98, 0x80), 0, 4)).as("😀").isTrue();
        assertThat(Utf8.isValid(bytes(0xEF, 0xBF, 0xBD), 0, 3)).as("U+FFFD itself").isTrue();
        assertThat(Utf8.isValid(bytes(0xC0, 0xAF), 0, 2)).as("overlong /").isFalse();
        assertThat(Utf8.isValid(bytes(0xE0, 0x80, 0xAF), 0, 3)).as("overlong 3-byte").isFalse();
        assertThat(Utf8.isValid(bytes(0xF0, 0x80, 0x80, 0xAF), 0, 4)).as("overlong 4-byte").isFalse();
        assertThat(Utf8.isValid(bytes(0xED, 0xA0, 0x80), 0, 3)).as("surrogate").isFalse();
        assertThat(Utf8.isValid(bytes(0xF4, 0x90, 0x80, 0x80), 0, 4)).as("above U+10FFFF").isFalse();
        assertThat(Utf8.isValid(bytes(0xE2, 0x98), 0, 2)).as("truncated").isFalse();
        assertThat(Utf8.isValid(bytes(0x80), 0, 1)).as("lone continuation").isFalse();
        assertThat(Utf8.decode(bytes(0xEF, 0xBF, 0xBD), 0, 3)).isEqualTo("\uFFFD");
        assertThat(Utf8.decode(bytes(0xFF), 0, 1)).isNull();
    }

    @Test
    void randomBytesAgreeWithTheJdk() {
        Random r = new Random(42);
        int[] pool = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
            0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        for (int round = 0; round < 200_000; round++) {
            byte[] b = new byte[1 + r.nextInt(6)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) pool[r.nextInt(pool.length)];
            }
            boolean jdk = jdkAccepts(b);
            assertThat(Utf8.isValid(b, 0, b.length)).as("%s", java.util.HexFormat.of().formatHex(b)).isEqualTo(jdk);
            assertThat(Utf8.decode(b, 0, b.length) != null).isEqualTo(jdk);
        }
    }
}
