package dev.slipstream.testing.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the admin API refuses: the HTTP status and a JSON body whose {@code error} names the culprit (and, for a
 * bad stub, the JSON path). Thrown by route handlers, turned into the response by {@link AdminApi}.
 */
final class AdminError extends RuntimeException {
    private final int status;
    private final ObjectNode body;

    AdminError(int status, String message) {
        this(status, Json.error(message));
    }

    AdminError(int status, ObjectNode body) {
        super(body.path("error").asText(), null, false, false);
        this.status = status;
        this.body = body;
    }

    int status() {
        return status;
    }

    ObjectNode body() {
        return body;
    }

    static AdminError badRequest(String message) {
        return new AdminError(400, message);
    }

    static AdminError notFound(String message) {
        return new AdminError(404, message);
    }

    static AdminError conflict(String message) {
        return new AdminError(409, message);
    }
}
