package dev.whittle.persistence.team;

/**
 * What a key may do within its team: a viewer reads; a submitter also submits, cancels and deletes jobs and
 * registers and deletes models, datasets and tasks; an admin also manages keys and teams and reads the actuator's
 * metrics. A metrics key reads only the actuator (for a Prometheus scraper), nothing of the API.
 */
public enum Role {
    ADMIN, SUBMITTER, VIEWER, METRICS
}
