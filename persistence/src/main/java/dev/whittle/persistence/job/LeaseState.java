package dev.whittle.persistence.job;

/** What a worker learns when it renews its lease or reports progress. */
public enum LeaseState {
    /** Still ours, keep going. */
    HELD,
    /** Still ours, but cancellation was requested: stop at the next unit of work. */
    CANCEL_REQUESTED,
    /** No longer ours (it expired and the job moved on): stop and write nothing. */
    LOST
}
