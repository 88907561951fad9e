package dev.whittle.worker.evaluate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.Retention;
import dev.whittle.engine.eval.run.EvaluationSettings;
import dev.whittle.engine.eval.run.Evaluator;
import dev.whittle.engine.eval.run.TaskResult;
import dev.whittle.engine.eval.task.SuiteDefinition;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * EVALUATE: runs evaluation tasks (built-in or registered; a list, or a suite such as {@code kick}) on the stage's
 * model, stores each task's metrics and samples as an evaluation, and reports the retention of each task's headline
 * metric against a baseline: by default the model's dense ancestor (the root of its lineage). The baseline's results
 * for the same task version, limit and seed are reused when it was evaluated before; otherwise this stage evaluates
 * it too, after the model (one model in memory at a time), and stores them for later jobs.
 * <p>
 * A registered model's results are likewise reused (a task version, limit and seed is computed once per model); a
 * restarted stage does not run again the tasks it already stored.
 */
@Component
public class EvaluateStage implements StageType<EvaluateStage.Parameters> {

    static final String DEFAULT_SUITE = "kick";
    private static final String DONE = "evaluate.done.";

    /**
     * @param tasks       task names; leave out for a suite
     * @param suite       a suite's name (default {@code kick} when no tasks are given)
     * @param limit       samples per task (0: all); default: each suite entry's own limit, all for listed tasks
     * @param seed        the few-shot sampler's seed (default: each task's own)
     * @param batchSize   documents per log-likelihood scoring call
     * @param baseline    the model to compare with (id or name); default: the dense ancestor
     * @param keepSamples whether per-sample records are stored
     */
    public record Parameters(
            @Schema(description = "Task names (GET /api/v1/tasks); leave out for a suite.", example = "[\"ref-multiple-choice\"]")
            List<@NotBlank String> tasks,
            // no schema default: kick holds only without tasks, and a generated client sends a default as given
            @Schema(description = "A suite's name; " + DEFAULT_SUITE + " when neither tasks nor a suite is given.",
                    example = DEFAULT_SUITE) String suite,
            @Schema(description = "Samples per task, 0 for all; default: each suite entry's own limit, all for listed "
                    + "tasks.", example = "20") @Min(0) Integer limit,
            @Schema(description = "The few-shot sampler's seed; default: each task's own.", example = "1234") Long seed,
            @Schema(description = "Documents per log-likelihood scoring call.",
                    defaultValue = "" + EvaluationSettings.DEFAULT_BATCH_SIZE) @Min(1) @Max(256) Integer batchSize,
            @Schema(description = "The model to compare with, by id or name; default: the dense ancestor.",
                    example = "whittle-ref") String baseline,
            @Schema(description = "Whether per-sample records are stored.", defaultValue = "true") Boolean keepSamples) {
        public Parameters {
            tasks = tasks == null ? List.of() : List.copyOf(tasks);
            batchSize = batchSize == null ? EvaluationSettings.DEFAULT_BATCH_SIZE : batchSize;
            keepSamples = keepSamples == null || keepSamples;
        }
    }

    /** One task of the stage and what it gave. */
    public record TaskOutcome(String task, int version, UUID evaluationId, String metric, MetricValue value,
                              int samples, UUID baselineEvaluationId, MetricValue baselineValue, MetricValue retention) {
    }

    /** The stage's result. */
    public record Result(ModelStats model, UUID baselineModelId, String baselineModelName, List<TaskOutcome> tasks,
                         MetricValue averageRetention) {
    }

    private final RegisteredTasks registeredTasks;
    private final EvaluationStore store;
    private final ModelCatalog modelCatalog;
    private final Models models;
    private final Jobs jobs;

    public EvaluateStage(RegisteredTasks registeredTasks, EvaluationStore store, ModelCatalog modelCatalog, Models models, Jobs jobs) {
        this.registeredTasks = registeredTasks;
        this.store = store;
        this.modelCatalog = modelCatalog;
        this.models = models;
        this.jobs = jobs;
    }

    @Override
    public String name() {
        return "EVALUATE";
    }

    @Override
    public String description() {
        return "Runs evaluation tasks or a suite (default: kick, the LLM-KICK set) on the model; stores metrics with "
                + "standard errors and per-sample records, and the retention against the dense ancestor or a baseline.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public List<FieldProblem> validate(Parameters p) {
        List<FieldProblem> problems = new ArrayList<>();
        TaskRegistry registry = registeredTasks.registry();
        if (!p.tasks().isEmpty() && p.suite() != null) {
            problems.add(new FieldProblem("suite", "give tasks or a suite, not both"));
        }
        for (int i = 0; i < p.tasks().size(); i++) {
            if (!registry.hasTask(p.tasks().get(i))) {
                problems.add(new FieldProblem("tasks[" + i + "]", "unknown task '" + p.tasks().get(i) + "'"));
            }
        }
        if (p.suite() != null && !registry.hasSuite(p.suite())) {
            problems.add(new FieldProblem("suite", "unknown suite '" + p.suite() + "'"));
        }
        if (p.baseline() != null && modelCatalog.find(p.baseline()).isEmpty()) {
            problems.add(new FieldProblem("baseline", "no model with id or name '" + p.baseline() + "'"));
        }
        return problems;
    }

    /** A task with the limit it runs with. */
    private record Run(TaskDefinition task, int limit) {
    }

