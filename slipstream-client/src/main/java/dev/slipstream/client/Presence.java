package dev.slipstream.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * Who is online on one topic of a client, kept from the channel's {@code presence_state} and {@code presence_diff}
 * messages by phoenix.js's rules: metas are told apart by their {@code phx_ref}, diffs that arrive before the state
 * of a (re)join are held and applied after it, and after a rejoin the fresh state is merged into the old one, so only
 * what really changed while the client was away is reported. Get it with {@link SlipstreamClient#presence(String)}
 * at any time, before the join too (the best moment to register callbacks, so none is missed).
 *
 * <p>{@link #list()} may be called from any thread and returns a snapshot. The callbacks run one at a time on the
 * client's callback thread, like the {@link ClientModule} callbacks (never on a websocket I/O thread; one that throws
 * is reported as a {@code CallbackFailed} event and the others still run), in phoenix.js's order: every
 * {@code onJoin} and {@code onLeave} of a sync, then {@code onSync}. Inside them {@link #list()} already shows the
 * state after the sync. When the topic is left or closed for good, the list becomes empty (without callbacks); a new
 * join starts afresh.
 *
 * <pre>{@code
 * record Meta(String status, long onlineAt) {}
 *
 * Presence lobby = client.presence("room:lobby");
 * lobby.onJoin((key, current, joined) -> {
 *     if (current == null) System.out.println(key + " came online");
 * });
 * lobby.onLeave((key, current, left) -> {
 *     if (current.metas().isEmpty()) System.out.println(key + " went offline");
 * });
 * lobby.onSync(() -> System.out.println("online: " + lobby.list(Presence.Entry::key)));
 * client.join("room:lobby");
 * ...
 * List<Meta> ada = lobby.get("ada").map(e -> e.metas(Meta.class)).orElse(List.of());
 * }</pre>
 */
public final class Presence {

    /**
     * phoenix.js's {@code onJoin}: {@code joined} (with only the metas that joined) joined {@code key};
     * {@code current} is the presence before, or null when the key was not online.
     *
     * <pre>{@code
     * presence.onJoin((key, current, joined) -> log.info("{} joined from {} device(s)", key, joined.metas().size()));
     * }</pre>
     */
    @FunctionalInterface
    public interface JoinCallback {
        /** Called for each key that got new metas. */
        void onJoin(String key, Entry current, Entry joined);
    }

    /**
     * phoenix.js's {@code onLeave}: {@code left} (the metas that left) left {@code key}; {@code current} is the
     * presence after, whose metas are empty when the key went offline.
     *
     * <pre>{@code
     * presence.onLeave((key, current, left) -> { if (current.metas().isEmpty()) offline(key); });
     * }</pre>
     */
    @FunctionalInterface
    public interface LeaveCallback {
        /** Called for each key that lost metas. */
        void onLeave(String key, Entry current, Entry left);
    }

    private final String topic;
    private final ObjectMapper mapper;
    private volatile List<Entry> entries = List.of();
    /**
     * The state of the sync whose callbacks run on this thread now. Callbacks run on the callbacks executor after
     * the owner has moved on, perhaps past later syncs; inside them the list must still be the one they report on,
     * as in phoenix.js, where they run synchronously within the sync.
     */
    private final ThreadLocal<List<Entry>> inCallback = new ThreadLocal<>();
    final List<JoinCallback> joinCallbacks = new CopyOnWriteArrayList<>();
    final List<LeaveCallback> leaveCallbacks = new CopyOnWriteArrayList<>();
    final List<Runnable> syncCallbacks = new CopyOnWriteArrayList<>();

    Presence(String topic, ObjectMapper mapper) {
        this.topic = topic;
        this.mapper = mapper;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** Everyone online now (a snapshot), in phoenix.js's {@code list()} order; empty before the first state. */
    public List<Entry> list() {
        return current();
    }

    /**
     * {@code chooser} applied to everyone online, as phoenix.js's {@code list(chooser)}; for example
     * {@code list((key, entry) -> entry.metas(Meta.class).get(0))} picks the first meta of each key.
     */
    public <T> List<T> list(BiFunction<String, Entry, ? extends T> chooser) {
        Objects.requireNonNull(chooser, "chooser");
        List<Entry> now = current();
        List<T> chosen = new ArrayList<>(now.size());
        for (Entry e : now) {
            chosen.add(chooser.apply(e.key(), e));
        }
        return chosen;
    }

    /**
     * {@code chooser} applied to everyone online, e.g. {@code list(Presence.Entry::key)} for the keys.
     */
    public <T> List<T> list(java.util.function.Function<Entry, ? extends T> chooser) {
        Objects.requireNonNull(chooser, "chooser");
        return list((key, entry) -> chooser.apply(entry));
    }

    /** The presence of {@code key}, if online. */
    public Optional<Entry> get(String key) {
        for (Entry e : current()) {
            if (e.key().equals(key)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Adds a callback for keys that get new metas; returns this view for chaining. */
    public Presence onJoin(JoinCallback callback) {
        joinCallbacks.add(Objects.requireNonNull(callback, "callback"));
        return this;
    }

    /** Adds a callback for keys that lose metas; returns this view for chaining. */
    public Presence onLeave(LeaveCallback callback) {
        leaveCallbacks.add(Objects.requireNonNull(callback, "callback"));
        return this;
    }

    /** Adds a callback run after each state or diff was applied (not for a diff that is held); returns this view. */
    public Presence onSync(Runnable callback) {
        syncCallbacks.add(Objects.requireNonNull(callback, "callback"));
        return this;
    }

    @Override
    public String toString() {
        return "Presence[" + topic + ", " + list(Entry::key) + "]";
    }

    void publish(List<Entry> now) {
        entries = Collections.unmodifiableList(now);
    }

    private List<Entry> current() {
        List<Entry> pinned = inCallback.get();
        return pinned != null ? pinned : entries;
    }

    /** {@code callback}, run with this view showing {@code state}, the list of the sync it belongs to. */
    Runnable pinnedTo(List<Entry> state, Runnable callback) {
        return () -> {
            List<Entry> outer = inCallback.get();
            inCallback.set(state);
            try {
                callback.run();
            } finally {
                if (outer == null) {
                    inCallback.remove();
                } else {
                    inCallback.set(outer);
                }
            }
        };
    }

    List<Entry> published() {
        return entries;
    }

    Entry entry(String key, ObjectNode presence) {
        return presence == null ? null : new Entry(topic, key, presence, mapper);
    }

    /**
     * One key's presence: the server's object {@code {"metas":[...], ...}} (a key may have several metas, one per
     * connection or device, and fields next to {@code metas} that the server's {@code fetch} added). The JSON trees
     * are shared with the client: treat them as read-only. Typed views go through the client's Jackson mapping.
     *
     * <pre>{@code
     * record Meta(String status) {}
     * Presence.Entry ada = presence.get("ada").orElseThrow();
     * boolean away = ada.metas(Meta.class).stream().allMatch(m -> m.status().equals("away"));
     * }</pre>
     */
    public static final class Entry {
        private final String topic;
        private final String key;
        private final ObjectNode json;
        private final ObjectMapper mapper;

        Entry(String topic, String key, ObjectNode json, ObjectMapper mapper) {
            this.topic = topic;
            this.key = key;
            this.json = json;
            this.mapper = mapper;
        }

        /** The presence key (for example the user id the server tracked). */
        public String key() {
            return key;
        }

        /** The metas, oldest first; each usually carries {@code phx_ref}. Read-only. */
        public List<JsonNode> metas() {
            List<JsonNode> metas = new ArrayList<>(json.get("metas").size());
            json.get("metas").forEach(metas::add);
            return Collections.unmodifiableList(metas);
        }

        /**
         * The metas mapped to {@code type} (a record or POJO; unknown fields such as {@code phx_ref} fail unless the
         * type ignores them, e.g. with {@code @JsonIgnoreProperties(ignoreUnknown = true)} or a field for them).
         *
         * @throws PresenceMappingException naming the topic, the key and the type when a meta does not map
         */
        public <T> List<T> metas(Class<T> type) {
            Objects.requireNonNull(type, "type");
            List<T> mapped = new ArrayList<>(json.get("metas").size());
            for (JsonNode meta : json.get("metas")) {
                mapped.add(map(meta, type, "a meta"));
            }
            return Collections.unmodifiableList(mapped);
        }

        /** The whole presence object, {@code {"metas":[...], ...}}. Read-only. */
        public JsonNode json() {
            return json;
        }

        /**
         * The whole presence object mapped to {@code type}, e.g. a record with a {@code List<Meta> metas} component
         * and one for each field the server's {@code fetch} adds.
         *
         * @throws PresenceMappingException naming the topic, the key and the type when it does not map
         */
        public <T> T as(Class<T> type) {
            Objects.requireNonNull(type, "type");
            return map(json, type, "the presence");
        }

        private <T> T map(JsonNode node, Class<T> type, String what) {
            try {
                return mapper.treeToValue(node, type);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new PresenceMappingException(topic, key, type, what, e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.key.equals(key) && e.json.equals(json);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + json.hashCode();
        }

        @Override
        public String toString() {
            return key + "=" + json;
        }
    }
}
