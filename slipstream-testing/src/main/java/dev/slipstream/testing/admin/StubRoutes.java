package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.stub.StubFormatException;
import dev.slipstream.testing.stub.Stubs;
import java.nio.charset.StandardCharsets;

/**
 * The channel stubs at runtime, in the stub format's {@code channels[]} objects: {@code GET /__admin/stubs} (in the
 * order they are tried), {@code POST /__admin/stubs} (adds one after the others; 201 with its id),
 * {@code GET|PUT|DELETE /__admin/stubs/{id}}, {@code DELETE /__admin/stubs} (back to the stubs the server was started
 * with). A body the loader refuses is a 400 whose error is the loader's (JSON path and problem).
 */
final class StubRoutes {
    private StubRoutes() {}

    static void install(Routes routes, FakePhoenixServer server) {
        routes.add("GET", "/stubs", call -> {
            ArrayNode list = Json.array();
            stubs(server).channels().forEach(list::add);
            return Routes.Answer.ok(Json.object().set("stubs", list));
        });
        routes.add("POST", "/stubs", call -> {
            String id = read(() -> stubs(server).add(body(call)));
            return new Routes.Answer(201, Json.object().put("id", id));
        });
        routes.add("DELETE", "/stubs", call -> {
            stubs(server).reset();
            return Routes.Answer.ok(Json.object().put("reset", true));
        });
        routes.add("GET", "/stubs/{id}", call -> Routes.Answer.ok(find(server, call.param("id"))));
        routes.add("PUT", "/stubs/{id}", call -> {
            String id = call.param("id");
            boolean replaced = read(() -> stubs(server).replace(id, body(call)));
            if (!replaced) {
                throw AdminError.notFound(missing(server, id));
            }
            return Routes.Answer.ok(find(server, id));
        });
        routes.add("DELETE", "/stubs/{id}", call -> {
            String id = call.param("id");
            if (!stubs(server).remove(id)) {
                throw AdminError.notFound(missing(server, id));
            }
            return Routes.Answer.ok(Json.object().put("removed", id));
        });
    }

    private static Stubs stubs(FakePhoenixServer server) {
        return server.stubs().orElseThrow(() -> AdminError.conflict("this server was started without stubs "
                + "(slipstream serve --stubs DIR, or FakePhoenixServer.builder().stubs(...))"));
    }

    private static com.fasterxml.jackson.databind.JsonNode find(FakePhoenixServer server, String id) {
        return stubs(server).channels().stream().filter(c -> c.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> AdminError.notFound(missing(server, id)));
    }

    private static String missing(FakePhoenixServer server, String id) {
        return "no channel stub \"" + id + "\"; the stubs are " + stubs(server).channels().stream()
                .map(c -> c.path("id").asText()).toList();
    }

    private static String body(Routes.Call call) {
        Json.body(call.body(), true); // a JSON object, or a 400 saying what it is
        return new String(call.body(), StandardCharsets.UTF_8);
    }

    private interface Change<T> {
        T run();
    }

    private static <T> T read(Change<T> change) {
        try {
            return change.run();
        } catch (StubFormatException e) {
            throw AdminError.badRequest(e.getMessage());
        } catch (IllegalArgumentException e) { // a duplicate id
            throw AdminError.conflict(e.getMessage());
        }
    }
}