    @Override
    public Result execute(Parameters p, StageContext context) throws Exception {
        TaskRegistry registry = registeredTasks.registry();
        List<Run> runs = runs(p, registry);
        Model jobModel = models.findById(jobs.findById(context.jobId()).orElseThrow().getModelId()).orElseThrow();
        boolean onJobModel = samePath(Path.of(jobModel.getPath()), context.modelFolder());
        Model baseline = p.baseline() != null ? modelCatalog.find(p.baseline()).orElseThrow() : denseAncestor(jobModel);
        boolean isBaseline = onJobModel && baseline.getId().equals(jobModel.getId());
        EvaluationStore.Origin origin = new EvaluationStore.Origin(context.jobId(), context.stageIndex(),
                onJobModel ? jobModel.getId() : null);

        Map<String, Evaluation> evaluated = new LinkedHashMap<>();
        ModelStats stats = null;
        Evaluator evaluator = null;
        // Progress parts: the model's tasks, then the baseline's (when it is not this model); tasks that are
        // reused finish their part at once.
        int parts = isBaseline ? runs.size() : 2 * runs.size();
        int part = 0;
        for (Run run : runs) {
            Progress progress = context.progress(part++, parts);
            String done = context.checkpoint().getString(DONE + run.task().name(), null);
            if (done != null && store.find(UUID.fromString(done)).isPresent()) {
                evaluated.put(run.task().name(), store.find(UUID.fromString(done)).get());
                continue;
            }
            if (origin.modelId() != null) {
                // A registered model's results are computed once per task version, limit and seed.
                var earlier = store.reusable(origin.modelId(), run.task(), run.limit(), p.seed());
                if (earlier.isPresent()) {
                    evaluated.put(run.task().name(), earlier.get());
                    continue;
                }
            }
            if (evaluator == null) {
                Decoder decoder = DecoderLoader.load(context.modelFolder(), preparing(progress));
                stats = ModelStats.of(decoder);
                evaluator = new Evaluator(decoder, Tokenizer.load(context.modelFolder()), registeredTasks.datasets());
            }
            Evaluation saved = evaluate(evaluator, run, p, origin, stats, progress);
            context.checkpoint().putString(DONE + run.task().name(), saved.getId().toString());
            evaluated.put(run.task().name(), saved);
        }
        evaluator = null;

        List<TaskOutcome> outcomes = new ArrayList<>();
        List<MetricValue> retentions = new ArrayList<>();
        Evaluator baselineEvaluator = null;
        ModelStats baselineStats = null;
        for (Run run : runs) {
            Evaluation evaluation = evaluated.get(run.task().name());
            Evaluation base = null;
            MetricValue retention = null;
            if (!isBaseline) {
                Progress progress = context.progress(part++, parts);
                base = store.reusable(baseline.getId(), run.task(), run.limit(), p.seed()).orElse(null);
                if (base == null) {
                    if (baselineEvaluator == null) {
                        Path folder = Path.of(baseline.getPath());
                        Decoder decoder = DecoderLoader.load(folder, preparing(progress));
                        baselineStats = ModelStats.of(decoder);
                        baselineEvaluator = new Evaluator(decoder, Tokenizer.load(folder), registeredTasks.datasets());
                    }
                    base = evaluate(baselineEvaluator, run, p, new EvaluationStore.Origin(context.jobId(),
                            context.stageIndex(), baseline.getId()), baselineStats, progress);
                }
                retention = store.compare(evaluation, base);
                if (retention != null) {
                    retentions.add(retention);
                }
            }
            Metric metric = Metric.byId(evaluation.getPrimaryMetric()).orElseThrow();
            outcomes.add(new TaskOutcome(run.task().name(), run.task().version(), evaluation.getId(), metric.id(),
                    EvaluationStore.value(evaluation, metric), evaluation.getSamples(),
                    base == null ? null : base.getId(), base == null ? null : EvaluationStore.value(base, metric), retention));
        }
        if (stats == null && !evaluated.isEmpty()) {
            stats = JsonMapper.shared().treeToValue(
                    evaluated.values().iterator().next().getModelStats(), ModelStats.class);
        }
        return new Result(stats, isBaseline ? null : baseline.getId(), isBaseline ? null : baseline.getName(), outcomes,
                retentions.isEmpty() ? null : Retention.average(retentions));
    }

    /**
     * Reports of work that comes before a part's own units (loading the model) as messages at the part's start,
     * so the job's percent does not run ahead and then back.
     */
    private static Progress preparing(Progress part) {
        return new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
                part.report(stage, 0, total, stage + " " + done + (total > 0 ? "/" + total : ""));
            }

            @Override
            public boolean cancelRequested() {
                return part.cancelRequested();
            }
        };
    }

    private Evaluation evaluate(Evaluator evaluator, Run run, Parameters p, EvaluationStore.Origin origin,
                                ModelStats stats, Progress progress) throws IOException {
        EvaluationSettings settings = new EvaluationSettings(run.limit(), p.seed(), p.batchSize(), p.keepSamples());
        TaskResult result = evaluator.evaluate(run.task(), settings, progress);
        return store.save(origin, run.task(), run.limit(), p.seed(), result, stats);
    }

    private static List<Run> runs(Parameters p, TaskRegistry registry) {
        List<Run> runs = new ArrayList<>();
        if (!p.tasks().isEmpty()) {
            for (String name : p.tasks()) {
                runs.add(new Run(registry.task(name), p.limit() == null ? 0 : p.limit()));
            }
            return runs;
        }
        SuiteDefinition suite = registry.suite(p.suite() == null ? DEFAULT_SUITE : p.suite());
        for (SuiteDefinition.Entry entry : suite.tasks()) {
            int limit = p.limit() != null ? p.limit() : entry.limit() == null ? 0 : entry.limit();
            runs.add(new Run(registry.task(entry.task()), limit));
        }
        return runs;
    }

    /** The root of the model's lineage: the model it was made from, and so on back (itself if it has no parent). */
    private Model denseAncestor(Model model) {
        List<Model> ancestors = models.findAncestors(model.getId());
        return ancestors.isEmpty() ? model : ancestors.getLast();
    }

    private static boolean samePath(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
