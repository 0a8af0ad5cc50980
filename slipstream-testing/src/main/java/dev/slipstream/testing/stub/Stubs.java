package dev.slipstream.testing.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ConnectHandler;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.internal.recording.StubExpectations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A backend described by JSON stub files (format {@code stubs/1}, schema in
 * {@code dev/slipstream/testing/stub/stubs-1.schema.json}): connect rules, channels by topic pattern with join rules
 * and event rules, pushes and broadcasts that follow them, presence tracking on join. Loaded whole or not at all:
 * any problem is a {@link StubFormatException} naming the file, the JSON path and what is wrong. The channel stubs
 * can be listed, added, replaced and removed while a server runs; {@link #reset()} goes back to what was loaded.
 *
 * <pre>{@code
 * try (FakePhoenixServer server = FakePhoenixServer.builder().stubs("classpath:phoenix/").start()) {
 *     // connect your client to server.uri(): joins and pushes are answered as the stub files say
 * }
 * }</pre>
 */
public final class Stubs {
    static {
        // The drift check reads the rules through this bridge; the model stays package-private.
        StubExpectations.register(ExpectedExchanges::of);
    }

    private final String unmatched;
    private final List<Rules.ConnectRule> connect;
    private final List<Rules.Channel> loaded;
    private volatile List<Rules.Channel> channels;
    private final AtomicInteger ids = new AtomicInteger();
    private final Object lock = new Object();

    private Stubs(String unmatched, List<Rules.ConnectRule> connect, List<Rules.Channel> channels) {
        this.unmatched = unmatched == null ? "error" : unmatched;
        this.connect = List.copyOf(connect);
        List<Rules.Channel> withIds = new ArrayList<>();
        for (Rules.Channel c : channels) {
            withIds.add(c.id() != null ? c : withId(c, nextId()));
        }
        this.loaded = List.copyOf(withIds);
        this.channels = loaded;
    }

    /**
     * Loads stubs from {@code location}: {@code classpath:phoenix/} (a folder or one file on the class path), a
     * {@code http:}/{@code https:}/{@code file:} URL, or a plain path; a folder means every {@code *.json} in it,
     * in name order.
     */
    public static Stubs load(String location) {
        Objects.requireNonNull(location, "location");
        Map<String, String> files = new LinkedHashMap<>();
        try {
            if (location.startsWith("classpath:")) {
                String name = location.substring("classpath:".length()).replaceAll("^/+", "");
                URL url = Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader().getResource(name.replaceAll("/+$", ""))
                        : Stubs.class.getClassLoader().getResource(name.replaceAll("/+$", ""));
                if (url == null) {
                    throw new StubFormatException(location, "$", "no such resource on the class path");
                }
                readUrl(url, location, files);
            } else if (location.startsWith("http:") || location.startsWith("https:") || location.startsWith("file:")) {
                readUrl(new URI(location).toURL(), location, files);
            } else {
                readPath(Path.of(location), files);
            }
        } catch (IOException | URISyntaxException e) {
            throw new StubFormatException(location, "$", "cannot read: " + e);
        }
        return of(files);
    }

    /** Loads the stub file or folder of stub files at {@code path}. */
    public static Stubs load(Path path) {
        Map<String, String> files = new LinkedHashMap<>();
        try {
            readPath(path, files);
        } catch (IOException e) {
            throw new StubFormatException(path.toString(), "$", "cannot read: " + e);
        }
        return of(files);
    }

    /** Reads one stub file's text; {@code source} names it in errors. */
    public static Stubs parse(String json, String source) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(source, json);
        return of(files);
    }

    private static Stubs of(Map<String, String> files) {
        if (files.isEmpty()) {
            throw new StubFormatException("(no files)", "$", "no stub files (*.json) found");
        }
        String unmatched = null;
        String unmatchedFrom = null;
        List<Rules.ConnectRule> connect = new ArrayList<>();
        List<Rules.Channel> channels = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Rules.File file = Rules.read(parseJson(f.getValue(), f.getKey()), f.getKey());
            if (file.unmatched() != null) {
                if (unmatched != null && !unmatched.equals(file.unmatched())) {
                    throw new StubFormatException(f.getKey(), "$.unmatched", "\"" + file.unmatched()
                            + "\" contradicts \"" + unmatched + "\" in " + unmatchedFrom);
                }
                unmatched = file.unmatched();
                unmatchedFrom = f.getKey();
            }
            connect.addAll(file.connect());
            channels.addAll(file.channels());
        }
        return new Stubs(unmatched, connect, channels);
    }

    private static JsonNode parseJson(String json, String source) {
        try {
            return JsonCodec.parse(json);
        } catch (RuntimeException e) {
            throw new StubFormatException(source, "$", "not JSON: " + e.getMessage());
        }
    }

    private static void readPath(Path path, Map<String, String> files) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                for (Path p : list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                    files.put(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        } else if (Files.isRegularFile(path)) {
            files.put(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
        } else {
            throw new StubFormatException(path.toString(), "$", "no such file or folder");
        }
    }

    private static void readUrl(URL url, String location, Map<String, String> files) throws IOException, URISyntaxException {
        if (url.getProtocol().equals("file")) {
            readPath(Path.of(url.toURI()), files);
        } else if (url.getProtocol().equals("jar")) {
            try (FileSystem fs = FileSystems.newFileSystem(url.toURI(), Map.of())) {
                readPath(fs.provider().getPath(url.toURI()), files);
            }
        } else {
            try (InputStream in = url.openStream()) {
                files.put(location, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    // ------------------------------------------------------------------ the runtime set

    /** The channel stubs in the order they are tried, each as JSON with its {@code id}. */
    public List<JsonNode> channels() {
        List<JsonNode> out = new ArrayList<>();
        channels.forEach(c -> out.add(c.source().deepCopy()));
        return out;
    }

    /** Adds a channel stub (one object of a file's {@code channels}) after the others; returns its id. */
    public String add(String channelJson) {
        Rules.Channel c = readChannel(channelJson, "added stub");
        synchronized (lock) {
            Rules.Channel withId = c.id() != null ? c : withId(c, nextId());
            if (indexOf(withId.id()) >= 0) {
                throw new IllegalArgumentException("a channel stub with id \"" + withId.id() + "\" exists already");
            }
            List<Rules.Channel> next = new ArrayList<>(channels);
            next.add(withId);
            channels = List.copyOf(next);
            return withId.id();
        }
    }

    /** Replaces the channel stub {@code id} in place; false if there is none. */
    public boolean replace(String id, String channelJson) {
        Rules.Channel c = readChannel(channelJson, "stub " + id);
        synchronized (lock) {
            int i = indexOf(id);
            if (i < 0) {
                return false;
            }
            List<Rules.Channel> next = new ArrayList<>(channels);
            next.set(i, withId(c, id));
            channels = List.copyOf(next);
            return true;
        }
    }

    /** Removes the channel stub {@code id}; false if there is none. Channels joined through it keep their rules. */
    public boolean remove(String id) {
        synchronized (lock) {
            int i = indexOf(id);
            if (i < 0) {
                return false;
            }
            List<Rules.Channel> next = new ArrayList<>(channels);
            next.remove(i);
            channels = List.copyOf(next);
            return true;
        }
    }

    /** Back to the channel stubs that were loaded. */
    public void reset() {
        channels = loaded;
    }

    // ------------------------------------------------------------------ what the fake server uses

    /** Whether some channel stub covers {@code topic} now. */
    public boolean handles(String topic) {
        return channelFor(topic) != null;
    }

    /** Answers joins and events of the topics the stubs cover (route it with {@link #handles}). */
    public ChannelHandler channelHandler() {
        return new StubChannel(this);
    }

    /**
     * Decides connects by the connect rules: the first whose params and headers match accepts (with its assigns and
     * socket id) or refuses (with its status); none matching refuses with 403. No rules: every connect is accepted.
     */
    public ConnectHandler connectHandler() {
        return request -> {
            if (connect.isEmpty()) {
                return ConnectResult.accept();
            }
            ObjectNode params = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            request.params().forEach(params::put);
            ObjectNode headers = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            request.headers().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0));
                }
            });
            for (Rules.ConnectRule rule : connect) {
                if (Rules.all(rule.params(), params) && Rules.all(lower(rule.headers()), headers)) {
                    if (!rule.accept()) {
                        return ConnectResult.reject(rule.status(), "");
                    }
                    Map<String, JsonNode> context = Map.of("connect.params", params, "params", params);
                    Map<String, Object> assigns = new LinkedHashMap<>();
                    rule.assigns().render(context).fields().forEachRemaining(e -> assigns.put(e.getKey(), e.getValue()));
                    ConnectResult.Accept accept = ConnectResult.accept(assigns);
                    if (rule.socketId() != null) {
                        JsonNode id = rule.socketId().render(context);
                        accept = accept.withSocketId(id.isTextual() ? id.asText() : id.toString());
                    }
                    return accept;
                }
            }
            return ConnectResult.reject(403, "");
        };
    }

    List<Rules.ConnectRule> connectRules() {
        return connect;
    }

    List<Rules.Channel> channelRules() {
        return channels;
    }

    Rules.Channel channelFor(String topic) {
        for (Rules.Channel c : channels) {
            if (c.matches(topic)) {
                return c;
            }
        }
        return null;
    }

    boolean unmatchedIsNoReply() {
        return unmatched.equals("noreply");
    }

    private static List<Rules.Condition> lower(List<Rules.Condition> conditions) {
        List<Rules.Condition> out = new ArrayList<>();
        conditions.forEach(c -> out.add(new Rules.Condition(c.path().toLowerCase(java.util.Locale.ROOT), c.matcher())));
        return out;
    }

    private int indexOf(String id) {
        List<Rules.Channel> now = channels;
        for (int i = 0; i < now.size(); i++) {
            if (now.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private String nextId() {
        return "channel-" + ids.incrementAndGet();
    }

    private static Rules.Channel withId(Rules.Channel c, String id) {
        ObjectNode source = ((ObjectNode) c.source()).deepCopy();
        source.put("id", id);
        return new Rules.Channel(id, c.topic(), c.join(), c.events(), c.volatilePaths(), source);
    }

    private static Rules.Channel readChannel(String json, String source) {
        return Rules.channel(parseJson(json, source), new Where(source, "$"));
    }

    @Override
    public String toString() {
        List<String> topics = new ArrayList<>();
        channels.forEach(c -> topics.add(c.id() + "=" + c.topic()));
        return "Stubs" + topics;
    }
}
