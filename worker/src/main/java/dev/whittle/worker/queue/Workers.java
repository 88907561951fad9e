package dev.whittle.worker.queue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import dev.whittle.persistence.job.JobQueue;
import dev.whittle.worker.run.JobRunner;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** Makes workers (the one this process runs when enabled; more in tests of several workers). */
@Component
@EnableConfigurationProperties(WorkerProperties.class)
public class Workers {

    private final WorkerProperties settings;
    private final JobQueue queue;
    private final JobRunner runner;
    private final MeterRegistry meters;

    public Workers(WorkerProperties settings, JobQueue queue, JobRunner runner, MeterRegistry meters) {
        this.settings = settings;
        this.queue = queue;
        this.runner = runner;
        this.meters = meters;
    }

    /** A new, not yet started worker with a fresh id and {@code concurrency} threads. */
    public Worker create(int concurrency) {
        return new Worker(newId(), concurrency, settings, queue, runner, meters);
    }

    public WorkerProperties settings() {
        return settings;
    }

    /** host-pid-random: readable in logs, unique across restarts. */
    static String newId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "host";
        }
        long pid = ManagementFactory.getRuntimeMXBean().getPid();
        return host + "-" + pid + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }
}
