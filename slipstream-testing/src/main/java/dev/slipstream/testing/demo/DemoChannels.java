package dev.slipstream.testing.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ConnectResult;
import dev.slipstream.testing.FakePhoenixServer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The demo Phoenix app the fake server can play, exactly as the real server behind {@code real-phoenix-frames.md}
 * behaves: the {@code echo:*} and {@code presence:*} channels, a connect handler ({@code reject=true} refuses with
 * 403; {@code user_id} becomes the assign {@code user_id} and the socket id {@code user_socket:<id>}), and HTTP
 * helpers for clients in any language:
 *
 * <ul>
 * <li>{@code POST /disconnect/:user_id}: closes every connection of {@code user_socket:<user_id>}; answers 200
 *     {@code {"disconnected":"user_socket:<user_id>"}}.</li>
 * <li>{@code POST /broadcast/:topic/:event} with a JSON object body (empty means {@code {}}): broadcasts it; answers
 *     200 {@code {"broadcast":topic,"event":event}}, or 400 for a body that is not a JSON object.</li>
 * <li>{@code GET /health}: 200 {@code {"status":"ok"}}.</li>
 * </ul>
 *
 * <pre>{@code
 * FakePhoenixServer server = DemoChannels.install(FakePhoenixServer.builder()).build().start();
 * }</pre>
 */
public final class DemoChannels {
    private DemoChannels() {}

    /** Adds the demo connect handler, channels and HTTP helpers to {@code builder}. Returns the builder. */
    public static FakePhoenixServer.Builder install(FakePhoenixServer.Builder builder) {
        builder.connectHandler(request -> {
            if ("true".equals(request.param("reject"))) {
                return ConnectResult.reject();
            }
            String userId = request.param("user_id");
            if (userId == null) {
                return ConnectResult.accept();
            }
            return ConnectResult.accept(Map.of("user_id", userId)).withSocketId("user_socket:" + userId);
        });
        builder.channel("echo:*", new EchoChannel());
        builder.channel("presence:*", new PresenceChannel());
        builder.httpHandler(server -> exchange -> http(exchange, server));
        return builder;
    }

    private static void http(HttpServerExchange exchange, FakePhoenixServer server) {
        String path = exchange.getRequestPath();
        if (exchange.getRequestMethod().equals(Methods.GET) && path.equals("/health")) {
            json(exchange, 200, "{\"status\":\"ok\"}");
            return;
        }
        if (exchange.getRequestMethod().equals(Methods.POST) && path.startsWith("/disconnect/")) {
            String userId = decode(path.substring("/disconnect/".length()));
            String id = "user_socket:" + userId;
            server.disconnect(id);
            json(exchange, 200, JsonCodec.write(JsonNodeFactory.instance.objectNode().put("disconnected", id)));
            return;
        }
        if (exchange.getRequestMethod().equals(Methods.POST) && path.startsWith("/broadcast/")) {
            String[] parts = path.substring("/broadcast/".length()).split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                json(exchange, 400, "{\"error\":\"expected POST /broadcast/:topic/:event\"}");
                return;
            }
            String topic = decode(parts[0]);
            String event = decode(parts[1]);
            exchange.getRequestReceiver().receiveFullString((ex, body) -> {
                JsonNode payload;
                try {
                    payload = body.isBlank() ? JsonNodeFactory.instance.objectNode() : JsonCodec.parse(body);
                } catch (IllegalArgumentException e) {
                    payload = null;
                }
                if (payload == null || !payload.isObject()) {
                    json(ex, 400, "{\"error\":\"the body must be a JSON object\"}");
                    return;
                }
                server.broadcast(topic, event, Payload.json(payload));
                json(ex, 200, JsonCodec.write(JsonNodeFactory.instance.objectNode()
                        .put("broadcast", topic).put("event", event)));
            }, StandardCharsets.UTF_8);
            return;
        }
        json(exchange, 404, "{\"errors\":{\"detail\":\"Not Found\"}}");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void json(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getResponseSender().send(body);
    }
}
