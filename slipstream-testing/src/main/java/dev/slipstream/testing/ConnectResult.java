package dev.slipstream.testing;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link ConnectHandler} decides: accept (with assigns and an optional socket id, like Phoenix's
 * {@code {:ok, socket}} and {@code id/1}), reject (HTTP 403 with an empty body, like {@code :error}), reject with
 * another status and body (like a custom {@code error_handler}), or {@linkplain #later decide later}.
 *
 * <pre>{@code
 * ConnectResult.accept();
 * ConnectResult.accept(Map.of("user_id", "42")).withSocketId("user_socket:42");
 * ConnectResult.reject();
 * ConnectResult.later(futureTheTestCompletes);
 * }</pre>
 */
public abstract sealed class ConnectResult permits ConnectResult.Accept, ConnectResult.Reject, ConnectResult.Later {
    private ConnectResult() {}

    /** Accept with no assigns and no socket id. */
    public static Accept accept() {
        return new Accept(Map.of(), null);
    }

    /** Accept with assigns, which every channel of the connection starts from. */
    public static Accept accept(Map<String, ?> assigns) {
        return new Accept(Map.copyOf(assigns), null);
    }

    /** Refuse with HTTP 403 and an empty body, as Phoenix does for {@code :error}. */
    public static ConnectResult reject() {
        return new Reject(403, "");
    }

    /** Refuse with another status and body, as a custom Phoenix {@code error_handler} may. */
    public static ConnectResult reject(int status, String body) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a refusal needs a 4xx or 5xx status, got " + status);
        }
        return new Reject(status, Objects.requireNonNull(body, "body"));
    }

    /**
     * Decide when {@code result} completes (on any thread); the HTTP upgrade waits until then. A stage that completes
     * exceptionally refuses the connect with HTTP 500, as an exception in Phoenix's {@code connect/3} would.
     */
    public static ConnectResult later(CompletionStage<ConnectResult> result) {
        return new Later(Objects.requireNonNull(result, "result"));
    }

    /** An accepted connect. */
    public static final class Accept extends ConnectResult {
        final Map<String, Object> assigns;
        final String socketId;

        Accept(Map<String, Object> assigns, String socketId) {
            this.assigns = assigns;
            this.socketId = socketId;
        }

        /**
         * The same acceptance with a socket id, such as {@code "user_socket:42"} (Phoenix's {@code id/1}), which
         * {@link FakePhoenixServer#disconnect(String)} uses.
         */
        public Accept withSocketId(String socketId) {
            return new Accept(assigns, Objects.requireNonNull(socketId, "socketId"));
        }

        @Override
        public String toString() {
            return "ConnectResult.accept(" + assigns + (socketId == null ? "" : ", id=" + socketId) + ")";
        }
    }

    static final class Reject extends ConnectResult {
        final int status;
        final String body;

        Reject(int status, String body) {
            this.status = status;
            this.body = body;
        }

        @Override
        public String toString() {
            return "ConnectResult.reject(" + status + ")";
        }
    }

    static final class Later extends ConnectResult {
        final CompletionStage<ConnectResult> stage;

        Later(CompletionStage<ConnectResult> stage) {
            this.stage = stage;
        }

        @Override
        public String toString() {
            return "ConnectResult.later(" + stage + ")";
        }
    }
}
