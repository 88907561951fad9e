package dev.whittle.api.experiments;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.experiment.ExperimentStatus;
import dev.whittle.worker.jobs.JobView;
import dev.whittle.worker.stage.FieldProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * An experiment as the API shows it: what was asked, where its trials stand, and the aggregate progress.
 *
 * @param skipped the combinations of axis values the stages refused, with why (no trial runs them)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExperimentView(UUID id, String name, ExperimentStatus status,
                             @Schema(description = "How it ended, or why it failed") String message,
                             JobView.ModelRef model, List<JsonNode> stages, JsonNode axes, JsonNode evaluation,
                             int maxParallel, int maxFailedTrials, Progress progress, List<TrialView> trials,
                             List<Skipped> skipped, Instant createdAt, Instant finishedAt) {

    /**
     * The trials together.
     *
     * @param done             trials over (succeeded, failed, cancelled, refused), the baseline included
     * @param percent          of the trials' work, counting running ones by their own progress
     * @param remainingSeconds from the mean wall time of the trials done so far (the baseline left out) and the
     *                         parallelism; absent until one trial is done and once the experiment ended
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ExperimentProgress")
    public record Progress(int total, int done, int succeeded, int failed, int active, int pending, double percent,
                           Long remainingSeconds, Instant eta) {
    }

    /**
     * One trial.
     *
     * @param status   its job's status; PENDING before submission, NOT_STARTED when the experiment ended first,
     *                 REFUSED when its job could not be submitted, DELETED when its job was deleted
     * @param settings the axis values of this point of the grid (none for the baseline)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ExperimentTrial")
    public record TrialView(int index, boolean baseline, String label, JsonNode settings, String status, UUID jobId,
                            Double percent, String error, Instant startedAt, Instant finishedAt) {
    }

    /** A combination no trial runs, and what the stages said about it. */
    @Schema(name = "SkippedTrial")
    public record Skipped(JsonNode settings, List<FieldProblem> problems) {
    }
}
