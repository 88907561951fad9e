package dev.whittle.api.evaluations;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A model's latest result on each task it was evaluated on, with the retention against the baseline it was
 * compared with, and the average retention over those tasks.
 */
public record ScoresView(UUID modelId, String modelName, JsonNode modelStats, List<TaskScore> tasks,
                         JsonNode averageRetention) {

    /** One task's headline metric ({@code value} and {@code stderr}) on the model. */
    public record TaskScore(String task, int taskVersion, UUID evaluationId, String metric, JsonNode value, int samples,
                            int limit, UUID baselineModelId, JsonNode retention, Instant createdAt) {
    }
}
