package dev.whittle.worker.queue;

import java.util.List;

import dev.whittle.persistence.job.ExpiredLease;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.outage.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Takes back jobs whose worker stopped renewing its lease. Every process runs it (workers and the api alike);
 * {@code SKIP LOCKED} keeps two sweepers from handling the same job.
 *
 * <p>Leases run out while the database is away, since nobody can renew them, so after an outage nothing is taken
 * back for one lease: counted from the server's start (by the query, for every process), and counted from the moment
 * this process reaches the database again (here), since a server is up some time before its clients reconnect
 * (crash recovery, pools refilling on a loaded machine).
 */
@Component
public class LeaseSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);
    private static final int BATCH = 100;

    private final JobQueue queue;
    private final WorkerProperties settings;
    private boolean databaseAway;
    private long quietUntilNanos = System.nanoTime();

    public LeaseSweeper(JobQueue queue, WorkerProperties settings) {
        this.queue = queue;
        this.settings = settings;
    }

    @Scheduled(fixedDelayString = "${whittle.worker.sweep-interval:5s}", initialDelayString = "${whittle.worker.sweep-interval:5s}")
    public void sweep() {
        try {
            if (databaseAway) {
                queue.ping();
                databaseAway = false;
                quietUntilNanos = System.nanoTime() + settings.lease().toNanos();
                log.info("The database answers again: no lease is taken back for {}, so running jobs can renew theirs",
                        settings.lease());
            }
            if (System.nanoTime() - quietUntilNanos < 0) {
                return;
            }
            List<ExpiredLease> expired;
            do {
                expired = queue.expireLeases(BATCH, settings.lease());
                for (ExpiredLease e : expired) {
                    log.warn("Lease of job {} held by worker {} (attempt {}) expired: now {}", e.jobId(), e.workerId(),
                            e.attempt(), e.newStatus());
                }
            } while (expired.size() == BATCH);
        } catch (RuntimeException e) {
            databaseAway |= DatabaseOutage.causes(e);
            log.warn("Could not sweep expired leases: {}", e.getMessage());
        }
    }
}
