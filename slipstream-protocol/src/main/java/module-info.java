/**
 * The Phoenix Channels wire codec: {@link dev.slipstream.protocol.Message}, {@link dev.slipstream.protocol.Payload},
 * {@link dev.slipstream.protocol.Frame} and the V1 and V2 {@link dev.slipstream.protocol.Serializer}s, shared by the
 * client and the fake server.
 *
 * <pre>{@code
 * module my.app {
 *     requires dev.slipstream.protocol;
 * }
 * }</pre>
 */
module dev.slipstream.protocol {
    // Payload.Json and JsonCodec hand out Jackson's JsonNode.
    requires transitive com.fasterxml.jackson.databind;

    exports dev.slipstream.protocol;
}
