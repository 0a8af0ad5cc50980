package dev.slipstream.examples.cli;

import dev.slipstream.protocol.Payload;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parsed arguments of {@code cat}; {@link #parse} throws {@link UsageException} naming the bad argument. */
final class CatOptions {

    static final String USAGE = String.join("\n",
            "usage: slipstream cat URL [options]",
            "  URL                       ws:// or wss:// Phoenix socket, e.g. ws://localhost:4000/socket",
            "  --param k=v               connect param (repeatable)",
            "  --header k:v              HTTP header on the upgrade request (repeatable)",
            "  --join TOPIC[=JSON]       join TOPIC with JSON params (repeatable, in order)",
            "  --push TOPIC EVENT JSON   push after the joins (repeatable, in order); base64:... sends binary",
            "  --timeout SECONDS         wait this long for connects and replies (default 5)",
            "  --listen SECONDS          stay connected this long after the pushes, printing what arrives (default 0)",
            "  --vsn 1|2                 protocol version (default 2)",
            "Pushes are also read from standard input, one per line: TOPIC EVENT JSON.",
            "Output: one JSON object per line on standard output; logs on standard error.",
            "Exit: 0 all joins and pushes answered ok, 1 a join failed or a push timed out or errored,",
            "      2 no connection or bad arguments.");

    /** A {@code --join}: the topic and its params. */
    record JoinSpec(String topic, Payload params) {
    }

    /** A {@code --push} or a line of standard input. */
    record PushSpec(String topic, String event, Payload payload) {
    }

    final URI url;
    final Map<String, String> params;
    final Map<String, List<String>> headers;
    final List<JoinSpec> joins;
    final List<PushSpec> pushes;
    final Duration timeout;
    final Duration listen;
    final int vsn;

    private CatOptions(URI url, Map<String, String> params, Map<String, List<String>> headers, List<JoinSpec> joins,
            List<PushSpec> pushes, Duration timeout, Duration listen, int vsn) {
        this.url = url;
        this.params = params;
        this.headers = headers;
        this.joins = joins;
        this.pushes = pushes;
        this.timeout = timeout;
        this.listen = listen;
        this.vsn = vsn;
    }

    static CatOptions parse(List<String> args) throws UsageException {
        URI url = null;
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        List<JoinSpec> joins = new ArrayList<>();
        List<PushSpec> pushes = new ArrayList<>();
        Duration timeout = Duration.ofSeconds(5);
        Duration listen = Duration.ZERO;
        int vsn = 2;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--param": {
                    Pair p = Pair.param(value(args, ++i, a));
                    params.put(p.name(), p.value());
                    break;
                }
                case "--header": {
                    Pair h = Pair.header(value(args, ++i, a));
                    headers.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h.value());
                    break;
                }
                case "--join": {
                    String spec = value(args, ++i, a);
                    int eq = spec.indexOf('=');
                    String topic = eq < 0 ? spec : spec.substring(0, eq);
                    if (topic.isEmpty()) {
                        throw new UsageException("--join needs a topic, got \"" + spec + "\"");
                    }
                    Payload joinParams = eq < 0 ? Payload.empty() : json("--join " + topic, spec.substring(eq + 1));
                    joins.add(new JoinSpec(topic, joinParams));
                    break;
                }
                case "--push": {
                    String topic = value(args, ++i, a);
                    String event = value(args, ++i, a);
                    String body = value(args, ++i, a);
                    if (topic.isEmpty() || event.isEmpty()) {
                        throw new UsageException("--push needs TOPIC EVENT JSON, got an empty topic or event");
                    }
                    pushes.add(new PushSpec(topic, event, payload("--push " + topic + " " + event, body)));
                    break;
                }
                case "--timeout":
                    timeout = seconds(a, value(args, ++i, a), false);
                    break;
                case "--listen":
                    listen = seconds(a, value(args, ++i, a), true);
                    break;
                case "--vsn": {
                    String v = value(args, ++i, a);
                    if (v.equals("1") || v.equals("1.0.0")) {
                        vsn = 1;
                    } else if (v.equals("2") || v.equals("2.0.0")) {
                        vsn = 2;
                    } else {
                        throw new UsageException("--vsn must be 1 or 2, got \"" + v + "\"");
                    }
                    break;
                }
                default:
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option \"" + a + "\"");
                    }
                    if (url != null) {
                        throw new UsageException("only one URL, got \"" + url + "\" and \"" + a + "\"");
                    }
                    url = url(a);
            }
        }
        if (url == null) {
            throw new UsageException("missing URL");
        }
        if (vsn == 1) {
            for (PushSpec p : pushes) {
                if (p.payload().isBinary()) {
                    throw new UsageException("--push " + p.topic() + " " + p.event()
                            + ": binary payloads need --vsn 2 (V1 has no binary frames)");
                }
            }
        }
        return new CatOptions(url, params, headers, joins, pushes, timeout, listen, vsn);
    }

    /**
     * One line of standard input, {@code TOPIC EVENT JSON} (the JSON is the rest of the line).
     *
     * @throws UsageException naming what is wrong with the line
     */
    static PushSpec parsePushLine(String line) throws UsageException {
        String trimmed = line.strip();
        String[] parts = trimmed.split("\\s+", 3);
        if (parts.length < 3) {
            throw new UsageException("a push line needs TOPIC EVENT JSON, got \"" + trimmed + "\"");
        }
        return new PushSpec(parts[0], parts[1], payload("push " + parts[0] + " " + parts[1], parts[2]));
    }

    private static Payload payload(String what, String text) throws UsageException {
        if (text.startsWith("base64:")) {
            try {
                return Payload.binary(Base64.getDecoder().decode(text.substring("base64:".length())));
            } catch (IllegalArgumentException e) {
                throw new UsageException(what + ": not valid base64 after \"base64:\": " + e.getMessage());
            }
        }
        return json(what, text);
    }

    private static Payload json(String what, String text) throws UsageException {
        try {
            return Payload.json(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": not valid JSON: " + text);
        }
    }

    private static URI url(String text) throws UsageException {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss") && !scheme.equals("http") && !scheme.equals("https")) {
                throw new UsageException("URL must start with ws:// or wss://, got \"" + text + "\"");
            }
            if (uri.getHost() == null) {
                throw new UsageException("URL has no host: \"" + text + "\"");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("not a URL: \"" + text + "\" (" + e.getReason() + ")");
        }
    }

    private static Duration seconds(String option, String text, boolean zeroAllowed) throws UsageException {
        BigDecimal s;
        try {
            s = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number of seconds, got \"" + text + "\"");
        }
        if (s.signum() < 0 || (!zeroAllowed && s.signum() == 0) || s.compareTo(BigDecimal.valueOf(86_400)) > 0) {
            throw new UsageException(option + " must be " + (zeroAllowed ? "0" : "more than 0")
                    + " to 86400 seconds, got " + text);
        }
        return Duration.ofNanos(s.movePointRight(9).longValue());
    }

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(option + " needs " + (option.equals("--push") ? "TOPIC EVENT JSON" : "a value"));
        }
        return args.get(i);
    }
}
