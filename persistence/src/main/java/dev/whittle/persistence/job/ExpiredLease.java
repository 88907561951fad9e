package dev.whittle.persistence.job;

import java.util.UUID;

/** A lease that ran out, and what became of its job (QUEUED again, FAILED, or CANCELLED). */
public record ExpiredLease(UUID jobId, String workerId, int attempt, JobStatus newStatus) {
}
