package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.whittle.engine.eval.metric.Metric;

import java.util.List;

/**
 * An evaluation task as data, in the manner of lm-evaluation-harness: a dataset, how a document becomes a prompt,
 * few-shot examples, what the model is asked, and the metrics reported (the first is the task's headline metric,
 * the one retention is reported on). Read and checked by {@link TaskDefinitions}; built-in tasks are JSON resources
 * read by the same code as a user's.
 *
 * @param version bumped when a change alters results, so stored results of another version are not reused
 * @param prompt  null for rolling perplexity (texts are scored as they are)
 * @param groupBy a document field whose values split the results (MMLU's subject); null: none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "version", "description", "dataset", "prompt", "fewshot", "request", "metrics", "groupBy"})
public record TaskDefinition(String name, int version, String description, DatasetSpec dataset, PromptSpec prompt,
                             FewShotSpec fewshot, RequestSpec request, List<Metric> metrics, String groupBy) {

    public TaskDefinition {
        metrics = List.copyOf(metrics);
    }

    public RequestType requestType() {
        return request.type();
    }

    /** The headline metric: the first listed. */
    public Metric primaryMetric() {
        return metrics.getFirst();
    }
}
