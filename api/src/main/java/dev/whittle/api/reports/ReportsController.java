package dev.whittle.api.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.Retention;
import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.evaluate.EvaluationStore;
import dev.whittle.worker.models.ModelCatalog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1/reports")
@Tag(name = "Reports", description = "Comparisons of models across evaluation tasks")
public class ReportsController {

    private final ModelCatalog models;
    private final Evaluations evaluations;

    public ReportsController(ModelCatalog models, Evaluations evaluations) {
        this.models = models;
        this.evaluations = evaluations;
    }

    @Operation(summary = "Compare models", description = """
            models=a,b,c (ids or names; the first is the reference, normally the dense model): for every task any of
            them was evaluated on, each model's latest headline metric with its standard error and its retention
            against the reference (same task version, limit and seed only), plus each model's parameters, non-zero
            linear weights, sparsity and MACs per token.""")
    @GetMapping("/compare")
    public ComparisonView compare(@RequestParam List<String> models) {
        if (models.isEmpty() || models.size() > 20) {
            throw new ApiException(Problems.BAD_PARAMETER, "models: give 1 to 20 models, comma-separated");
        }
        List<Model> columns = new ArrayList<>();
        List<Map<String, Evaluation>> latest = new ArrayList<>();
        Map<String, Metric> metricOf = new LinkedHashMap<>();
        for (String idOrName : models) {
            Model model = this.models.find(idOrName).orElseThrow(() -> ApiException.notFound("Model '" + idOrName + "'"));
            columns.add(model);
            Map<String, Evaluation> byTask = new LinkedHashMap<>();
            for (Evaluation e : evaluations.findLatestPerTask(model.getId())) {
                byTask.put(e.getTask(), e);
                metricOf.putIfAbsent(e.getTask(), Metric.byId(e.getPrimaryMetric()).orElseThrow());
            }
            latest.add(byTask);
        }
        List<ComparisonView.TaskRow> rows = new ArrayList<>();
        List<List<MetricValue>> retentions = new ArrayList<>();
        columns.forEach(c -> retentions.add(new ArrayList<>()));
        for (Map.Entry<String, Metric> task : metricOf.entrySet()) {
            Metric metric = task.getValue();
            Evaluation reference = latest.getFirst().get(task.getKey());
            List<ComparisonView.Cell> cells = new ArrayList<>();
            for (int m = 0; m < columns.size(); m++) {
                Evaluation e = latest.get(m).get(task.getKey());
                if (e == null) {
                    cells.add(null);
                    continue;
                }
                MetricValue retention = retention(metric, e, reference);
                if (retention != null) {
                    retentions.get(m).add(retention);
                }
                cells.add(new ComparisonView.Cell(e.getId(), e.getTaskVersion(), e.getSamples(), e.getSampleLimit(),
                        e.getMetrics().get(metric.id()), retention == null ? null : JsonMapper.shared().valueToTree(retention)));
            }
            rows.add(new ComparisonView.TaskRow(task.getKey(), metric.id(), metric.higherIsBetter(), cells));
        }
        List<ComparisonView.ModelColumn> modelColumns = new ArrayList<>();
        for (int m = 0; m < columns.size(); m++) {
            Model model = columns.get(m);
            JsonNode stats = latest.get(m).values().stream().findFirst().map(Evaluation::getModelStats).orElse(null);
            modelColumns.add(new ComparisonView.ModelColumn(model.getId(), model.getName(), model.getParentId(),
                    stats == null ? model.getParameterCount() : stats.get("parameters").asLong(),
                    stats == null ? null : stats.get("nonZero").asLong(),
                    stats == null ? null : stats.get("sparsity").asDouble(),
                    stats == null || !stats.has("blockSparsity") ? null : stats.get("blockSparsity").asDouble(),
                    stats == null ? null : stats.get("macsPerToken").asLong()));
        }
        List<JsonNode> averages = retentions.stream()
                .map(r -> r.isEmpty() ? null : (JsonNode) JsonMapper.shared().valueToTree(Retention.average(r)))
                .toList();
        return new ComparisonView(modelColumns, rows, averages);
    }

    /**
     * The retention of {@code e} against {@code reference}: null when they did not measure the same thing; exactly 1
     * with no error for the reference's own result (one estimate, not two independent ones).
     */
    private static MetricValue retention(Metric metric, Evaluation e, Evaluation reference) {
        if (!comparable(e, reference)) {
            return null;
        }
        MetricValue dense = EvaluationStore.value(reference, metric);
        if (e.getId().equals(reference.getId())) {
            return dense.value() == 0 ? null : new MetricValue(1, 0.0);
        }
        return Retention.of(metric, EvaluationStore.value(e, metric), dense);
    }

    /** Results that measured the same thing: same task version, limit and seed. */
    private static boolean comparable(Evaluation e, Evaluation reference) {
        return reference != null && e.getTaskVersion() == reference.getTaskVersion()
                && e.getSampleLimit() == reference.getSampleLimit() && Objects.equals(e.getSeed(), reference.getSeed());
    }
}
