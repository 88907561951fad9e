package dev.whittle.persistence.job;

import java.time.Duration;

/** A job a worker just claimed, and how long it had waited in the queue. */
public record Claim(Lease lease, Duration queueWait) {
}
