package dev.whittle.worker.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobProgress;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import tools.jackson.databind.JsonNode;

/**
 * A job as the API shows it and as its callback delivers it.
 *
 * @param stages      the recipe, every parameter filled in
 * @param attempt     how many times a worker has claimed the job
 * @param result      per stage, what it produced (present once the job succeeded; left out of lists)
 * @param outputModel the model the job wrote, registered when it succeeded
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
        ModelRef outputModel) {

    /** A model by id and name. */
    public record ModelRef(UUID id, String name) {
        static ModelRef of(Model m) {
            return m == null ? null : new ModelRef(m.getId(), m.getName());
        }
    }

    /**
     * @param stageIndex the running stage (0-based)
     * @param stageName  its type and what it is doing
     * @param unitDone   units of the stage done (tensors, layers, batches)
     * @param percent    of the whole job
     * @param eta        expected end, from the rate so far
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(Integer stageIndex, int stageCount, String stageName, Long unitDone, Long unitTotal,
                           Double percent, String message, Instant eta) {
        static Progress of(JobProgress p) {
            return new Progress(p.stageIndex(), p.stageCount(), p.stageName(), p.unitDone(), p.unitTotal(),
                    p.percent() == null ? null : Math.round(p.percent() * 10) / 10.0, p.message(), p.eta());
        }
    }

    public record Error(String code, String message) {
    }

    /** The same job without its result (which can be large): what lists show. */
    public JobView withoutResult() {
        return new JobView(id, name, status, model, stages, labels, callbackUrl, progress, attempt, maxAttempts, workerId,
                leaseExpiresAt, heartbeatAt, createdAt, startedAt, finishedAt, error, null, outputModel);
    }

    public static JobView of(Job job, Model model, Model output) {
        List<JsonNode> stages = job.getRecipe().get("stages").valueStream().toList();
        return new JobView(job.getId(), job.getName(), job.getStatus(), ModelRef.of(model), stages, job.getLabels(),
                job.getCallbackUrl(), Progress.of(job.getProgress()), job.getAttempt(), job.getMaxAttempts(),
                job.getWorkerId(), job.getLeaseExpiresAt(), job.getHeartbeatAt(), job.getCreatedAt(),
                job.getStartedAt(), job.getFinishedAt(),
                job.getErrorCode() == null ? null : new Error(job.getErrorCode(), job.getErrorMessage()),
                job.getResult(), ModelRef.of(output));
    }
}
