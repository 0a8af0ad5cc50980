package dev.slipstream.testing.script;

import dev.slipstream.testing.ConnectRequest;
import dev.slipstream.testing.ConnectResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A websocket connect the client attempted, as {@link ScriptedServer#assertConnect()} returns it: its query params
 * and headers, and the test's decision, as Phoenix's {@code connect/3} would make it. The HTTP upgrade waits until
 * the test decides (the client sees nothing until then).
 *
 * <pre>{@code
 * ConnectAttempt attempt = server.assertConnect();
 * assertThat(attempt.param("token")).isEqualTo("t1");
 * assertThat(attempt.header("user-agent")).hasValue("my-app/1.0");
 * ScriptedConnection c = attempt.accept(Map.of("user_id", "u1"));
 * // or: attempt.reject();   (HTTP 403, as Phoenix answers :error)
 * }</pre>
 *
 * <p>When the server decides connects itself ({@link ScriptedServer.Builder#acceptConnects()} or a
 * {@link ScriptedServer.Builder#connectHandler connect handler}), attempts arrive already decided and answering them
 * throws {@link IllegalStateException}; {@link #connection()} still waits for the connection.
 */
public final class ConnectAttempt {
    private final ScriptedServer owner;
    private final ConnectRequest request;
    private final int number;
    private final CompletableFuture<ConnectResult> answer = new CompletableFuture<>();
    private final CompletableFuture<ScriptedConnection> connection = new CompletableFuture<>();
    private final boolean decidedByServer;
    private volatile String decision;
    /** Guarded by the owner's lock: the assertion that took this attempt. */
    String takenBy;

    ConnectAttempt(ScriptedServer owner, ConnectRequest request, int number, ConnectResult serverDecision) {
        this.owner = owner;
        this.request = request;
        this.number = number;
        this.decidedByServer = serverDecision != null;
        if (serverDecision != null) {
            answer.complete(serverDecision);
            decision = serverDecision instanceof ConnectResult.Accept ? "accepted by the server" : "decided by the server";
        }
    }

    /** The connect request: query params ({@code vsn} included), headers, auth token, remote address. */
    public ConnectRequest request() {
        return request;
    }

    /**
     * The query params, {@code vsn} included (as Phoenix's {@code connect/3} sees them); a repeated key keeps its
     * last value.
     */
    public Map<String, String> params() {
        return request.params();
    }

    /** One query param, or {@code null}. */
    public String param(String name) {
        return request.param(name);
    }

    /** The request headers, names in lower case. */
    public Map<String, List<String>> headers() {
        return request.headers();
    }

    /** The first value of a header (case-insensitive name), if present. */
    public Optional<String> header(String name) {
        return request.header(name);
    }

    /** Accepts with no assigns; waits (up to the assert timeout) for the websocket to open and returns it. */
    public ScriptedConnection accept() {
        return accept(ConnectResult.accept());
    }

    /** Accepts with assigns, which the connection's channels start from. */
    public ScriptedConnection accept(Map<String, ?> assigns) {
        return accept(ConnectResult.accept(assigns));
    }

    /**
     * Accepts as {@code result} says, e.g. {@code ConnectResult.accept(assigns).withSocketId("user_socket:42")}, and
     * waits for the websocket to open.
     */
    public ScriptedConnection accept(ConnectResult.Accept result) {
        decide(Objects.requireNonNull(result, "result"), "accepted");
        return connection();
    }

    /** Refuses with HTTP 403 and an empty body, as Phoenix does when {@code connect/3} returns {@code :error}. */
    public void reject() {
        decide(ConnectResult.reject(), "rejected");
    }

    /** Refuses with another status and body, as a custom Phoenix {@code error_handler} may (e.g. 429). */
    public void reject(int status, String body) {
        decide(ConnectResult.reject(status, body), "rejected with " + status);
    }

    /**
     * The connection this attempt opened, waiting up to the assert timeout for the websocket upgrade to finish.
     *
     * @throws org.opentest4j.AssertionFailedError if it does not open in time (refused, or the client gave up)
     */
    public ScriptedConnection connection() {
        return owner.awaitOpen(this, owner.assertTimeout());
    }

    /** {@link #connection()} with its own timeout. */
    public ScriptedConnection connection(Duration timeout) {
        return owner.awaitOpen(this, timeout);
    }

    /** Whether the test (or the server) has decided. */
    public boolean isDecided() {
        return answer.isDone();
    }

    void decide(ConnectResult result, String how) {
        if (decidedByServer) {
            throw new IllegalStateException("connect attempt #" + number + " was already " + decision
                    + " (the server decides connects: acceptConnects() or a connect handler is configured)");
        }
        if (!answer.complete(result)) {
            throw new IllegalStateException("connect attempt #" + number + " was already " + decision);
        }
        decision = how;
    }

    int number() {
        return number;
    }

    String decision() {
        return decision;
    }

    CompletableFuture<ConnectResult> answer() {
        return answer;
    }

    CompletableFuture<ScriptedConnection> openedConnection() {
        return connection;
    }

    /** One line for failure messages. */
    String line() {
        return "#" + number + " params " + request.params() + (decision == null ? " (undecided)" : " (" + decision + ")");
    }

    @Override
    public String toString() {
        return "ConnectAttempt" + line();
    }
}
