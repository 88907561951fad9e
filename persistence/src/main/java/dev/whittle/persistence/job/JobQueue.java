package dev.whittle.persistence.job;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.text.StorableText;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * The job queue's state changes, each one SQL statement (or a locked read and a write) in one transaction
 * with the event it logs. Workers claim with {@code FOR UPDATE SKIP LOCKED}, so concurrent workers never
 * get the same job; every worker write is fenced by its {@link Lease} (worker id and attempt); lease
 * arithmetic uses the database clock.
 */
@Component
@Transactional
public class JobQueue {

    public static final String CLAIMED = "job.claimed";
    public static final String LEASE_EXPIRED = "job.lease-expired";
    public static final String CANCEL_REQUESTED = "job.cancel-requested";
    public static final String ENDED = "job.ended";
    public static final String RELEASED = "job.released";
    public static final String LEASE_EXPIRED_ERROR = "LEASE_EXPIRED";

    /** Columns every final transition sets: the end time, and a callback to deliver if the job has one. */
    private static final String ENDING = """
            finished_at = now(), updated_at = now(), lease_expires_at = null,
            callback_state = case when callback_url is not null then 'PENDING' end,
            callback_next_at = case when callback_url is not null then now() end
            """;
    private static final String FENCE = "id = :id and worker_id = :worker and attempt = :attempt";

    private final JdbcClient jdbc;
    private final JobEventLog events;

