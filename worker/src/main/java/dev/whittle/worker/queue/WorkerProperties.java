package dev.whittle.worker.queue;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How this process works the queue.
 *
 * @param enabled                whether this process runs a worker (the api can leave it to separate workers)
 * @param concurrency            jobs this process runs at once
 * @param lease                  how long a claim holds without a heartbeat; a job whose worker is silent this long
 *                               is taken back
 * @param heartbeat              how often running jobs' leases are renewed (and cancellation is looked for)
 * @param pollInterval           how long an idle worker waits before looking for queued jobs again
 * @param sweepInterval          how often this process looks for expired leases
 * @param maxAttempts            how many times a job is claimed before its lease expiring fails it
 * @param progressInterval       the shortest time between two progress writes of one job
 * @param progressEventInterval  the shortest time between two progress events of one job
 * @param shutdownGrace          how long stopping waits for running jobs to reach a point where they can stop
 * @param maxJobMemory           the most a job may ask to hold beyond its model's weights (calibration windows),
 *                               checked at submission and at stage start; unset: half of this JVM's maximum heap (set
 *                               it when the api's heap differs from the workers')
 */
@ConfigurationProperties("whittle.worker")
public record WorkerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1") int concurrency,
        @DefaultValue("30s") Duration lease,
        @DefaultValue("5s") Duration heartbeat,
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("5s") Duration sweepInterval,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("1s") Duration progressInterval,
        @DefaultValue("10s") Duration progressEventInterval,
        @DefaultValue("30s") Duration shutdownGrace,
        DataSize maxJobMemory) {

    /** {@link #maxJobMemory} in bytes, or half of the maximum heap when unset. */
    public long jobMemoryLimit() {
        return maxJobMemory != null ? maxJobMemory.toBytes() : Runtime.getRuntime().maxMemory() / 2;
    }

    public WorkerProperties {
        if (concurrency < 1) {
            throw new IllegalArgumentException("whittle.worker.concurrency must be at least 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("whittle.worker.max-attempts must be at least 1");
        }
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("whittle.worker.heartbeat (" + heartbeat
                    + ") must be shorter than whittle.worker.lease (" + lease + ")");
        }
    }
}
