package dev.whittle.api.reports;

import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * Tasks x models: each model's latest result on each task, and its retention against the first model listed (the
 * reference, normally the dense one). {@code averageRetention} is per model, over the tasks where it is defined.
 */
public record ComparisonView(List<ModelColumn> models, List<TaskRow> tasks, List<JsonNode> averageRetention) {

    /**
     * A model and what it costs (from its latest evaluation: the stats of the model as evaluated). {@code sparsity}
     * counts every linear weight, the head included; {@code blockSparsity} only the decoder blocks' linear layers,
     * the weights pruning acts on by default and the number the sparsity papers report.
     */
    public record ModelColumn(UUID id, String name, UUID parentId, Long parameters, Long nonZero, Double sparsity,
                              Double blockSparsity, Long macsPerToken) {
    }

    /** One task's headline metric, a cell per model (null where the model has no result). */
    public record TaskRow(String task, String metric, boolean higherIsBetter, List<Cell> cells) {
    }

    /**
     * @param retention against the reference model's value; null when the results differ in task version, limit or
     *                  seed, or the reference's value is 0
     */
    public record Cell(UUID evaluationId, int taskVersion, int samples, int limit, JsonNode value, JsonNode retention) {
    }
}
