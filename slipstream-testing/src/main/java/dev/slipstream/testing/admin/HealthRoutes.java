package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.PhoenixVersion;

/** {@code GET /__admin/health}: the server is up, which Phoenix it imitates, how busy it is. */
final class HealthRoutes {
    private HealthRoutes() {}

    static void install(Routes routes, FakePhoenixServer server, Journal journal) {
        routes.add("GET", "/health", call -> {
            ObjectNode body = Json.object()
                    .put("status", "ok")
                    .put("phoenix", server.version() == PhoenixVersion.V1_7 ? "1.7" : "1.8")
                    .put("socket", server.uri().toString())
                    .put("connections", server.connections().size());
            body.putObject("journal")
                    .put("size", journal.size())
                    .put("limit", journal.capacity())
                    .put("dropped", journal.dropped());
            return Routes.Answer.ok(body);
        });
    }
}
