package dev.whittle.persistence.job;

/** How much a job event matters. */
public enum EventLevel {
    DEBUG, INFO, WARN, ERROR
}
