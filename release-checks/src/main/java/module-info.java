/**
 * The build's own checks of the published modules (not published itself); its module descriptor requires every one
 * of them, so compiling it and running {@code ModulePathCheck} on the module path prove that they resolve.
 */
module dev.slipstream.releasecheck {
    requires dev.slipstream.transport.nio;
    requires dev.slipstream.testing;
    requires dev.slipstream.junit5;
    requires dev.slipstream.micrometer;
}
