package dev.slipstream.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 and hex helpers for the codec: strict decoding and byte lengths without encoding twice. */
final class Bytes {
    private Bytes() {}

    /** The number of bytes {@code s} takes in UTF-8, without allocating. */
    static int utf8Length(CharSequence s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair, 2 chars counted already
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    /**
     * Checks that {@code s} has no unpaired surrogate: {@link String#getBytes} would silently turn one into {@code ?}.
     *
     * @throws EncodeException naming {@code field}
     */
    static void requireWellFormed(String s, String field) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new EncodeException(field + " has an unpaired surrogate U+"
                            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i
                            + ", which UTF-8 cannot carry", field);
                }
            }
        }
    }

    /**
     * Decodes {@code length} bytes at absolute index {@code offset} of {@code buf} as strict UTF-8; errors give
     * offsets relative to {@code frameStart}.
     *
     * @throws DecodeException naming {@code field} when the bytes are not valid UTF-8
     */
    static String utf8(ByteBuffer buf, int offset, int length, String field, int frameStart) {
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
            if (buf.get(offset + i) < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            byte[] b = new byte[length];
            buf.get(offset, b);
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buf.slice(offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new DecodeException("invalid UTF-8 in " + field, field, offset - frameStart, e);
        }
    }

    static String hex(ByteBuffer buffer, int max) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(buffer.remaining(), max);
        for (int i = 0; i < n; i++) {
            int v = buffer.get(buffer.position() + i) & 0xff;
            sb.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 0xf, 16));
        }
        if (buffer.remaining() > max) {
            sb.append("...");
        }
        return sb.toString();
    }
}
