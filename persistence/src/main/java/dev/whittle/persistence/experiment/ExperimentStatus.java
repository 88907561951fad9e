package dev.whittle.persistence.experiment;

/** Where an experiment stands: RUNNING until its trials are over, then how it ended. */
public enum ExperimentStatus {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this != RUNNING;
    }
}
