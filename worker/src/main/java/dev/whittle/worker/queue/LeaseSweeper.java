package dev.whittle.worker.queue;

import java.util.List;

import dev.whittle.persistence.job.ExpiredLease;
import dev.whittle.persistence.job.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Takes back jobs whose worker stopped renewing its lease. Every process runs it (workers and the api alike);
 * {@code SKIP LOCKED} keeps two sweepers from handling the same job. For one lease after the database server
 * (re)starts nothing is taken back, so the workers that ran jobs through an outage can renew their leases first.
 */
@Component
public class LeaseSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);
    private static final int BATCH = 100;

    private final JobQueue queue;
    private final WorkerProperties settings;

    public LeaseSweeper(JobQueue queue, WorkerProperties settings) {
        this.queue = queue;
        this.settings = settings;
    }

    @Scheduled(fixedDelayString = "${whittle.worker.sweep-interval:5s}", initialDelayString = "${whittle.worker.sweep-interval:5s}")
    public void sweep() {
        try {
            List<ExpiredLease> expired;
            do {
                expired = queue.expireLeases(BATCH, settings.lease());
                for (ExpiredLease e : expired) {
                    log.warn("Lease of job {} held by worker {} (attempt {}) expired: now {}", e.jobId(), e.workerId(),
                            e.attempt(), e.newStatus());
                }
            } while (expired.size() == BATCH);
        } catch (RuntimeException e) {
            log.warn("Could not sweep expired leases: {}", e.getMessage());
        }
    }
}
