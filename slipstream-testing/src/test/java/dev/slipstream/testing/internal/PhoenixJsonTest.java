package dev.slipstream.testing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.protocol.JsonCodec;
import org.junit.jupiter.api.Test;

/**
 * JSON as Jason writes it. The float expectations are what Erlang's {@code io_lib_format:fwrite_g/1} prints (its
 * documented rule: the shortest digits; plain notation unless scientific is shorter; scientific from 2^53).
 */
class PhoenixJsonTest {
    private static String w(String json) {
        return PhoenixJson.write(JsonCodec.parse(json));
    }

    @Test
    void compactWithSmallMapKeysSorted() {
        assertThat(w("{ \"b\" : 1 , \"a\" : [ 2, {\"z\":0,\"y\":1} ] }")).isEqualTo("{\"a\":[2,{\"y\":1,\"z\":0}],\"b\":1}");
        assertThat(w("{\"online_at\":1,\"phx_ref_prev\":\"p\",\"phx_ref\":\"r\"}"))
                .isEqualTo("{\"phx_ref\":\"r\",\"phx_ref_prev\":\"p\",\"online_at\":1}");
        assertThat(w("{\"é\":1,\"z\":2,\"Z\":3}")).isEqualTo("{\"Z\":3,\"z\":2,\"é\":1}");
    }

    @Test
    void largeMapsKeepTheirOrder() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 40; i > 0; i--) {
            sb.append("\"k").append(i).append("\":").append(i).append(i > 1 ? "," : "}");
        }
        assertThat(w(sb.toString())).isEqualTo(sb.toString());
    }

    @Test
    void stringsEscapeOnlyWhatJasonEscapes() {
        assertThat(w("\"a/b \\u00e9 \\\" \\\\ \\n \\u0001 \\u007f\""))
                .isEqualTo("\"a/b é \\\" \\\\ \\n \\u0001 \u007f\"");
        assertThat(w("\"\\u001f\"")).isEqualTo("\"\\u001F\"");
    }

    @Test
    void numbersAsErlangPrintsThem() {
        assertThat(w("[1, -0, 12345678901234567890123, 1.0, 1E2, 0.1, -2.5, 1.5e-7, 0.001, 0.0001, 1e21, 123456789.0]"))
                .isEqualTo("[1,0,12345678901234567890123,1.0,100.0,0.1,-2.5,1.5e-7,0.001,1.0e-4,1.0e21,123456789.0]");
        assertThat(PhoenixJson.erlangFloat(9007199254740992.0)).isEqualTo("9.007199254740992e15");
        assertThat(PhoenixJson.erlangFloat(1.0e15)).isEqualTo("1.0e15");
        assertThat(PhoenixJson.erlangFloat(1.0e4)).isEqualTo("1.0e4");
        assertThat(PhoenixJson.erlangFloat(1000.0)).isEqualTo("1.0e3");
        assertThat(PhoenixJson.erlangFloat(100.0)).isEqualTo("100.0");
        assertThat(PhoenixJson.erlangFloat(1234.5)).isEqualTo("1234.5");
        assertThat(PhoenixJson.erlangFloat(1.0e5)).isEqualTo("1.0e5");
        assertThat(PhoenixJson.erlangFloat(120000.0)).isEqualTo("1.2e5");
        assertThat(PhoenixJson.erlangFloat(0.3)).isEqualTo("0.3");
        assertThat(PhoenixJson.erlangFloat(-0.0)).isEqualTo("-0.0");
        assertThat(PhoenixJson.erlangFloat(5e-324)).isEqualTo("5.0e-324");
    }
}
