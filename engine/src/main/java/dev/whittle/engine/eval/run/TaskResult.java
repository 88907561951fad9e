package dev.whittle.engine.eval.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.task.RequestType;

import java.util.List;
import java.util.Map;

/**
 * A task's results on one model, shaped to be stored as JSON.
 *
 * @param metrics   each metric of the task, by id, over all samples (micro average)
 * @param groups    per {@code groupBy} value, each metric (empty for an ungrouped task); speculative: per draft
 *                  length ({@code k=N})
 * @param macro     the unweighted mean of the groups' values (empty for an ungrouped task)
 * @param samples   samples scored (rolling perplexity: windows)
 * @param available samples the split holds (what a run without a limit scores)
 * @param truncated prompts cut at the front to fit the model's positions
 * @param seconds   wall time, loading the data included
 * @param details   request-specific numbers: few-shot k and seed; for perplexity seqlen, stride, total NLL, tokens,
 *                  words, bytes; for speculative best_k, target_seconds, speculative_seconds_kN, mismatches
 * @param records   one per sample (empty when not kept)
 */
public record TaskResult(String task, int version, RequestType requestType, Metric primaryMetric,
                         Map<String, MetricValue> metrics, Map<String, Map<String, MetricValue>> groups,
                         Map<String, MetricValue> macro, int samples, int available, int truncated, double seconds,
                         Map<String, Number> details, List<SampleRecord> records) {

    /** The headline metric's value. */
    @JsonIgnore
    public MetricValue primary() {
        return metrics.get(primaryMetric.id());
    }

    public MetricValue metric(Metric metric) {
        MetricValue value = metrics.get(metric.id());
        if (value == null) {
            throw new IllegalArgumentException("task " + task + " did not report " + metric.id());
        }
        return value;
    }
}
