package dev.whittle.worker.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobProgress;
import dev.whittle.persistence.job.JobStatus;
import tools.jackson.databind.JsonNode;

/**
 * A job as the API shows it and as its callback delivers it.
 *
 * @param stages      the recipe, every parameter filled in
 * @param attempt     how many times a worker has claimed the job
 * @param result      per stage, what it produced (present once the job succeeded; left out of lists)
 * @param outputModel the model the job wrote, registered when it succeeded
 * @param output      what the job was asked to call its output model (absent: the default name)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        UUID id,
        String name,
        JobStatus status,
        ModelRef model,
        List<JsonNode> stages,
        Map<String, String> labels,
        String callbackUrl,
        Progress progress,
        int attempt,
        int maxAttempts,
        String workerId,
        Instant leaseExpiresAt,
        Instant heartbeatAt,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Error error,
        JsonNode result,
        ModelRef outputModel,
        JobOutput output) {

    /** A model by id and name. */
    public record ModelRef(UUID id, String name) {
    }

    /**
     * @param stageIndex       the running stage (0-based)
     * @param stageName        its type and what it is doing
     * @param unitDone         units of the stage done (tensors, layers, batches)
     * @param percent          of the whole job
     * @param eta              expected end, from the rate so far
     * @param elapsedSeconds   since the job started (its first claim), up to now or to its end
     * @param remainingSeconds until {@code eta}, from now; absent until the rate is measurable and once the job ended
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(Integer stageIndex, int stageCount, String stageName, Long unitDone, Long unitTotal,
                           Double percent, String message, Instant eta, Long elapsedSeconds, Long remainingSeconds) {
        static Progress of(JobProgress p, Instant startedAt, Instant finishedAt, Instant now) {
            Long elapsed = startedAt == null ? null
                    : Math.max(0, Duration.between(startedAt, finishedAt == null ? now : finishedAt).toSeconds());
            Long remaining = p.eta() == null || finishedAt != null ? null
                    : Math.max(0, Duration.between(now, p.eta()).toSeconds());
            return new Progress(p.stageIndex(), p.stageCount(), p.stageName(), p.unitDone(), p.unitTotal(),
                    p.percent() == null ? null : Math.round(p.percent() * 10) / 10.0, p.message(), p.eta(), elapsed,
                    remaining);
        }
    }

    public record Error(String code, String message) {
    }

    /** The same job without its result (which can be large): what lists show. */
    public JobView withoutResult() {
        return new JobView(id, name, status, model, stages, labels, callbackUrl, progress, attempt, maxAttempts, workerId,
                leaseExpiresAt, heartbeatAt, createdAt, startedAt, finishedAt, error, null, outputModel, output);
    }

    public static JobView of(Job job, ModelRef model, ModelRef output) {
        List<JsonNode> stages = job.getRecipe().get("stages").valueStream().toList();
        return new JobView(job.getId(), job.getName(), job.getStatus(), model, stages, job.getLabels(),
                job.getCallbackUrl(), Progress.of(job.getProgress(), job.getStartedAt(), job.getFinishedAt(), Instant.now()), job.getAttempt(), job.getMaxAttempts(),
                job.getWorkerId(), job.getLeaseExpiresAt(), job.getHeartbeatAt(), job.getCreatedAt(),
                job.getStartedAt(), job.getFinishedAt(),
                job.getErrorCode() == null ? null : new Error(job.getErrorCode(), job.getErrorMessage()),
                job.getResult(), output, requestedOutput(job.getRecipe()));
    }

    private static JobOutput requestedOutput(JsonNode recipe) {
        JsonNode name = recipe.path(JobOutput.FIELD).path("name");
        return name.isString() ? new JobOutput(name.asString()) : null;
    }
}
