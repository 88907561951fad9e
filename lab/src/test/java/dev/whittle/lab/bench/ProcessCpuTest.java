package dev.whittle.lab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class ProcessCpuTest {

    @Test
    void aThreadsCpuTimeIsCountedAsWorkOfItsProcess() {
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");
        long pid = ProcessHandle.current().pid();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ProcessCpu.Jvm before = ProcessCpu.jvm(pid);
        long ownBefore = threads.getCurrentThreadCpuTime();
        long spin = 0;
        while (threads.getCurrentThreadCpuTime() - ownBefore < 300_000_000L) {
            spin++;
        }
        ProcessCpu.Jvm spent = ProcessCpu.jvm(pid).minus(before);
        // This thread alone spent 300 ms (the JVM's own clock); /proc counts in 10 ms ticks, and other threads add.
        assertThat(spent.work()).as("after %d spins", spin).isGreaterThanOrEqualTo(280e6);
        assertThat(ProcessCpu.withChildren(pid)).isGreaterThanOrEqualTo(spent.work());
    }
}
