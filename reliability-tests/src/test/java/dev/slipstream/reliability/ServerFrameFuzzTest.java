package dev.slipstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.client.SlipstreamClient;
import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.protocol.DecodeException;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.HandleResult;
import dev.slipstream.testing.JoinResult;
import dev.slipstream.testing.ServerConnection;
import dev.slipstream.testing.ServerListener;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of the fake server's inbound frames through real websockets (the decoders themselves are
 * fuzzed coverage-guided by Jazzer in slipstream-client, see docs/FUZZING.md). Each iteration opens a V1 or V2
 * connection, sends one mutated frame, and checks the server against the codec's verdict on that same frame: a frame
 * that does not decode closes the connection with 1011 (Phoenix's transport crashes), any other frame leaves the
 * connection serving, proved by a heartbeat answered after it. Meanwhile a bystander client stays connected, joined
 * and answered throughout. {@code slipstream.fuzz.seed} replays a run; {@code slipstream.fuzz.iterations} (default
 * 250) makes it longer.
 */
class ServerFrameFuzzTest {

    private static final List<Message> SEEDS = List.of(
            Message.of("1", "1", "fuzz:a", "phx_join", Payload.json("{\"user\":\"u1\"}")),
            Message.heartbeat("2"),
            Message.of("1", "3", "fuzz:a", "echo", Payload.json("{\"body\":\"hi\",\"n\":[1,2.5,null,true]}")),
            Message.of("1", "4", "fuzz:a", "phx_leave", Payload.empty()),
            Message.of("1", "5", "fuzz:a", "echo", Payload.binary(new byte[] {1, 2, 3, 4, 5})));

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void undecodableFramesClose1011AndTheServerKeepsServingTheOthers() throws Exception {
        long seed = Long.getLong("slipstream.fuzz.seed", System.nanoTime());
        int iterations = Integer.getInteger("slipstream.fuzz.iterations", 250);
        System.out.println("ServerFrameFuzzTest seed=" + seed + " (replay with -Dslipstream.fuzz.seed=" + seed + "), "
                + iterations + " iterations");
        Random random = new Random(seed);
        List<Integer> undecodableSeen = new CopyOnWriteArrayList<>();
        try (FakePhoenixServer server = FakePhoenixServer.builder()
                .recording(false)
                .maxFrameSize(64 * 1024)
                .channel("fuzz:*", new dev.slipstream.testing.ChannelHandler() {
                    @Override
                    public JoinResult join(String topic, Payload params, dev.slipstream.testing.ChannelSocket socket) {
                        return JoinResult.ok();
                    }

                    @Override
                    public HandleResult handleIn(String event, Payload payload,
                            dev.slipstream.testing.ChannelSocket socket) {
                        return HandleResult.ok(Map.of("event", event));
                    }
                })
                .listener(new ServerListener() {
                    @Override
                    public void onUndecodable(ServerConnection connection, Frame frame, DecodeException error) {
                        undecodableSeen.add(1);
                    }
                })
                .start();
             SlipstreamClient bystander = SlipstreamClient.builder(server.socketUri())
                     .eventListener(new BystanderWatch())
                     .build()) {
            bystander.connect().get(5, TimeUnit.SECONDS);
            bystander.join("fuzz:bystander").get(5, TimeUnit.SECONDS);
            String bystanderConnection = server.awaitConnection(Duration.ofSeconds(5)).id();

            Map<String, Integer> verdicts = new TreeMap<>();
            for (int i = 0; i < iterations; i++) {
                boolean v2 = random.nextInt(4) != 0;
                Serializer serializer = v2 ? Serializer.v2() : Serializer.v1();
                Frame mutated = mutate(serializer.encodeToServer(SEEDS.get(random.nextInt(v2 ? 5 : 4))), random);
                boolean decodes;
                try {
                    serializer.decodeFromClient(mutated);
                    decodes = true;
                } catch (DecodeException e) {
                    decodes = false;
                }
                URI uri = URI.create(server.uri() + "?vsn=" + serializer.vsn());
                try (RawWs ws = RawWs.open(uri)) {
                    if (mutated instanceof Frame.Text t) {
                        ws.sendText(t.text());
                    } else {
                        ws.sendBinary(bytes(((Frame.Binary) mutated).bytes()));
                    }
                    if (decodes) {
                        // Still serving: a heartbeat after the frame is answered on the same connection.
                        String probe = serializer.encodeToServer(Message.heartbeat("probe-" + i)) instanceof Frame.Text t
                                ? t.text() : null;
                        assertThat(ws.trySendText(probe)).as("iteration %d: %s decodes, the connection stays", i,
                                mutated).isTrue();
                        ws.awaitFrameContaining("probe-" + i);
                        verdicts.merge("decodes: served on", 1, Integer::sum);
                    } else {
                        assertThat(ws.awaitClose()).as("iteration %d: close code after undecodable %s", i, mutated)
                                .isEqualTo(1011);
                        verdicts.merge("undecodable: closed 1011", 1, Integer::sum);
                    }
                }
                if (i % 50 == 49) {
                    // The bystander is still joined and answered, on its first connection.
                    assertThat(bystander.push("fuzz:bystander", "ping", Payload.empty()).get(5, TimeUnit.SECONDS)
                            .isOk()).isTrue();
                }
            }
            System.out.println("ServerFrameFuzzTest seed=" + seed + " verdicts=" + verdicts);
            assertThat(verdicts).containsKeys("decodes: served on", "undecodable: closed 1011");
            assertThat(undecodableSeen).hasSize(verdicts.get("undecodable: closed 1011"));
            assertThat(bystander.isConnected()).isTrue();
            assertThat(bystander.isJoined("fuzz:bystander")).isTrue();
            assertThat(BystanderWatch.disconnects.get()).as("bystander disconnects").isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.connections())
                    .extracting(ServerConnection::id).containsExactly(bystanderConnection));
            assertThat(server.errors()).as("server-side errors").isEmpty();
        }
    }

    private static final class BystanderWatch implements dev.slipstream.client.event.ClientEventListener {
        static final AtomicInteger disconnects = new AtomicInteger();

        @Override
        public void onEvent(ClientEvent event) {
            if (event instanceof ClientEvent.Disconnected) {
                disconnects.incrementAndGet();
            }
        }
    }

    // ------------------------------------------------------------------ mutations

    private static final String[] TOKENS = {"[", "]", "{", "}", "\"", ",", ":", "null", "true", "1", "-1", "1e999",
        "\"x\"", "\"phx_join\"", "\"phoenix\"", "\"heartbeat\"", "\\", "\\u0000", "é", "{}", "[]", "0.5", " "};

    static Frame mutate(Frame seed, Random random) {
        int rounds = 1 + random.nextInt(3);
        if (seed instanceof Frame.Text t) {
            String s = t.text();
            for (int r = 0; r < rounds; r++) {
                s = mutateText(s, random);
            }
            return Frame.text(s);
        }
        byte[] b = bytes(((Frame.Binary) seed).bytes());
        for (int r = 0; r < rounds; r++) {
            b = mutateBytes(b, random);
        }
        return Frame.binary(b);
    }

    private static String mutateText(String s, Random random) {
        if (s.isEmpty()) {
            return TOKENS[random.nextInt(TOKENS.length)];
        }
        int at = random.nextInt(s.length());
        switch (random.nextInt(7)) {
            case 0:
                return s.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + s.substring(at);
            case 1:
                return s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(6)));
            case 2:
                return s.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)]
                        + s.substring(Math.min(s.length(), at + 1));
            case 3:
                return s.substring(0, at);
            case 4: { // change the arity of the top-level array or object
                int close = Math.max(s.lastIndexOf(']'), s.lastIndexOf('}'));
                return close <= 0 ? s : s.substring(0, close) + ",null" + s.substring(close);
            }
            case 5: { // duplicate a span
                int end = Math.min(s.length(), at + 1 + random.nextInt(10));
                return s.substring(0, end) + s.substring(at, end) + s.substring(end);
            }
            default: // a random printable or control character (never a lone surrogate: the JDK cannot send one)
                char c = (char) (random.nextBoolean() ? random.nextInt(0x20) : 0x20 + random.nextInt(0x7E0));
                return s.substring(0, at) + c + s.substring(Math.min(s.length(), at + 1));
        }
    }

    private static byte[] mutateBytes(byte[] b, Random random) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        byte[] out;
        int at = random.nextInt(b.length);
        switch (random.nextInt(5)) {
            case 0:
                out = b.clone();
                out[at] = (byte) random.nextInt(256);
                return out;
            case 1: // a header length (bytes 1..4) set to something that overflows the frame
                out = b.clone();
                if (b.length > 1) {
                    out[1 + random.nextInt(Math.min(4, b.length - 1))] = (byte) 0xFF;
                }
                return out;
            case 2:
                return java.util.Arrays.copyOf(b, at);
            case 3: {
                out = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                for (int i = b.length; i < out.length; i++) {
                    out[i] = (byte) random.nextInt(256);
                }
                return out;
            }
            default:
                out = b.clone();
                out[0] = (byte) random.nextInt(4); // another kind byte: push, reply, broadcast, unknown
                return out;
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
