package dev.whittle.persistence.job;

/** What a cancel request did. */
public enum CancelOutcome {
    /** It was queued: it is now CANCELLED. */
    CANCELLED,
    /** It is running: it is now CANCELLING, and its worker stops at the next unit of work. */
    CANCELLING,
    /** It had already finished: nothing changed. */
    ALREADY_FINISHED,
    /** No such job. */
    NOT_FOUND
}
