package dev.slipstream.junit6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.junit5.SlipstreamExtension;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestEngine;

/** This module's run of slipstream-junit5's tests is on JUnit 6 indeed, with the extension's 5.14-compiled jar. */
class RunsOnJUnit6Test {

    @Test
    void jupiterAndThePlatformAreVersion6() {
        assertThat(Test.class.getPackage().getImplementationVersion()).startsWith("6.");
        assertThat(TestEngine.class.getPackage().getImplementationVersion()).startsWith("6.");
    }

    @Test
    void theExtensionIsTheJarBuiltBySlipstreamJunit5() {
        assertThat(SlipstreamExtension.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .contains("slipstream-junit5");
    }
}
