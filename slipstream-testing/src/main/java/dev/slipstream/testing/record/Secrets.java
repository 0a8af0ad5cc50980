package dev.slipstream.testing.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What counts as a secret in a recording, and how it is hidden. A recording is meant to be committed, so credentials
 * must never reach its files: the value is replaced by {@link #REDACTED} and the place is listed, so a reader knows
 * something was there.
 *
 * <ul>
 *   <li>connect params and join params (at any depth) whose name looks like a credential: it contains {@code token},
 *       {@code secret}, {@code password}, {@code passwd}, {@code auth} (not {@code author}), {@code session}, {@code cookie},
 *       {@code jwt}, {@code signature}, {@code credential}, {@code api_key}/{@code apikey}, or is {@code key};</li>
 *   <li>the headers {@code authorization}, {@code proxy-authorization}, {@code cookie}, {@code set-cookie} and any
 *       header whose name looks like a credential as above (e.g. {@code x-api-key}, {@code x-auth-token});</li>
 *   <li>phoenix.js's {@code authToken} subprotocol ({@code base64url.bearer.phx.<token>}).</li>
 * </ul>
 *
 * A server may echo a credential back (a join reply with the params, say), so every value hidden above, and each
 * word of it, of at least {@value #MIN_SCRUBBED} characters, is also replaced wherever it appears in any text of
 * the files ({@link #scrub}). Binary frames are written as they were.
 */
final class Secrets {
    // One per recording: the values it has hidden so far, so that echoes of them are hidden too.
    static final String REDACTED = "[redacted]";
    static final String AUTH_TOKEN_PREFIX = "base64url.bearer.phx.";

    private static final Pattern SECRET_NAME = Pattern.compile(
            "token|secret|passw(or)?d|auth(?!or)|session|cookie|jwt|signature|credential|api[_-]?key|^key$",
            Pattern.CASE_INSENSITIVE);

    static final int MIN_SCRUBBED = 6;

    private final Set<String> values = ConcurrentHashMap.newKeySet();

    /** Remembers a secret value (and its words) so that {@link #scrub} hides it everywhere. */
    void remember(String value) {
        if (value == null) {
            return;
        }
        if (value.length() >= MIN_SCRUBBED) {
            values.add(value);
        }
        for (String word : value.split("[\\s;,=:]+")) {
            if (word.length() >= MIN_SCRUBBED) {
                values.add(word);
            }
        }
    }

    /** {@code text} with every remembered secret replaced, longest first. */
    String scrub(String text) {
        List<String> sorted = new ArrayList<>(values);
        sorted.sort((a, b) -> b.length() - a.length());
        String out = text;
        for (String v : sorted) {
            out = out.replace(v, REDACTED);
        }
        return out;
    }

    static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name).find();
    }

    /** The params with secret values redacted; the names of those redacted are added to {@code redacted}. */
    Map<String, String> params(Map<String, String> params, String where, List<String> redacted) {
        Map<String, String> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (isSecretName(k)) {
                out.put(k, REDACTED);
                remember(v);
                redacted.add(where + "." + k);
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The headers (lower-case names) with secret values redacted and listed in {@code redacted}. */
    Map<String, List<String>> headers(Map<String, List<String>> headers, List<String> redacted) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("sec-websocket-protocol")) {
                List<String> protocols = new ArrayList<>();
                for (String value : values) {
                    protocols.add(subprotocols(value, redacted));
                }
                out.put(n, protocols);
            } else if (n.equals("authorization") || n.equals("proxy-authorization") || n.equals("set-cookie")
                    || isSecretName(n)) {
                out.put(n, List.of(REDACTED));
                values.forEach(this::remember);
                redacted.add("headers." + n);
            } else {
                out.put(n, values);
            }
        });
        return out;
    }

    /** A {@code Sec-WebSocket-Protocol} value with phoenix.js's auth token hidden. */
    String subprotocols(String value, List<String> redacted) {
        if (value == null || !value.contains(AUTH_TOKEN_PREFIX)) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        for (String p : value.split(",")) {
            String protocol = p.trim();
            if (out.length() > 0) {
                out.append(", ");
            }
            if (protocol.startsWith(AUTH_TOKEN_PREFIX)) {
                out.append(AUTH_TOKEN_PREFIX).append(REDACTED);
                remember(protocol.substring(AUTH_TOKEN_PREFIX.length()));
                redacted.add("subprotocol.authToken");
            } else {
                out.append(protocol);
            }
        }
        return out.toString();
    }

    /**
     * Redacts, in place, every field of {@code node} (an object, at any depth, arrays included) whose name looks like
     * a credential; returns the JSON paths redacted, starting with {@code path}.
     */
    List<String> redactJson(JsonNode node, String path) {
        List<String> redacted = new ArrayList<>();
        redact(node, path, redacted);
        return redacted;
    }

    private void redact(JsonNode node, String path, List<String> redacted) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            for (String name : names) {
                if (isSecretName(name)) {
                    JsonNode value = object.get(name);
                    remember(value.isTextual() ? value.asText() : value.toString());
                    object.put(name, REDACTED);
                    redacted.add(path + "." + name);
                } else {
                    redact(object.get(name), path + "." + name, redacted);
                }
            }
        } else if (node != null && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                redact(node.get(i), path + "[" + i + "]", redacted);
            }
        }
    }
}
