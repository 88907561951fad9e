package dev.whittle.api.experiments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToDoubleFunction;

import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.persistence.experiment.Experiment;
import dev.whittle.persistence.experiment.Experiments;
import dev.whittle.persistence.experiment.Trial;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.stage.FieldProblem;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gathers an experiment's results from its succeeded trials' jobs: the EVALUATE stage's result (scores, retentions,
 * the evaluated model's stats), the output model's size and the job's wall time; then the Pareto front.
 */
@Component
class ExperimentResults {

    private final Experiments experiments;
    private final Jobs jobs;
    private final Models models;

    ExperimentResults(Experiments experiments, Jobs jobs, Models models) {
        this.experiments = experiments;
        this.jobs = jobs;
        this.models = models;
    }

    /** The cost a front is taken against. */
    enum Cost {
        MACS(t -> t.macsPerToken() == null ? Double.NaN : t.macsPerToken()),
        SIZE(t -> t.sizeBytes() == null ? Double.NaN : t.sizeBytes());

        final ToDoubleFunction<ResultsView.TrialResult> of;

        Cost(ToDoubleFunction<ResultsView.TrialResult> of) {
            this.of = of;
        }

        static Cost parse(String cost) {
            return switch (cost == null ? "macs" : cost.toLowerCase(Locale.ROOT)) {
                case "macs" -> MACS;
                case "size" -> SIZE;
                default -> throw new ApiException(Problems.BAD_PARAMETER, "cost: macs or size, got '" + cost + "'",
                        List.of(new FieldProblem("cost", "must be macs or size")));
            };
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        String axisLabel() {
            return this == MACS ? "MACs per token (zeros skipped)" : "model size (bytes)";
        }
    }

    ResultsView of(UUID experimentId, Cost cost) {
        Experiment e = experiments.find(experimentId).orElseThrow(() -> ApiException.notFound("Experiment " + experimentId));
        List<ResultsView.TrialResult> trials = new ArrayList<>();
        List<ResultsView.Row> rows = new ArrayList<>();
        Set<String> tasks = new LinkedHashSet<>();
        for (Trial t : experiments.trials(e.id())) {
            if (!t.succeeded()) {
                continue;
            }
            Job job = jobs.findById(t.jobId()).orElse(null);
            JsonNode evaluation = job == null ? null : evaluateResult(job);
            if (evaluation == null) {
                continue;
            }
            String label = t.baseline() ? "dense baseline" : ExperimentGrid.label(t.settings());
            for (JsonNode task : evaluation.path("tasks")) {
                MetricValue value = metric(task.get("value"));
                MetricValue retention = t.baseline() ? (value == null || value.value() == 0 ? null : new MetricValue(1, 0.0))
                        : metric(task.get("retention"));
                tasks.add(task.get("task").asString());
                rows.add(new ResultsView.Row(t.index(), label, task.get("task").asString(), task.path("metric").asString(),
                        task.path("samples").asInt(), value, retention));
            }
            JsonNode stats = evaluation.path("model");
            UUID modelId = t.baseline() ? job.getModelId() : job.getOutputModelId();
            Model model = modelId == null ? null : models.findById(modelId).orElse(null);
            MetricValue average = t.baseline() ? new MetricValue(1, 0.0) : metric(evaluation.get("averageRetention"));
            trials.add(new ResultsView.TrialResult(t.index(), t.baseline(), label, t.baseline() ? null : t.settings(),
                    t.jobId(), modelId, average == null ? null : average.value(), number(stats, "blockSparsity"),
                    number(stats, "sparsity"), count(stats, "parameters"), count(stats, "nonZero"),
                    count(stats, "macsPerToken"), model == null ? null : model.getSizeBytes(),
                    job.getStartedAt() == null || job.getFinishedAt() == null ? null
                            : Duration.between(job.getStartedAt(), job.getFinishedAt()).toMillis() / 1000.0, false));
        }
        List<Integer> front = paretoFront(trials, cost.of);
        List<ResultsView.TrialResult> marked = trials.stream().map(t -> front.contains(t.trial()) ? onFront(t) : t).toList();
        return new ResultsView(e.id(), cost.id(), List.copyOf(tasks), marked, rows, front);
    }

    /**
     * The trials no other trial dominates (as cheap or cheaper and retaining as much or more, one of the two strictly),
     * cheapest first; trials without a cost or an average retention take no part.
     */
    static List<Integer> paretoFront(List<ResultsView.TrialResult> trials, ToDoubleFunction<ResultsView.TrialResult> cost) {
        List<ResultsView.TrialResult> candidates = trials.stream()
                .filter(t -> t.averageRetention() != null && !Double.isNaN(cost.applyAsDouble(t))).toList();
        List<ResultsView.TrialResult> front = new ArrayList<>();
        for (ResultsView.TrialResult t : candidates) {
            boolean dominated = candidates.stream().anyMatch(u -> u != t
                    && cost.applyAsDouble(u) <= cost.applyAsDouble(t) && u.averageRetention() >= t.averageRetention()
                    && (cost.applyAsDouble(u) < cost.applyAsDouble(t) || u.averageRetention() > t.averageRetention()));
            if (!dominated) {
                front.add(t);
            }
        }
        front.sort(Comparator.comparingDouble(cost).thenComparingInt(ResultsView.TrialResult::trial));
        return front.stream().map(ResultsView.TrialResult::trial).toList();
    }

    /** The result of the job's last EVALUATE stage; null when it has none. */
    private static JsonNode evaluateResult(Job job) {
        JsonNode stages = job.getRecipe().path("stages");
        for (int i = stages.size() - 1; i >= 0; i--) {
            if ("EVALUATE".equals(stages.get(i).path("type").asString())) {
                JsonNode result = job.getResult() == null ? null : job.getResult().path("stages").path(i).get("result");
                return result == null || result.isNull() ? null : result;
            }
        }
        return null;
    }

    private static ResultsView.TrialResult onFront(ResultsView.TrialResult t) {
        return new ResultsView.TrialResult(t.trial(), t.baseline(), t.label(), t.settings(), t.jobId(), t.modelId(),
                t.averageRetention(), t.blockSparsity(), t.sparsity(), t.parameters(), t.nonZero(), t.macsPerToken(),
                t.sizeBytes(), t.wallSeconds(), true);
    }

    private static MetricValue metric(JsonNode node) {
        return node == null || node.isNull() || !node.has("value") ? null
                : JsonMapper.shared().treeToValue(node, MetricValue.class);
    }

    private static Double number(JsonNode stats, String field) {
        return stats.has(field) ? stats.get(field).asDouble() : null;
    }

    private static Long count(JsonNode stats, String field) {
        return stats.has(field) ? stats.get(field).asLong() : null;
    }
}
