package dev.slipstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Serializer#forVsn} picks what a Phoenix server with its default serializers picks: {@code ~> 1.0.0} V1,
 * {@code ~> 2.0.0} V2, V1 when {@code vsn} is absent, and nothing (HTTP 403) for anything else, following Elixir's
 * {@code Version.parse/1} and {@code Version.match?/2}.
 */
class SerializerForVsnTest {

    @Test
    void anAbsentVsnIsV1() {
        assertThat(Serializer.forVsn(null)).containsSame(Serializer.v1());
    }

    @ParameterizedTest(name = "vsn \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1.0.0         | 1.0.0",
        "1.0.7         | 1.0.0",
        "1.0.12+build  | 1.0.0",
        "2.0.0         | 2.0.0",
        "2.0.3         | 2.0.0",
        "2.0.0+sha.1f  | 2.0.0",
        // pre-releases match when they sort at or above x.y.0: Version.match? allows them by default
        "2.0.1-rc.1    | 2.0.0",
        "1.0.3-dev     | 1.0.0",
        "2.0.1-0       | 2.0.0",
        "2.0.0-rc.1    | none",
        "1.0.0-beta    | none",
        "2.1.0         | none",
        "2.1.0-dev     | none",
        "1.1.0         | none",
        "3.0.0         | none",
        "0.0.1         | none",
        "123.1.1       | none",
        // not versions at all for Elixir
        "2.0           | none",
        "2             | none",
        "2.0.0.0       | none",
        "v2.0.0        | none",
        "02.0.0        | none",
        "2.00.0        | none",
        "2.0.00        | none",
        "2.0.1-01      | none",
        "2.0.1-        | none",
        "2.0.1-a..b    | none",
        "2.0.0+        | none",
        "2.0.0_1       | none",
        "garbage       | none",
        "' 2.0.0'      | none",
        "''            | none",
    })
    void versions(String vsn, String expected) {
        assertThat(Serializer.forVsn(vsn).map(Serializer::vsn).orElse("none")).isEqualTo(expected);
    }

    @Test
    void eachSerializerNamesItsVsn() {
        assertThat(Serializer.v1().vsn()).isEqualTo(Protocol.VSN_1);
        assertThat(Serializer.v2().vsn()).isEqualTo(Protocol.VSN_2);
        assertThat(Serializer.forVsn(Protocol.VSN_2)).containsSame(Serializer.v2());
    }
}
