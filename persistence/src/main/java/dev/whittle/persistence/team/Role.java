package dev.whittle.persistence.team;

/**
 * What a key may do within its team: a viewer reads; a submitter also submits, cancels and deletes jobs and
 * registers models, datasets and tasks; an admin also manages keys and teams and reads the metrics.
 */
public enum Role {
    ADMIN, SUBMITTER, VIEWER
}
