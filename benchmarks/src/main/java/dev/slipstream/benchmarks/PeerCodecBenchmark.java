package dev.slipstream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.protocol.Frame;
import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import dev.slipstream.protocol.Serializer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kotlin.jvm.functions.Function1;
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
import org.phoenixframework.Defaults;

/**
 * JavaPhoenixClient 1.3.1's codec ({@code Defaults.encode}/{@code decode}, Gson) on the messages of
 * {@link CodecBenchmark}, to set beside its {@code clientEncodePush} and {@code clientDecodeReply} with
 * {@code format=v2-json}: encode a push, decode the reply to it. JavaPhoenixClient always decodes a reply's payload
 * into maps, where Slipstream keeps it as text until it is read, so Slipstream's decode is also measured here with
 * the payload then read as a tree.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar 'CodecBenchmark|PeerCodecBenchmark' -p format=v2-json -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PeerCodecBenchmark {

    /** {@code typical}: a chat-sized frame of about 200 bytes; {@code 1MiB}: a payload of 1 MiB. */
    @Param({"typical", "1MiB"})
    public String size;

    private final Serializer serializer = Serializer.v2();
    private Frame replyFrame;
    private Function1<Object, String> peerEncode;
    private Function1<String, org.phoenixframework.Message> peerDecode;
    private List<Object> peerPush;
    private String replyText;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        String json = CodecBenchmark.jsonPayload(size);
        replyFrame = serializer.encodeToClient(Message.reply("3", "17", "room:lobby", "ok", Payload.json(json)));
        replyText = ((Frame.Text) replyFrame).text();
        peerEncode = Defaults.INSTANCE.getEncode();
        peerDecode = Defaults.INSTANCE.getDecode();
        // What JavaPhoenixClient's Socket hands its encoder for a push: the five fields, the payload a Map.
        Map<String, Object> payload = new ObjectMapper().readValue(json, Map.class);
        peerPush = Arrays.asList("3", "17", "room:lobby", "new_msg", payload);
    }

    /** Slipstream: a reply received and its response read as a tree. */
    @Benchmark
    public JsonNode slipstreamDecodeReplyAndReadPayload() {
        Payload.Reply reply = (Payload.Reply) serializer.decodeFromServer(replyFrame).payload();
        return ((Payload.Json) reply.response()).json();
    }

    /** JavaPhoenixClient 1.3.1: a push to send, its payload given as a Map. */
    @Benchmark
    public String javaPhoenixClientEncodePush() {
        return peerEncode.invoke(peerPush);
    }

    /** JavaPhoenixClient 1.3.1: a reply received (its payload decoded into maps). */
    @Benchmark
    public org.phoenixframework.Message javaPhoenixClientDecodeReply() {
        return peerDecode.invoke(replyText);
    }
}
