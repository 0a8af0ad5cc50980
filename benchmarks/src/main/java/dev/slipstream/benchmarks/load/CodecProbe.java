package dev.slipstream.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import kotlin.jvm.functions.Function1;
import org.phoenixframework.Defaults;

/**
 * The codec figures of the harness's {@code codec} benchmark for a JVM client, timed the way {@code js/codec.js}
 * times phoenix.js, so that the three clients are compared in one run with one method: each operation runs for a
 * warm-up period, then for a measured one, and the figure is nanoseconds per operation. Encode a push whose payload
 * is already in the client's own form (JSON text for Slipstream, a {@code Map} for JavaPhoenixClient), and decode the
 * V2 reply to it; Slipstream's decode keeps the payload as text until it is read, so it is also timed with the
 * payload read as a tree ({@code decodeReplyAndRead}), which is what the peers always do. The JMH benchmarks
 * ({@code CodecBenchmark}, {@code PeerCodecBenchmark}) measure the JVM side in more depth, allocation included.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.slipstream.benchmarks.load.CodecProbe slipstream typical.json large.json 1000 2000
 * }</pre>
 */
public final class CodecProbe {
    private static long sink;

    private CodecProbe() {}

    /** {@code <slipstream|javaphoenixclient> <typical payload file> <large payload file> <warm-up ms> <measure ms>}. */
    public static void main(String[] args) throws Exception {
        String client = args[0];
        long warmNanos = Long.parseLong(args[3]) * 1_000_000;
        long measureNanos = Long.parseLong(args[4]) * 1_000_000;
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("client", client);
        ObjectNode nanos = out.putObject("nanosPerOp");
        Serializer v2 = Serializer.v2();
        for (String[] sized : List.of(new String[] {"typical", args[1]}, new String[] {"1MiB", args[2]})) {
            String size = sized[0];
            String text = Files.readString(Path.of(sized[1]));
            Frame reply = v2.encodeToClient(Message.reply("3", "17", "room:lobby", "ok", Payload.json(text)));
            if (client.equals("slipstream")) {
                Message push = Message.of("3", "17", "room:lobby", "new_msg", Payload.json(text));
                nanos.put("encodePush/" + size, time(warmNanos, measureNanos, () -> v2.encodeToServer(push).size()));
                nanos.put("decodeReply/" + size, time(warmNanos, measureNanos,
                        () -> v2.decodeFromServer(reply).ref().length()));
                nanos.put("decodeReplyAndRead/" + size, time(warmNanos, measureNanos, () -> {
                    Payload.Reply r = (Payload.Reply) v2.decodeFromServer(reply).payload();
                    return ((Payload.Json) r.response()).json().size();
                }));
            } else if (client.equals("javaphoenixclient")) {
                Function1<Object, String> encode = Defaults.INSTANCE.getEncode();
                Function1<String, org.phoenixframework.Message> decode = Defaults.INSTANCE.getDecode();
                @SuppressWarnings("unchecked")
                Map<String, Object> payload = new ObjectMapper().readValue(text, Map.class);
                List<Object> push = Arrays.asList("3", "17", "room:lobby", "new_msg", payload);
                String replyText = ((Frame.Text) reply).text();
                nanos.put("encodePush/" + size, time(warmNanos, measureNanos, () -> encode.invoke(push).length()));
                nanos.put("decodeReply/" + size, time(warmNanos, measureNanos,
                        () -> decode.invoke(replyText).getRef().length()));
            } else {
                throw new IllegalArgumentException("unknown client \"" + client + "\" (slipstream, javaphoenixclient)");
            }
        }
        out.put("sink", sink != 0);
        System.out.println(out);
    }

    /** Runs {@code op} for the warm-up, then for the measured period; returns nanoseconds per operation of the latter. */
    private static double time(long warmNanos, long measureNanos, IntSupplier op) {
        long warmEnd = System.nanoTime() + warmNanos;
        while (System.nanoTime() < warmEnd) {
            sink += op.getAsInt();
        }
        long start = System.nanoTime();
        long end = start + measureNanos;
        long ops = 0;
        long now = start;
        while (now < end) {
            sink += op.getAsInt();
            ops++;
            now = System.nanoTime();
        }
        return (double) (now - start) / ops;
    }
}
