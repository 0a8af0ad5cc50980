package dev.slipstream.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

/**
 * Seeded random messages for property tests: the same seed always gives the same message, so a failure names the
 * seed that reproduces it.
 */
final class MessageGenerator {
    /** Pieces strings are built from: ASCII, characters JSON must escape, non-ASCII BMP, and surrogate pairs. */
    private static final String[] PIECES = {
        "a", "Z", "0", "9", ":", "_", "-", " ", "/", "room", "lobby", "phx", "~", "{", "}", "[", "]", ",",
        "\"", "\\", "\n", "\t", "\r", "\b", "\f", "\u0000", "\u0001", "\u001f", "\u007f",
        "é", "ß", "ü", "Ж", "中", "文", "\u2028", "\u2029", "\uFEFF", "\uFFFD", "\uFFFF",
        "😀", "𝄞", "\uD83D\uDC4D", "\uDBFF\uDFFF",
    };

    private final Random random;

    MessageGenerator(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    /** A string of up to {@code maxPieces} pieces; at most 4 UTF-8 bytes per char pair, 8 per piece. */
    String string(int maxPieces) {
        int n = random.nextInt(maxPieces + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    /** A header string that fits a binary frame (at most 255 UTF-8 bytes) and is not empty. */
    String header() {
        String s;
        do {
            s = string(random.nextInt(4) == 0 ? 40 : 8);
        } while (s.isEmpty() || Bytes.utf8Length(s) > Protocol.MAX_BINARY_FIELD_BYTES);
        return s;
    }

    /** A ref: null, or a non-empty string (binary frames cannot tell an empty ref from a missing one). */
    String ref() {
        if (random.nextInt(4) == 0) {
            return null;
        }
        return random.nextBoolean() ? Integer.toString(random.nextInt(100_000)) : header();
    }

    /** An event that is not {@code phx_reply}. */
    String event() {
        String e = header();
        return Protocol.PHX_REPLY.equals(e) ? e + "x" : e;
    }

    /** A JSON payload: often an object (as Phoenix requires for pushes), sometimes any value, rarely huge. */
    Payload.Json json() {
        int pick = random.nextInt(20);
        if (pick == 0) {
            return Payload.empty();
        }
        if (pick == 1) {
            ObjectNode big = JsonNodeFactory.instance.objectNode();
            big.put("body", string(2000) + "x".repeat(random.nextInt(300_000)));
            return Payload.json(big);
        }
        if (pick < 5) {
            return Payload.json(value(3));
        }
        return Payload.json(object(3));
    }

    /** A binary payload: empty, small, or rarely large. */
    Payload.Binary binary() {
        int pick = random.nextInt(20);
        int size = pick == 0 ? 0 : pick == 1 ? random.nextInt(1 << 20) : random.nextInt(300);
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return Payload.binary(bytes);
    }

    private ObjectNode object(int depth) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            o.set(string(4), value(depth - 1));
        }
        return o;
    }

    private JsonNode value(int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (random.nextInt(depth <= 0 ? 7 : 9)) {
            case 0: return f.nullNode();
            case 1: return f.booleanNode(random.nextBoolean());
            case 2: return f.numberNode(random.nextLong());
            case 3: return f.numberNode(random.nextInt(1000) - 500);
            case 4: return f.numberNode(new BigDecimal(BigInteger.valueOf(random.nextLong()), random.nextInt(20) - 10));
            case 5: return f.numberNode(random.nextDouble() * 1e6);
            case 6: return f.textNode(string(12));
            case 7: return object(depth);
            default: {
                ArrayNode a = f.arrayNode();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(value(depth - 1));
                }
                return a;
            }
        }
    }

    /** A message a client sends: JSON (any serializer) or, when {@code binary}, a binary push (V2 only). */
    Message clientMessage(boolean binaryAllowed) {
        Payload payload = binaryAllowed && random.nextInt(3) == 0 ? binary() : json();
        return Message.of(ref(), ref(), header(), event(), payload);
    }

    /**
     * A message a server sends: a reply (JSON or, when allowed, binary response), a push with a join_ref and no
     * ref, or a broadcast with neither; JSON messages may carry any refs.
     */
    Message serverMessage(boolean binaryAllowed) {
        boolean binary = binaryAllowed && random.nextInt(3) == 0;
        String topic = header();
        switch (random.nextInt(3)) {
            case 0: {
                Payload response = binary ? binary() : json();
                String status = random.nextBoolean() ? (random.nextBoolean() ? "ok" : "error") : header();
                return Message.reply(ref(), ref(), topic, status, response);
            }
            case 1:
                return Message.of(binary ? header() : ref(), binary ? null : ref(), topic, event(),
                        binary ? binary() : json());
            default:
                return Message.broadcast(topic, event(), binary ? binary() : json());
        }
    }
}
