package dev.whittle.persistence.job;

import java.util.UUID;

/** A finished job's callback to deliver now: where, and which delivery attempt this is (1-based). */
public record PendingCallback(UUID jobId, String url, int attempt) {
}
