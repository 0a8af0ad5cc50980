package dev.slipstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Inbound size limits and invalid text, closed with the codes a Phoenix server uses. */
@Timeout(30)
class LimitsTest {
    @Test
    void aFrameOverTheLimitCloses1009() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().maxFrameSize(100).start();
             WsClient c = WsClient.connect(server, "vsn=2.0.0")) {
            c.send("[null,\"1\",\"phoenix\",\"heartbeat\",{\"pad\":\"" + "x".repeat(200) + "\"}]");
            assertThat(c.next()).isEqualTo("closed code=1009");
        }
    }

    @Test
    void invalidUtf8Closes1007() throws Exception {
        try (FakePhoenixServer server = FakePhoenixServer.builder().start();
             RawSocket raw = RawSocket.open(server)) {
            raw.sendTextFrame(new byte[] {'[', (byte) 0xff, ']'});
            assertThat(raw.readCloseCode()).isEqualTo(1007);
        }
    }
}
