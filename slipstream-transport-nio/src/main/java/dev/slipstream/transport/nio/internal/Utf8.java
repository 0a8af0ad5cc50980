package dev.slipstream.transport.nio.internal;

import java.nio.charset.StandardCharsets;

/** Strict UTF-8 checks for text messages and close reasons (RFC 6455 §8.1: invalid UTF-8 fails the connection). */
final class Utf8 {
    private Utf8() {}

    /**
     * Decodes {@code bytes} as UTF-8, or returns null when they are not valid UTF-8. The JDK decoder is the fast path
     * (an intrinsic for ASCII); it turns a malformed sequence into U+FFFD, which a Latin-1 string cannot hold, so the
     * strict check runs only for text that holds U+FFFD, legitimately or not.
     */
    static String decode(byte[] bytes, int offset, int length) {
        String s = new String(bytes, offset, length, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0 && !isValid(bytes, offset, length)) {
            return null;
        }
        return s;
    }

    /** Whether the bytes are well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
    static boolean isValid(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
            } else if (c >= 0xC2 && c <= 0xDF) {
                if (i + 1 >= end || !cont(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (i + 2 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean ok = c == 0xE0 ? c1 >= 0xA0 && c1 <= 0xBF // no overlong
                        : c == 0xED ? c1 >= 0x80 && c1 <= 0x9F // no surrogates
                        : cont(b[i + 1]);
                if (!ok || !cont(b[i + 2])) {
                    return false;
                }
                i += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (i + 3 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean ok = c == 0xF0 ? c1 >= 0x90 && c1 <= 0xBF // no overlong
                        : c == 0xF4 ? c1 >= 0x80 && c1 <= 0x8F // nothing above U+10FFFF
                        : cont(b[i + 1]);
                if (!ok || !cont(b[i + 2]) || !cont(b[i + 3])) {
                    return false;
                }
                i += 4;
            } else {
                return false; // a continuation byte first, C0/C1 (always overlong) or F5..FF
            }
        }
        return true;
    }

    private static boolean cont(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
