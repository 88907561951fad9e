package dev.whittle.worker.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.job.Jobs;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Gauges of the whole queue, from the database: {@code whittle.jobs{status}} and {@code whittle.queue.depth}
 * (jobs waiting to be claimed). One grouped count refreshes them all, on a schedule rather than per scrape.
 */
@Component
public class JobMetrics {

    private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);

    private final Jobs jobs;
    private final Map<JobStatus, AtomicLong> counts = new EnumMap<>(JobStatus.class);

    public JobMetrics(Jobs jobs, MeterRegistry registry) {
        this.jobs = jobs;
        for (JobStatus status : JobStatus.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(status, count);
            Gauge.builder("whittle.jobs", count, AtomicLong::get)
                    .description("Jobs by status")
                    .tag("status", status.name())
                    .register(registry);
        }
        Gauge.builder("whittle.queue.depth", counts.get(JobStatus.QUEUED), AtomicLong::get)
                .description("Jobs waiting for a worker")
                .register(registry);
    }

    @Scheduled(fixedDelayString = "${whittle.metrics.refresh-interval:10s}", initialDelay = 0)
    public void refresh() {
        try {
            Map<JobStatus, Long> now = new EnumMap<>(JobStatus.class);
            jobs.countByStatus().forEach(c -> now.put(c.getStatus(), c.getCount()));
            counts.forEach((status, count) -> count.set(now.getOrDefault(status, 0L)));
        } catch (RuntimeException e) {
            log.debug("Could not refresh job metrics: {}", e.getMessage());
        }
    }
}
