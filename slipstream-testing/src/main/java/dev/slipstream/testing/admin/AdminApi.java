package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.protocol.JsonCodec;
import dev.slipstream.testing.FakePhoenixServer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The fake server's HTTP admin API under {@code /__admin/}, on the server's own port, so a test suite in any language
 * drives the fake as it would drive WireMock: the journal of what clients sent, the connections with their topics,
 * pushes, broadcasts and disconnects, stubs at runtime, health. Every answer is JSON; every refusal is JSON with an
 * {@code error} that names the culprit; unknown admin routes are 404. The socket path always wins over the admin
 * API, and requests outside {@code /__admin} go to the server's own HTTP handler. The endpoints, with curl
 * examples, are in {@code docs/ADMIN-API.md}.
 *
 * <p>On by default for {@code slipstream serve}; in Java, opt in on the builder:
 *
 * <pre>{@code
 * try (FakePhoenixServer server = FakePhoenixServer.builder().adminApi(true).start()) {
 *     // curl -X POST http://127.0.0.1:PORT/__admin/broadcast \
 *     //      -d '{"topic":"room:lobby","event":"new_msg","payload":{"body":"hi"}}'
 * }
 * }</pre>
 *
 * <p>Admin requests are answered on the server's I/O thread: every operation only reads state or hands work to a
 * connection's own executor, so none blocks.
 */
public final class AdminApi {
    /** The reserved path prefix. */
    public static final String PREFIX = "/__admin";

    /** How many inbound messages the journal keeps; beyond it the oldest go, and the journal says how many. */
    public static final int JOURNAL_LIMIT = 10_000;

    private static final String NOT_FOUND = "{\"errors\":{\"detail\":\"Not Found\"}}";

    private final Routes routes = new Routes();
    private final HttpHandler next;

    private AdminApi(FakePhoenixServer server, HttpHandler next) {
        this.next = next;
        Journal journal = new Journal(JOURNAL_LIMIT);
        server.addListener(journal);
        HealthRoutes.install(routes, server, journal);
        JournalRoutes.install(routes, journal);
        ConnectionRoutes.install(routes, server);
        StubRoutes.install(routes, server);
    }

    /**
     * The HTTP handler of a server with the admin API {@code enabled}: {@code /__admin} and below go to the admin
     * API, everything else to {@code next} (a JSON 404 when {@code next} is null). Without the admin API it is
     * {@code next} itself. {@link FakePhoenixServer.Builder#adminApi(boolean)} is how a server gets it; this is the
     * one place it is mounted.
     */
    public static HttpHandler mount(FakePhoenixServer server, boolean enabled, HttpHandler next) {
        if (!enabled) {
            return next;
        }
        return new AdminApi(server, next)::handle;
    }

    private void handle(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            if (next != null) {
                next.handleRequest(exchange);
            } else {
                send(exchange, 404, NOT_FOUND);
            }
            return;
        }
        String method = exchange.getRequestMethod().toString();
        String relative = rawPath(exchange).substring(PREFIX.length());
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
            int status;
            JsonNode answer;
            try {
                Routes.Answer a = routes.dispatch(method, relative, ex.getQueryParameters(), body);
                status = a.status();
                answer = a.body();
            } catch (AdminError e) {
                status = e.status();
                answer = e.body();
            } catch (RuntimeException e) {
                status = 500;
                answer = Json.error("the admin API failed on " + method + " " + PREFIX + relative + ": " + e);
            }
            send(ex, status, JsonCodec.write(answer));
        }, (ex, e) -> send(ex, 400, JsonCodec.write(Json.error("cannot read the request body: " + e))));
    }

    /** The path as sent, still percent-encoded, so an encoded {@code /} inside a topic stays inside its segment. */
    private static String rawPath(HttpServerExchange exchange) {
        String uri = exchange.getRequestURI();
        return uri.startsWith("/") ? uri : URI.create(uri).getRawPath();
    }

    private static void send(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
    }
}
