package dev.whittle.api.evaluations;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.whittle.api.PageView;
import dev.whittle.api.problems.ApiException;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.Retention;
import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.evaluation.EvaluationSamples;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.persistence.team.TeamScope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.data.domain.PageRequest;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Evaluations", description = "Benchmark results of EVALUATE stages: metrics, samples, scores per model")
@Validated
public class EvaluationsController {

    private final Evaluations evaluations;
    private final EvaluationSamples samples;
    private final ModelCatalog models;

    public EvaluationsController(Evaluations evaluations, EvaluationSamples samples, ModelCatalog models) {
        this.evaluations = evaluations;
        this.samples = samples;
        this.models = models;
    }

    @Operation(operationId = "listEvaluations", summary = "List evaluations", description = """
            Newest first. Filters: model (id or name; also finds the evaluations a job ran on the model it wrote),
            task, job.""")
    @GetMapping("/evaluations")
    public PageView<EvaluationView> list(@RequestParam(required = false) String model,
                                         @RequestParam(required = false) String task,
                                         @RequestParam(required = false) UUID job,
                                         @RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
                                         @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        UUID modelId = model == null ? null : model(model).getId();
        return PageView.of(evaluations.search(modelId, task, job, TeamScope.filter(), PageRequest.of(page, size)), EvaluationView::of);
    }

    @Operation(operationId = "getEvaluation", summary = "Get an evaluation", description = "Metrics with standard errors, per group and macro-averaged, "
            + "the task definition as run, the model's size and sparsity, and the retention against its baseline.")
    @GetMapping("/evaluations/{id}")
    public EvaluationView get(@PathVariable UUID id) {
        return EvaluationView.of(find(id));
    }

    @Operation(operationId = "listEvaluationSamples", summary = "An evaluation's samples", description = """
            The per-sample records in run order: prompt, target (and accepted aliases), output or every choice's
            log-likelihood, the picked choice, correctness, per-metric scores. correct=true or false keeps only the
            samples the model got right or wrong (on the task's headline metric).""")
    @GetMapping("/evaluations/{id}/samples")
    public PageView<JsonNode> samples(@PathVariable UUID id, @RequestParam(required = false) Boolean correct,
                                      @RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
                                      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        find(id);
        long total = samples.count(id, correct);
        return new PageView<>(samples.page(id, correct, (long) page * size, size), page, size, total,
                (int) ((total + size - 1) / size));
    }

    @Operation(operationId = "getModelScores", summary = "A model's scores", description = """
            The latest evaluation of each task on the model (by id or name), its headline metric, and the retention
            against the baseline it was compared with (compressed / dense; dense / compressed for perplexities),
            with the average retention over the tasks that have one.""")
    @GetMapping("/models/{id}/scores")
    public ScoresView scores(@PathVariable String id) {
        Model model = model(id);
        List<Evaluation> latest = evaluations.findLatestPerTask(model.getId(), TeamScope.filter());
        List<ScoresView.TaskScore> tasks = new ArrayList<>();
        List<MetricValue> retentions = new ArrayList<>();
        JsonNode stats = null;
        for (Evaluation e : latest) {
            stats = e.getModelStats();
            tasks.add(new ScoresView.TaskScore(e.getTask(), e.getTaskVersion(), e.getId(), e.getPrimaryMetric(),
                    e.getMetrics().get(e.getPrimaryMetric()), e.getSamples(), e.getSampleLimit(), e.getBaselineModelId(),
                    e.getRetention(), e.getCreatedAt()));
            if (e.getRetention() != null && !e.getRetention().isNull()) {
                JsonNode se = e.getRetention().get("stderr");
                retentions.add(new MetricValue(e.getRetention().get("value").asDouble(),
                        se == null || se.isNull() ? null : se.asDouble()));
            }
        }
        return new ScoresView(model.getId(), model.getName(), stats, tasks,
                retentions.isEmpty() ? null : JsonMapper.shared().valueToTree(Retention.average(retentions)));
    }

    private Evaluation find(UUID id) {
        return evaluations.findById(id).orElseThrow(() -> ApiException.notFound("Evaluation " + id));
    }

    private Model model(String idOrName) {
        return models.find(idOrName).orElseThrow(() -> ApiException.notFound("Model '" + idOrName + "'"));
    }
}
