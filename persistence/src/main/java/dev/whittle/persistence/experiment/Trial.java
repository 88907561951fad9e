package dev.whittle.persistence.experiment;

import java.time.Instant;
import java.util.UUID;

import dev.whittle.persistence.job.JobStatus;
import tools.jackson.databind.JsonNode;

/**
 * One point of an experiment's grid and the job that runs it (read with that job's state).
 *
 * @param baseline    the dense model's own evaluation, run once before the other trials, which reuse its results
 * @param settings    the axis values of this point, e.g. {@code {"method": "wanda", "sparsity": 0.5}}
 * @param jobRequest  the job it submits (a JobRequest body)
 * @param submittedAt when its job was submitted; null until then (set even when submission was refused)
 * @param error       why its job could not be submitted
 * @param jobStatus   its job's status; null before submission or once the job was deleted
 */
public record Trial(UUID experimentId, int index, boolean baseline, JsonNode settings, JsonNode jobRequest, UUID jobId,
                    Instant submittedAt, String error, JobStatus jobStatus, Instant jobStartedAt,
                    Instant jobFinishedAt, Double jobPercent, Instant jobEta) {

    public boolean submitted() {
        return submittedAt != null;
    }

    /** Queued or running: it holds one of the experiment's parallel slots. */
    public boolean active() {
        return jobStatus != null && !jobStatus.isFinal();
    }

    /** Submitted and over, however it ended (a deleted job counts as over). */
    public boolean over() {
        return submitted() && !active();
    }

    public boolean succeeded() {
        return jobStatus == JobStatus.SUCCEEDED;
    }

    /** Over without succeeding: failed, cancelled, refused at submission, or its job deleted unfinished. */
    public boolean failed() {
        return over() && !succeeded();
    }
}
