package dev.slipstream.client;

import java.util.Locale;
import java.util.Set;

/**
 * Checks upgrade-request headers when they are added, so a mistake fails at once, naming the header, instead of at
 * every connect attempt as a network failure. Header values are secrets: no message repeats one.
 */
final class HeaderRules {
    /** Headers the websocket handshake sets itself; the JDK refuses them, and Phoenix would misread them. */
    private static final Set<String> RESTRICTED = Set.of(
            "connection", "content-length", "expect", "host", "upgrade",
            "sec-websocket-accept", "sec-websocket-extensions", "sec-websocket-key", "sec-websocket-protocol",
            "sec-websocket-version");

    private HeaderRules() {}

    static void check(String name, String value) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException("header name \"" + printable(name) + "\" has a character not allowed"
                        + " in an HTTP header name at index " + i);
            }
        }
        if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header " + name + " is set by the websocket handshake itself and"
                    + " cannot be added" + (name.equalsIgnoreCase("sec-websocket-protocol")
                            ? "; for a Phoenix 1.8 auth token use Builder.authToken(...)" : ""));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("the value of header " + name + " has a character not allowed in"
                        + " an HTTP header value (U+" + String.format("%04X", (int) c) + ") at index " + i
                        + "; the value is not shown because it may be a secret");
            }
        }
    }

    private static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? "\\u" + String.format("%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
