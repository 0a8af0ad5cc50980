package dev.slipstream.benchmarks;

import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of the wire codec, on both sides: what a client does (encode a push, decode a reply) and what a
 * server does (decode a push, encode a reply), for a typical message of about 200 bytes and for a 1 MiB one, as
 * V2 JSON text, V2 binary and V1 JSON frames.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar CodecBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {

    /** {@code typical}: a chat-sized frame of about 200 bytes; {@code 1MiB}: a payload of 1 MiB. */
    @Param({"typical", "1MiB"})
    public String size;

    /** {@code v2-json}: V2 text frames; {@code v2-binary}: V2 binary frames; {@code v1-json}: V1 text frames. */
    @Param({"v2-json", "v2-binary", "v1-json"})
    public String format;

    private Serializer serializer;
    private Message push;
    private Message reply;
    private Frame pushFrame;
    private Frame replyFrame;

    @Setup
    public void setUp() {
        serializer = format.startsWith("v1") ? Serializer.v1() : Serializer.v2();
        Payload payload;
        if (format.endsWith("binary")) {
            byte[] bytes = new byte[size.equals("typical") ? 170 : 1 << 20];
            new Random(42).nextBytes(bytes);
            payload = Payload.binary(bytes);
        } else {
            payload = Payload.json(jsonPayload(size));
        }
        push = Message.of("3", "17", "room:lobby", "new_msg", payload);
        reply = Message.reply("3", "17", "room:lobby", "ok", payload);
        pushFrame = serializer.encodeToServer(push);
        replyFrame = serializer.encodeToClient(reply);
    }

    /**
     * The JSON payload of {@code size} ({@code typical}: a chat message of about 130 bytes; {@code 1MiB}: 1 MiB of
     * small objects), also used by the load harness's {@code codec} benchmark.
     *
     * @param size {@code typical} or {@code 1MiB}
     * @return the payload's JSON text, the same for every call
     */
    public static String jsonPayload(String size) {
        if (size.equals("typical")) {
            return "{\"body\":\"Hello everyone, the deploy is done and the dashboards are green."
                    + "\",\"user\":{\"id\":4711,\"name\":\"ada\"},\"sent_at\":1795467586,\"tags\":[\"ops\",\"deploy\"]}";
        }
        StringBuilder sb = new StringBuilder(1 << 20).append("{\"rows\":[");
        Random r = new Random(42);
        for (int i = 0; sb.length() < (1 << 20) - 100; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"user-")
                    .append(Long.toHexString(r.nextLong())).append("\",\"score\":").append(r.nextInt(1000))
                    .append("}");
        }
        return sb.append("]}").toString();
    }

    /** Client side: a push to send. */
    @Benchmark
    public Frame clientEncodePush() {
        return serializer.encodeToServer(push);
    }

    /** Client side: a reply received. */
    @Benchmark
    public Message clientDecodeReply() {
        return serializer.decodeFromServer(replyFrame);
    }

    /** Server side: a push received. */
    @Benchmark
    public Message serverDecodePush() {
        return serializer.decodeFromClient(pushFrame);
    }

    /** Server side: a reply to send. */
    @Benchmark
    public Frame serverEncodeReply() {
        return serializer.encodeToClient(reply);
    }
}
