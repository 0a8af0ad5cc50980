/**
 * {@link dev.slipstream.micrometer.SlipstreamMetrics}: a Slipstream client's events as Micrometer meters.
 *
 * <pre>{@code
 * module my.app {
 *     requires dev.slipstream.micrometer;
 * }
 * }</pre>
 */
module dev.slipstream.micrometer {
    // SlipstreamMetrics is a ClientEventListener and takes a MeterRegistry.
    requires transitive dev.slipstream.client;
    requires transitive micrometer.core;

    exports dev.slipstream.micrometer;
}
