package dev.whittle.api.reports;

import java.util.List;
import java.util.UUID;

import dev.whittle.engine.eval.metric.MetricValue;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Tasks x models: each model's latest result on each task, and its retention against the first model listed (the
 * reference, normally the dense one), with each model's average retention over the tasks that say something.
 *
 * @param averageRetention one per model, in the order of {@code models}
 * @param drafts           each model's latest result on each speculative task (the model as a draft for its target,
 *                         normally its dense parent: the SD² measure), in the order of {@code models}; these tasks
 *                         have no row in {@code tasks}, since they measure against the target, not the reference
 * @param warnings         what makes a number in this report unreliable (a sample limit whose standard error is
 *                         larger than the difference it would show, for instance)
 */
public record ComparisonView(List<ModelColumn> models, List<TaskRow> tasks, List<AverageRetention> averageRetention,
                             List<Draft> drafts, List<String> warnings) {

    /**
     * A model and what it costs (from its latest evaluation: the stats of the model as evaluated). {@code sparsity}
     * counts every linear weight, the head included; {@code blockSparsity} only the decoder blocks' linear layers,
     * the weights pruning acts on by default and the number the sparsity papers report.
     */
    public record ModelColumn(UUID id, String name, UUID parentId, Long parameters, Long nonZero, Double sparsity,
                              Double blockSparsity, Long macsPerToken) {
    }

    /**
     * One task's headline metric, a cell per model.
     *
     * @param excludedFromAverage why the task is left out of the average retention (the reference sits at chance or
     *                            at zero on it, so a retention measures noise); null when it is counted
     */
    public record TaskRow(String task, String metric, boolean higherIsBetter,
                          @Schema(description = "Why the task is left out of the average retention; absent when it is counted",
                                  nullable = true, types = {"string", "null"}) String excludedFromAverage,
                          @Schema(description = "A cell per model, in the order of models; null where the model has no result")
                          List<Cell> cells) {
    }

    /**
     * @param value     the model's headline metric with its standard error
     * @param retention against the reference model's value; null when the results differ in task version, limit or
     *                  seed, or the reference's value is 0
     */
    public record Cell(UUID evaluationId, int taskVersion, int samples, int limit, MetricValue value,
                       @Schema(description = "Against the reference model's value; absent when the results differ in "
                               + "task version, limit or seed, or the reference's value is 0", nullable = true,
                               types = {"object", "null"}) MetricValue retention) {
    }

    /**
     * A model's retention averaged (unweighted) over the tasks counted, with the standard error of the mean of
     * independent estimates.
     *
     * @param value  null when no task has a retention to average
     * @param stderr null when any counted task's retention has none, or there is no value
     * @param tasks  the tasks averaged
     * @param leftOut the tasks with a retention that were left out, because the reference sits at chance or at zero
     *                on them (the reason is the row's {@code excludedFromAverage})
     */
    public record AverageRetention(UUID modelId,
                                   @Schema(description = "The average retention; null when no task has a retention to average",
                                           nullable = true, types = {"number", "null"}) Double value,
                                   @Schema(description = "Its standard error; null when a counted task's retention has none",
                                           nullable = true, types = {"number", "null"}) Double stderr,
                                   List<String> tasks, List<String> leftOut) {
    }

    /**
     * A model as a speculative-decoding draft: the target verified its proposals greedily, so the output was the
     * target's own; what it is worth is how many tokens each target forward yields and the time saved.
     *
     * @param targetModelId the model it drafted for; null for a result stored before targets were recorded
     * @param bestK         the draft length with the highest speed-up, whose figures are the task's headline
     * @param draftLengths  one per draft length k evaluated, in increasing k
     * @param adaptive      the adaptive draft length (a bandit over stop rules); absent for results stored before it
     */
    public record Draft(UUID modelId, String task, UUID evaluationId,
                        @Schema(description = "The model it drafted for; absent for results stored before targets were recorded",
                                nullable = true, types = {"string", "null"}) UUID targetModelId,
                        @Schema(description = "The target's name; absent when the target is unknown or deleted",
                                nullable = true, types = {"string", "null"}) String targetModelName,
                        int samples, int limit,
                        @Schema(description = "The draft length with the highest speed-up", nullable = true,
                                types = {"integer", "null"}) Integer bestK,
                        List<DraftLength> draftLengths,
                        @Schema(description = "The adaptive draft length, a bandit over stop rules capped at the longest k; "
                                + "absent for results stored before it", nullable = true) Adaptive adaptive) {
    }

    /**
     * @param meanAcceptedLength tokens per target forward (MAL)
     * @param acceptanceRate     the share of proposed tokens the target accepted
     * @param speedup            the target's wall time alone over its time with this draft, timed in the same run
     * @param meanDraftLength    tokens proposed per round, as the stop rules chose
     * @param rule               the stop rule the bandit played most
     */
    public record Adaptive(MetricValue meanAcceptedLength, MetricValue acceptanceRate, MetricValue speedup,
                           Double meanDraftLength, String rule) {
    }

    /**
     * @param meanAcceptedLength tokens per target forward, in [1, k + 1] (MAL)
     * @param acceptanceRate     the share of proposed tokens the target accepted
     * @param speedup            the target's wall time alone over its time with this draft, timed in the same run
     */
    public record DraftLength(int k, MetricValue meanAcceptedLength, MetricValue acceptanceRate, MetricValue speedup) {
    }
}
