package dev.whittle.persistence.job;

/** Where a job is in its life. SUCCEEDED, FAILED and CANCELLED are final. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLING, CANCELLED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
