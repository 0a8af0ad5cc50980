package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.PhoenixVersion;
import dev.slipstream.testing.ServerConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The connections and what the admin API does to them: list them, push to one connection's topic, broadcast to a
 * topic, close one connection by its id or every connection of a socket id.
 */
final class ConnectionRoutes {
    private ConnectionRoutes() {}

    static void install(Routes routes, FakePhoenixServer server) {
        routes.add("GET", "/connections", call -> {
            ArrayNode list = Json.array();
            server.connections().forEach(c -> list.add(describe(c)));
            ObjectNode body = Json.object();
            body.set("connections", list);
            return Routes.Answer.ok(body);
        });
        routes.add("GET", "/connections/{id}", call -> Routes.Answer.ok(describe(find(server, call.param("id")))));
        routes.add("DELETE", "/connections/{id}", call -> {
            ServerConnection c = find(server, call.param("id"));
            int code = closeCode(server, call.query("code"));
            c.close(code);
            return Routes.Answer.ok(Json.object().put("disconnected", c.id()).put("code", code));
        });
        routes.add("POST", "/connections/{id}/push", call -> {
            ServerConnection c = find(server, call.param("id"));
            ObjectNode body = Json.body(call.body(), true);
            String topic = Json.text(body, "topic");
            String event = Json.text(body, "event");
            Payload payload = Json.payload(body);
            if (!c.joinedTopics().contains(topic)) {
                throw AdminError.conflict(c.id() + " has not joined \"" + topic + "\"; joined: " + c.joinedTopics());
            }
            if (payload.isBinary() && isV1(c)) {
                throw AdminError.conflict(c.id() + " speaks vsn " + c.vsn() + ", which has no binary frames");
            }
            c.push(topic, event, payload);
            return Routes.Answer.ok(Json.object().put("connection", c.id()).put("topic", topic).put("event", event));
        });
        routes.add("POST", "/broadcast", call -> {
            ObjectNode body = Json.body(call.body(), true);
            String topic = Json.text(body, "topic");
            String event = Json.text(body, "event");
            Payload payload = Json.payload(body);
            List<ServerConnection> joined = new ArrayList<>();
            for (ServerConnection c : server.connections()) {
                if (c.joinedTopics().contains(topic)) {
                    joined.add(c);
                }
            }
            if (payload.isBinary()) {
                List<String> v1 = joined.stream().filter(ConnectionRoutes::isV1).map(ServerConnection::id).toList();
                if (!v1.isEmpty()) {
                    throw AdminError.conflict("a binary broadcast cannot reach " + v1 + " on \"" + topic
                            + "\": they speak vsn 1.0.0, which has no binary frames");
                }
            }
            server.broadcast(topic, event, payload);
            // Phoenix broadcasts to nobody without complaint; the count lets a test see that it did.
            return Routes.Answer.ok(Json.object().put("topic", topic).put("event", event)
                    .put("subscribers", joined.size()));
        });
        routes.add("POST", "/sockets/{socket_id}/disconnect", call -> {
            String socketId = call.param("socket_id");
            int closed = server.disconnect(socketId);
            if (closed == 0) {
                TreeSet<String> ids = new TreeSet<>();
                server.connections().forEach(c -> c.socketId().ifPresent(ids::add));
                throw AdminError.notFound("no open connection has the socket id \"" + socketId + "\"; open socket ids: "
                        + ids);
            }
            return Routes.Answer.ok(Json.object().put("socket_id", socketId).put("closed", closed)
                    .put("code", disconnectCode(server)));
        });
    }

    static ObjectNode describe(ServerConnection c) {
        ObjectNode o = Json.object()
                .put("id", c.id())
                .put("socket_id", c.socketId().orElse(null))
                .put("vsn", c.vsn());
        ObjectNode params = o.putObject("params");
        for (Map.Entry<String, String> p : c.request().params().entrySet()) {
            params.put(p.getKey(), p.getValue());
        }
        ArrayNode topics = o.putArray("topics");
        c.joinedTopics().forEach(topics::add);
        return o;
    }

    private static ServerConnection find(FakePhoenixServer server, String id) {
        List<String> open = new ArrayList<>();
        for (ServerConnection c : server.connections()) {
            if (c.id().equals(id) && c.isOpen()) {
                return c;
            }
            open.add(c.id());
        }
        throw AdminError.notFound("no open connection \"" + id + "\"; open: " + open);
    }

    /** The {@code code} query parameter, or the close code of Phoenix's socket-id disconnect. */
    private static int closeCode(FakePhoenixServer server, String code) {
        if (code == null) {
            return disconnectCode(server);
        }
        try {
            int c = Integer.parseInt(code);
            if (c >= 1000 && c <= 4999 && c != 1004 && c != 1005 && c != 1006 && c != 1015) {
                return c;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw AdminError.badRequest("code must be a close code a server may send (1000-4999 but not 1004, 1005, "
                + "1006 or 1015), got \"" + code + "\"");
    }

    /** What {@link FakePhoenixServer#disconnect(String)} sends: 1001 on Phoenix 1.8, 1000 on 1.7. */
    private static int disconnectCode(FakePhoenixServer server) {
        return server.version() == PhoenixVersion.V1_7 ? 1000 : 1001;
    }

    private static boolean isV1(ServerConnection c) {
        return c.vsn().startsWith("1.");
    }
}
