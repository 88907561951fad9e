package dev.whittle.persistence.job;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/**
 * How far a job has come, as last reported by its running stage.
 *
 * @param stageIndex the running stage (0-based), null before the first stage starts
 * @param stageCount how many stages the recipe has
 * @param stageName  the running stage's type and what it is doing (e.g. "INSPECT: zeros")
 * @param unitDone   units of work done in the stage (tensors, layers, batches)
 * @param unitTotal  units of work the stage has in all
 * @param percent    the whole job's progress, 0 to 100
 * @param message    the stage's last message
 * @param eta        when the job is expected to end, estimated from the rate so far
 */
@Embeddable
public record JobProgress(
        Integer stageIndex,
        int stageCount,
        String stageName,
        Long unitDone,
        Long unitTotal,
        Double percent,
        @Column(name = "progress_message") String message,
        Instant eta) {

    public static JobProgress notStarted(int stageCount) {
        return new JobProgress(null, stageCount, null, null, null, 0.0, null, null);
    }
}
