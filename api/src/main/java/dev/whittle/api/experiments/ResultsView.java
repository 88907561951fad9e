package dev.whittle.api.experiments;

import java.util.List;
import java.util.UUID;

import dev.whittle.engine.eval.metric.MetricValue;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * An experiment's results: a row per succeeded trial and task, a summary per trial, and the Pareto front of average
 * retention against cost. The baseline (trial 0) is the dense model, its retention 1 by definition.
 *
 * @param cost   what the front trades retention against: {@code macs} (MACs per token, zeros skipped) or {@code size}
 *               (bytes of the model's files)
 * @param pareto the trials on the front, cheapest first: no other trial is as cheap and retains as much, with one of
 *               the two strictly better
 */
public record ResultsView(UUID experimentId, String cost, List<String> tasks, List<TrialResult> trials,
                          List<Row> rows, List<Integer> pareto) {

    /**
     * A trial's costs and its retention averaged over the tasks (the EVALUATE stage's average).
     *
     * @param blockSparsity the zero share of the decoder blocks' linear weights, as measured on the trial's model
     * @param sizeBytes     of the model the trial wrote (the experiment's model for the baseline)
     * @param wallSeconds   from the trial's job's first claim to its end
     */
    @Schema(name = "TrialResult")
    public record TrialResult(int trial, boolean baseline, String label, JsonNode settings, UUID jobId, UUID modelId,
                              @Schema(nullable = true, types = {"number", "null"}) Double averageRetention,
                              Double blockSparsity, Double sparsity, Long parameters, Long nonZero, Long macsPerToken,
                              Long sizeBytes, Double wallSeconds, boolean onParetoFront) {
    }

    /** One trial on one task. */
    @Schema(name = "TrialTaskResult")
    public record Row(int trial, String label, String task, String metric, int samples, MetricValue value,
                      @Schema(nullable = true, types = {"object", "null"}) MetricValue retention) {
    }
}
