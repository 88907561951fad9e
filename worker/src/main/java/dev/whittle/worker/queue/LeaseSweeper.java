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
 * {@code SKIP LOCKED} keeps two sweepers from handling the same job.
 */
@Component
public class LeaseSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);
    private static final int BATCH = 100;

    private final JobQueue queue;

    public LeaseSweeper(JobQueue queue) {
        this.queue = queue;
    }

    @Scheduled(fixedDelayString = "${whittle.worker.sweep-interval:5s}", initialDelayString = "${whittle.worker.sweep-interval:5s}")
    public void sweep() {
        try {
            List<ExpiredLease> expired;
            do {
                expired = queue.expireLeases(BATCH);
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