    public JobQueue(JdbcClient jdbc, JobEventLog events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /** Takes the oldest queued job for {@code workerId}, leased for {@code lease}; empty when none is queued. */
    public Optional<Claim> claim(String workerId, Duration lease) {
        Optional<Claim> claim = jdbc.sql("""
                        update job set status = 'RUNNING', attempt = attempt + 1, worker_id = :worker,
                               lease_expires_at = now() + make_interval(secs => :lease), heartbeat_at = now(),
                               started_at = coalesce(started_at, now()), updated_at = now()
                        where id = (select id from job where status = 'QUEUED' order by queued_at, id
                                    limit 1 for update skip locked)
                        returning id, attempt, extract(epoch from now() - queued_at) as waited
                        """)
                .param("worker", workerId)
                .param("lease", seconds(lease))
                .query((rs, row) -> new Claim(
                        new Lease(rs.getObject("id", UUID.class), workerId, rs.getInt("attempt")),
                        Duration.ofNanos(Math.round(rs.getDouble("waited") * 1e9))))
                .optional();
        claim.ifPresent(c -> events.info(c.lease().jobId(), CLAIMED,
                "Claimed by worker " + workerId + " (attempt " + c.lease().attempt() + ")",
                Map.of("workerId", workerId, "attempt", c.lease().attempt())));
        return claim;
    }

    /** Asks the database for nothing; throws when it cannot be reached. */
    public void ping() {
        jdbc.sql("select 1").query(Integer.class).single();
    }

    /** Extends the lease by {@code length} from now, and says whether it is still ours and whether to stop. */
    public LeaseState renew(Lease lease, Duration length) {
        return leaseState(jdbc.sql("""
                        update job set lease_expires_at = now() + make_interval(secs => :lease), heartbeat_at = now(),
                               updated_at = now()
                        where %s and status in ('RUNNING', 'CANCELLING')
                        returning status
                        """.formatted(FENCE))
                .params(fence(lease))
                .param("lease", seconds(length))
                .query(String.class)
                .optional());
    }

    /** Writes the job's progress columns, and says whether it is still ours and whether to stop. */
    public LeaseState reportProgress(Lease lease, JobProgress p) {
        return leaseState(jdbc.sql("""
                        update job set stage_index = :stageIndex, stage_name = :stageName, unit_done = :unitDone,
                               unit_total = :unitTotal, percent = :percent, progress_message = :message, eta = :eta,
                               updated_at = now()
                        where %s and status in ('RUNNING', 'CANCELLING')
                        returning status
                        """.formatted(FENCE))
                .params(fence(lease))
                .param("stageIndex", p.stageIndex())
                .param("stageName", p.stageName())
                .param("unitDone", p.unitDone())
                .param("unitTotal", p.unitTotal())
                .param("percent", p.percent())
                .param("message", StorableText.of(p.message()))
                .param("eta", p.eta() == null ? null : OffsetDateTime.ofInstant(p.eta(), ZoneOffset.UTC))
                .query(String.class)
                .optional());
    }

    /** Remembers the Spring Batch execution that runs this attempt, so a later attempt can restart it. */
    public boolean recordBatchExecution(Lease lease, long executionId) {
        return jdbc.sql("update job set batch_execution_id = :execution, updated_at = now() where " + FENCE)
                .params(fence(lease))
                .param("execution", executionId)
                .update() == 1;
    }

    /**
     * Ends the attempt: {@code outcome} (SUCCEEDED or FAILED) is written unless cancellation was requested
     * meanwhile, in which case the job becomes CANCELLED. Returns the status written, or empty when the lease
     * was lost (nothing written).
     */
    public Optional<JobStatus> end(Lease lease, JobStatus outcome, String errorCode, String errorMessage,
                                   JsonNode result, UUID outputModelId) {
        if (!outcome.isFinal()) {
            throw new IllegalArgumentException("not a final status: " + outcome);
        }
        Optional<JobStatus> written = jdbc.sql("""
                        update job set status = case when status = 'CANCELLING' then 'CANCELLED' else :outcome end,
                               error_code = case when status = 'CANCELLING' then null else :errorCode end,
                               error_message = case when status = 'CANCELLING' then null else :errorMessage end,
                               result = cast(:result as jsonb), output_model_id = :outputModel,
                               percent = case when status = 'RUNNING' and :outcome = 'SUCCEEDED' then 100 else percent end,
                               eta = null, %s
                        where %s and status in ('RUNNING', 'CANCELLING')
                        returning status
                        """.formatted(ENDING, FENCE))
                .params(fence(lease))
                .param("outcome", outcome.name())
                .param("errorCode", errorCode)
                .param("errorMessage", StorableText.of(errorMessage))
                .param("result", result == null ? null : StorableText.json(result).toString())
                .param("outputModel", outputModelId)
                .query(String.class)
                .optional()
                .map(JobStatus::valueOf);
        written.ifPresent(status -> {
            var data = new LinkedHashMap<String, Object>();
            data.put("status", status.name());
            if (status == JobStatus.FAILED) {
                data.put("errorCode", errorCode);
            }
            events.append(lease.jobId(), status == JobStatus.FAILED ? EventLevel.ERROR : EventLevel.INFO, ENDED,
                    status == JobStatus.FAILED ? "Failed: " + errorMessage : "Job " + status.name().toLowerCase(), data);
        });
        return written;
    }

    /**
     * Locks the job for the end of an attempt and returns its status (RUNNING or CANCELLING), or empty when the
     * lease was lost. The caller ends the attempt in the same transaction.
     */
    public Optional<JobStatus> lockForEnd(Lease lease) {
        return jdbc.sql("select status from job where " + FENCE + " and status in ('RUNNING', 'CANCELLING') for update")
                .params(fence(lease))
                .query(String.class)
                .optional()
                .map(JobStatus::valueOf);
    }

    /**
     * Gives a running job back to the queue because its worker is stopping: the attempt does not count, and
     * the next one restarts the Spring Batch execution where this one stopped. False when it was no longer
     * RUNNING under this lease (being cancelled, or lost).
     */
    public boolean release(Lease lease) {
        boolean released = jdbc.sql("""
                        update job set status = 'QUEUED', attempt = attempt - 1, worker_id = null, lease_expires_at = null,
                               queued_at = now(), updated_at = now(), eta = null
                        where %s and status = 'RUNNING'
                        """.formatted(FENCE))
                .params(fence(lease))
                .update() == 1;
        if (released) {
            events.info(lease.jobId(), RELEASED, "Worker " + lease.workerId() + " stopped: queued again",
                    Map.of("workerId", lease.workerId()));
        }
        return released;
    }

    /**
     * Takes back jobs whose lease ran out (their worker died or hangs): a job that was being cancelled becomes
     * CANCELLED, one with attempts left is QUEUED again (its next attempt restarts its Spring Batch execution),
     * and one without is FAILED. Returns what it did, at most {@code limit} jobs per call.
     */
    public List<ExpiredLease> expireLeases(int limit) {
        return expireLeases(limit, Duration.ZERO);
    }

    /**
     * {@link #expireLeases(int)}, but nothing within {@code restartGrace} of the database server's start: leases
     * run out while the server is down, since nobody can renew them, and the workers that hold them need a heartbeat
     * or two to renew them once it is back. Without the grace every job running through an outage would lose an
     * attempt (or, on its last, fail).
     */
    public List<ExpiredLease> expireLeases(int limit, Duration restartGrace) {
        record Row(UUID id, JobStatus status, int attempt, int maxAttempts, String workerId) {
        }
        List<Row> rows = jdbc.sql("""
                        select id, status, attempt, max_attempts, worker_id from job
                        where status in ('RUNNING', 'CANCELLING') and lease_expires_at < now()
                          and pg_postmaster_start_time() < now() - make_interval(secs => :grace)
                        order by lease_expires_at limit :limit
                        for update skip locked
                        """)
                .param("limit", limit)
                .param("grace", seconds(restartGrace))
                .query((rs, n) -> new Row(rs.getObject("id", UUID.class), JobStatus.valueOf(rs.getString("status")),
                        rs.getInt("attempt"), rs.getInt("max_attempts"), rs.getString("worker_id")))
                .list();
        List<ExpiredLease> expired = new ArrayList<>(rows.size());
        for (Row row : rows) {
            JobStatus next;
            String message;
            if (row.status() == JobStatus.CANCELLING) {
                next = JobStatus.CANCELLED;
                message = "Lease of worker " + row.workerId() + " expired while cancelling: cancelled";
                jdbc.sql("update job set status = 'CANCELLED', " + ENDING + " where id = :id")
                        .param("id", row.id()).update();
            } else if (row.attempt() >= row.maxAttempts()) {
                next = JobStatus.FAILED;
                message = "Lease of worker " + row.workerId() + " expired on attempt " + row.attempt() + " of "
                        + row.maxAttempts() + ": no attempts left";
                jdbc.sql("update job set status = 'FAILED', error_code = :code, error_message = :message, eta = null, "
                                + ENDING + " where id = :id")
                        .param("id", row.id()).param("code", LEASE_EXPIRED_ERROR).param("message", message).update();
            } else {
                next = JobStatus.QUEUED;
                message = "Lease of worker " + row.workerId() + " expired on attempt " + row.attempt() + " of "
                        + row.maxAttempts() + ": queued again";
                jdbc.sql("""
                                update job set status = 'QUEUED', queued_at = now(), updated_at = now(), worker_id = null,
                                       lease_expires_at = null, eta = null
                                where id = :id
                                """)
                        .param("id", row.id()).update();
            }
            events.append(row.id(), EventLevel.WARN, LEASE_EXPIRED, message,
                    Map.of("workerId", String.valueOf(row.workerId()), "attempt", row.attempt(), "status", next.name()));
            expired.add(new ExpiredLease(row.id(), row.workerId(), row.attempt(), next));
        }
        return expired;
    }

    /** Cancels a queued job at once, or asks a running one's worker to stop. */
    public CancelOutcome requestCancel(UUID jobId) {
        Optional<JobStatus> current = jdbc.sql("select status from job where id = :id for update")
                .param("id", jobId).query(String.class).optional().map(JobStatus::valueOf);
        if (current.isEmpty()) {
            return CancelOutcome.NOT_FOUND;
        }
        switch (current.get()) {
            case QUEUED -> {
                jdbc.sql("update job set status = 'CANCELLED', " + ENDING + " where id = :id").param("id", jobId).update();
                events.info(jobId, ENDED, "Job cancelled before it started", Map.of("status", "CANCELLED"));
                return CancelOutcome.CANCELLED;
            }
            case RUNNING -> {
                jdbc.sql("update job set status = 'CANCELLING', updated_at = now() where id = :id").param("id", jobId).update();
                events.info(jobId, CANCEL_REQUESTED, "Cancellation requested", Map.of("status", "CANCELLING"));
                return CancelOutcome.CANCELLING;
            }
            case CANCELLING -> {
                return CancelOutcome.CANCELLING;
            }
            default -> {
                return CancelOutcome.ALREADY_FINISHED;
            }
        }
    }

    /** Those of {@code ids} that name jobs which have ended (their working folders are no longer needed). */
    @Transactional(readOnly = true)
    public List<UUID> ended(java.util.Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select id from job where id in (:ids) and status in ('SUCCEEDED', 'FAILED', 'CANCELLED')")
                .param("ids", List.copyOf(ids))
                .query(UUID.class).list();
    }

    /** The job's status, read outside any lease. */
    @Transactional(readOnly = true)
    public Optional<JobStatus> status(UUID jobId) {
        return jdbc.sql("select status from job where id = :id").param("id", jobId).query(String.class).optional()
                .map(JobStatus::valueOf);
    }

    private static LeaseState leaseState(Optional<String> status) {
        return status.map(s -> s.equals("CANCELLING") ? LeaseState.CANCEL_REQUESTED : LeaseState.HELD)
                .orElse(LeaseState.LOST);
    }

    private static Map<String, Object> fence(Lease lease) {
        return Map.of("id", lease.jobId(), "worker", lease.workerId(), "attempt", lease.attempt());
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
