package dev.whittle.persistence.job;

import java.util.UUID;

/**
 * A worker's hold on a job for one attempt. Every write a worker makes is conditioned on the job still
 * carrying this worker id and attempt, so a worker whose lease expired (and whose job another worker now
 * runs) changes nothing.
 */
public record Lease(UUID jobId, String workerId, int attempt) {
}
