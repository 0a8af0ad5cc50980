package dev.slipstream.releasecheck;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.transport.JdkWebSocketTransport;
import dev.slipstream.client.transport.Transport;
import dev.slipstream.junit5.SlipstreamExtension;
import dev.slipstream.protocol.Payload;
import dev.slipstream.testing.ChannelHandler;
import dev.slipstream.testing.ChannelSocket;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.Reply;
import dev.slipstream.transport.nio.NioWebSocketTransport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs on the module path ({@code java --module-path ... --module dev.slipstream.releasecheck/...}, from this
 * module's pom in {@code mvn verify}): the published modules resolve as real modules, our client talks to our fake
 * server over a loopback websocket on both transports, and no {@code internal} package is exported. Exits 1 with the
 * reason otherwise.
 */
public final class ModulePathCheck {
    private ModulePathCheck() {}

    public static void main(String[] args) throws Exception {
        List<Class<?>> published = List.of(Payload.class, SlipstreamClient.class, NioWebSocketTransport.class,
                FakePhoenixServer.class, SlipstreamExtension.class);
        for (Class<?> type : published) {
            Module module = type.getModule();
            check(module.isNamed() && !module.getDescriptor().isAutomatic(),
                    type.getName() + " is not in an explicit named module but in " + module);
            for (String pkg : module.getPackages()) {
                check(!pkg.contains(".internal") || !module.isExported(pkg),
                        module.getName() + " exports its internal package " + pkg);
            }
        }
        try (FakePhoenixServer server = FakePhoenixServer.builder().channel("room:*", new Echo()).start()) {
            roundTrip(server, JdkWebSocketTransport.shared());
            roundTrip(server, NioWebSocketTransport.shared());
        }
        System.out.println("module path: " + published.stream().map(t -> t.getModule().getName()).toList()
                + " resolved; the client pushed and got the reply on both transports");
    }

    private static void roundTrip(FakePhoenixServer server, Transport transport) throws Exception {
        try (SlipstreamClient client = SlipstreamClient.builder(server.uri()).transport(transport).build()) {
            client.connect().get(30, TimeUnit.SECONDS);
            client.join("room:lobby").get(30, TimeUnit.SECONDS);
            Payload.Reply reply = client.push("room:lobby", "echo", Payload.json("{\"body\":\"hi\"}"))
                    .get(30, TimeUnit.SECONDS);
            check(reply.isOk() && reply.response().asJson().json().get("body").asText().equals("hi"),
                    "unexpected reply on " + transport + ": " + reply);
        }
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            System.err.println("module path check failed: " + failure);
            System.exit(1);
        }
    }

    /** Answers every push with its own payload. */
    private static final class Echo implements ChannelHandler {
        @Override
        public JoinResult join(String topic, Payload params, ChannelSocket socket) {
            return JoinResult.ok(Map.of());
        }

        @Override
        public HandleResult handleIn(String event, Payload payload, ChannelSocket socket) {
            return HandleResult.reply(Reply.ok(payload));
        }
    }
}
