package dev.whittle.persistence.job;

/** Delivery of a finished job's callback: still to be sent (or retried), sent, or given up on. */
public enum CallbackState {
    PENDING, DELIVERED, FAILED
}
