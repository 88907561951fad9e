package dev.whittle.api.evaluations;

import java.time.Instant;
import java.util.UUID;

import dev.whittle.persistence.evaluation.Evaluation;
import tools.jackson.databind.JsonNode;

/**
 * An evaluation: a task run on a model by an EVALUATE stage. {@code metrics}, {@code groups} and {@code macro}
 * hold {@code {value, stderr}} per metric; {@code modelStats} the evaluated model's parameters, non-zero linear
 * weights, sparsity and MACs per token; {@code retention} the headline metric against {@code baselineId}'s. A
 * speculative result has no baseline: its {@code baselineModelId} is the target the model drafted for.
 */
public record EvaluationView(UUID id, UUID jobId, Integer stageIndex, UUID modelId, String task, int taskVersion,
                             String requestType, String primaryMetric, int limit, Long seed, JsonNode metrics,
                             JsonNode groups, JsonNode macro, JsonNode details, int samples, int available,
                             int truncated, double seconds, JsonNode modelStats, UUID baselineId, UUID baselineModelId,
                             JsonNode retention, Instant createdAt, JsonNode taskDefinition) {

    static EvaluationView of(Evaluation e) {
        return new EvaluationView(e.getId(), e.getJobId(), e.getStageIndex(), e.getModelId(), e.getTask(),
                e.getTaskVersion(), e.getRequestType(), e.getPrimaryMetric(), e.getSampleLimit(), e.getSeed(),
                e.getMetrics(), e.getGroups(), e.getMacro(), e.getDetails(), e.getSamples(), e.getAvailable(),
                e.getTruncated(), e.getSeconds(), e.getModelStats(), e.getBaselineId(), e.getBaselineModelId(),
                e.getRetention(), e.getCreatedAt(), e.getTaskDefinition());
    }
}
