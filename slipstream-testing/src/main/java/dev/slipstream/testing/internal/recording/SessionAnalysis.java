package dev.slipstream.testing.internal.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a recorded session ({@code session.jsonl}, format {@code slipstream-session/1}) into the {@link Exchange}s
 * it holds, in the order the client sent them. Per connection: frames are decoded with the serializer its
 * {@code vsn} picks; a client's {@code phx_join} or event is paired with the reply of the same ref; a server push
 * (no ref) belongs to the latest join or event on its topic, with the delay since it. Heartbeats, leaves and the
 * lifecycle messages {@code phx_close}/{@code phx_error} are not exchanges a stub describes. Not API.
 *
 * <pre>{@code
 * List<Exchange> exchanges = SessionAnalysis.analyse(lines);
 * }</pre>
 */
public final class SessionAnalysis {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SessionAnalysis() {
    }

    /**
     * The exchanges of a session's lines (the header line included or not).
     *
     * @throws IllegalArgumentException naming the line when a line is not what the format says
     */
    public static List<Exchange> analyse(List<JsonNode> lines) {
        List<Exchange> out = new ArrayList<>();
        Map<String, Conn> conns = new HashMap<>();
        int n = 0;
        for (JsonNode line : lines) {
            n++;
            String type = line.path("type").asText();
            String id = line.path("conn").asText();
            long t = line.path("t").asLong();
            try {
                switch (type) {
                    case "connect" -> {
                        Map<String, String> params = new LinkedHashMap<>();
                        line.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                        Conn c = new Conn(Serializer.forVsn(params.get("vsn")).orElse(Serializer.v2()), params, t);
                        conns.put(id, c);
                    }
                    case "accepted" -> out.add(new Exchange.Connect(id, conns.get(id).t, conns.get(id).params, 101));
                    case "refused" -> out.add(new Exchange.Connect(id, conns.get(id).t, conns.get(id).params,
                            line.path("status").asInt()));
                    case "frame" -> conns.get(id).frame(id, t, line, out);
                    default -> {
                        // session header, closes, drops, stops, errors: not exchanges
                    }
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("session line " + n + " (" + type + "): " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < out.size(); i++) {
            out.set(i, conns.containsKey(out.get(i).conn()) ? conns.get(out.get(i).conn()).complete(out.get(i))
                    : out.get(i));
        }
        return out;
    }

    /** One connection's decoding state: open requests by ref, and the latest exchange per topic. */
    private static final class Conn {
        final Serializer serializer;
        final Map<String, String> params;
        final long t;
        final Map<String, Pending> byRef = new HashMap<>();
        final Map<String, Pending> latestOnTopic = new HashMap<>();
        final Map<Exchange, Pending> pendings = new java.util.IdentityHashMap<>(); // equal records may recur

        Conn(Serializer serializer, Map<String, String> params, long t) {
            this.serializer = serializer;
            this.params = params;
            this.t = t;
        }

        void frame(String id, long t, JsonNode line, List<Exchange> out) {
            boolean fromClient = line.path("from").asText().equals("client");
            Frame frame = line.has("binary") ? Frame.binary(Base64.getDecoder().decode(line.get("binary").asText()))
                    : Frame.text(line.path("text").asText());
            Message m = fromClient ? serializer.decodeFromClient(frame) : serializer.decodeFromServer(frame);
            if (fromClient) {
                if (m.event().equals("heartbeat") || m.event().equals("phx_leave")) {
                    return;
                }
                Pending p = new Pending(t);
                Exchange e = m.event().equals("phx_join")
                        ? new Exchange.Join(id, t, m.topic(), json(m.payload()), null, null, List.of())
                        : new Exchange.Push(id, t, m.topic(), m.event(), json(m.payload()), m.payload().isBinary(),
                                null, null, List.of());
                p.exchange = e;
                byRef.put(m.ref(), p);
                latestOnTopic.put(m.topic(), p);
                pendings.put(e, p);
                out.add(e);
            } else if (m.isReply()) {
                Pending p = byRef.remove(m.ref());
                if (p != null) {
                    Payload.Reply r = m.payload().asReply();
                    p.status = r.status();
                    p.response = json(r.response());
                    p.afterBeforeReply = p.after.size();
                }
            } else if (!m.event().equals("phx_close") && !m.event().equals("phx_error")) {
                Pending p = latestOnTopic.get(m.topic());
                if (p != null) {
                    p.after.add(new Exchange.After(m.event(), json(m.payload()), Math.max(0, t - p.t), false));
                }
            }
        }

        Exchange complete(Exchange e) {
            Pending p = pendings.get(e);
            if (p == null) {
                return e;
            }
            for (int i = 0; i < p.afterBeforeReply; i++) {
                Exchange.After a = p.after.get(i);
                p.after.set(i, new Exchange.After(a.event(), a.payload(), a.delayMs(), true));
            }
            if (e instanceof Exchange.Join j) {
                return new Exchange.Join(j.conn(), j.t(), j.topic(), j.params(), p.status, p.response,
                        List.copyOf(p.after));
            }
            Exchange.Push x = (Exchange.Push) e;
            return new Exchange.Push(x.conn(), x.t(), x.topic(), x.event(), x.payload(), x.binary(), p.status,
                    p.response, List.copyOf(p.after));
        }
    }

    private static final class Pending {
        final long t;
        final List<Exchange.After> after = new ArrayList<>();
        Exchange exchange;
        String status;
        JsonNode response;
        /** How many server messages came before the reply (all of them are after it when none came). */
        int afterBeforeReply;

        Pending(long t) {
            this.t = t;
        }
    }

    static JsonNode json(Payload p) {
        if (p.isBinary()) {
            return JSON.createObjectNode().put("binary",
                    Base64.getEncoder().encodeToString(((Payload.Binary) p).toByteArray()));
        }
        return p.asJson().json();
    }
}
