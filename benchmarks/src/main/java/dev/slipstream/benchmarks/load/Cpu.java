package dev.slipstream.benchmarks.load;

import java.lang.management.ManagementFactory;

/**
 * CPU time of this process (all threads, user and system), from the JVM's operating-system bean.
 *
 * <pre>{@code
 * long before = Cpu.processNanos();
 * }</pre>
 */
final class Cpu {
    private Cpu() {}

    static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
