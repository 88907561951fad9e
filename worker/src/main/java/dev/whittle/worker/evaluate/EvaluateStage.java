package dev.whittle.worker.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import dev.whittle.engine.model.ModelConfig;
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
 * <p>
 * Tasks that run the model as a speculative-decoding draft ({@code speculative}, e.g. {@code ref-speculative}) get
 * a target: {@code target}, or else the dense root of the lineage (the first parent's first parent, and so on).
 * There is none for a model without parents unless one is given, and it must share the model's vocabulary; both are
 * checked at submission (for a first stage) and again when the stage starts. Such results depend on the target and
 * on timing, so they are neither reused nor compared with a baseline: the target is the comparison.
 */
@Component
public class EvaluateStage implements StageType<EvaluateStage.Parameters> {

    static final String DEFAULT_SUITE = "kick";
    private static final String TOKENIZER = "tokenizer.json";
    private static final String DONE = "evaluate.done.";

    /**
     * @param tasks       task names; leave out for a suite
     * @param suite       a suite's name (default {@code kick} when no tasks are given)
     * @param limit       samples per task (0: all); default: each suite entry's own limit, all for listed tasks
     * @param seed        the few-shot sampler's seed (default: each task's own)
     * @param batchSize   documents per log-likelihood scoring call
     * @param baseline    the model to compare with (id or name); default: the dense ancestor
     * @param keepSamples whether per-sample records are stored
     * @param target      the model the evaluated one drafts for in speculative tasks (id or name); default: the
     *                    dense root of its lineage
     */
    // Named for the OpenAPI document, where an experiment's evaluation refers to it (every stage's is "Parameters").
    @Schema(name = "EvaluateParameters")
    public record Parameters(
            @Schema(description = "Task names (GET /api/v1/tasks); leave out for a suite.", example = "[\"ref-multiple-choice\"]")
            List<@NotBlank String> tasks,
            // no schema default: kick holds only without tasks, and a generated client sends a default as given
            @Schema(description = "A suite's name; " + DEFAULT_SUITE + " when neither tasks nor a suite is given.",
                    example = DEFAULT_SUITE) String suite,
            @Schema(description = "Samples per task, 0 for all; default: each suite entry's own limit, all for listed "
                    + "tasks.", example = "20") @Min(0) Integer limit,
            @Schema(description = "The few-shot sampler's seed; default: each task's own.", example = "1234") Long seed,
            @Schema(description = "Documents run together: per log-likelihood scoring call, and sequences decoded "
                    + "together by generation.",
                    defaultValue = "" + EvaluationSettings.DEFAULT_BATCH_SIZE) @Min(1) @Max(256) Integer batchSize,
            @Schema(description = "The model to compare with, by id or name; default: the dense ancestor.",
                    example = "whittle-ref") String baseline,
            @Schema(description = "Whether per-sample records are stored.", defaultValue = "true") Boolean keepSamples,
            @Schema(description = "For speculative tasks: the model the evaluated one drafts for, by id or name; "
                    + "default: the dense root of its lineage.", example = "whittle-ref") String target) {
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
                         MetricValue averageRetention, UUID targetModelId, String targetModelName) {
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
        if (p.target() != null && modelCatalog.find(p.target()).isEmpty()) {
            problems.add(new FieldProblem("target", "no model with id or name '" + p.target() + "'"));
        }
        return problems;
    }

    /** Speculative tasks need a target that shares the model's vocabulary (the model being the job's). */
    @Override
    public List<FieldProblem> validate(Parameters p, ModelConfig model, Path folder) {
        if (!needsTarget(runs(p, registeredTasks.registry()))) {
            return List.of();
        }
        Optional<Model> jobModel = models.findFirstByPathOrderByCreatedAtAsc(folder.toString());
        Optional<Model> target = p.target() != null ? modelCatalog.find(p.target())
                : jobModel.flatMap(m -> target(p, m, true));
        if (target.isEmpty()) {
            return List.of(noTarget());
        }
        return targetProblems(target.get(), model, folder).map(List::of).orElse(List.of());
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
        Model target = null;
        if (needsTarget(runs)) {
            target = target(p, jobModel, onJobModel).orElseThrow(() -> new IllegalArgumentException(noTarget().message()));
            Optional<FieldProblem> mismatch = targetProblems(target, ModelConfig.load(context.modelFolder()),
                    context.modelFolder());
            if (mismatch.isPresent()) {
                throw new IllegalArgumentException(mismatch.get().message());
            }
        }
        EvaluationStore.Origin origin = new EvaluationStore.Origin(context.jobId(), context.stageIndex(),
                onJobModel ? jobModel.getId() : null, target == null ? null : target.getId());

        Map<String, Evaluation> evaluated = new LinkedHashMap<>();
        ModelStats stats = null;
        Evaluator evaluator = null;
        // Progress parts: the model's tasks, then the baseline's (when it is not this model); tasks that are
        // reused finish their part at once.
        int compared = isBaseline ? 0 : (int) runs.stream().filter(r -> !r.task().requestType().needsTarget()).count();
        int parts = runs.size() + compared;
        int part = 0;
        for (Run run : runs) {
            Progress progress = context.progress(part++, parts);
            String done = context.checkpoint().getString(DONE + run.task().name(), null);
            if (done != null && store.find(UUID.fromString(done)).isPresent()) {
                evaluated.put(run.task().name(), store.find(UUID.fromString(done)).get());
                continue;
            }
            if (origin.modelId() != null && !run.task().requestType().needsTarget()) {
                // A registered model's results are computed once per task version, limit and seed.
                var earlier = store.reusable(origin.modelId(), run.task(), run.limit(), p.seed());
                if (earlier.isPresent()) {
                    evaluated.put(run.task().name(), earlier.get());
                    continue;
                }
            }
            if (evaluator == null) {
                Decoder decoder = DecoderLoader.loadForInference(context.modelFolder(), preparing(progress));
                stats = ModelStats.of(decoder);
                Decoder targetDecoder = target == null ? null
                        : DecoderLoader.loadForInference(Path.of(target.getPath()), preparing(progress));
                evaluator = new Evaluator(decoder, Tokenizer.load(context.modelFolder()), registeredTasks.datasets(),
                        targetDecoder);
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
            if (!isBaseline && !run.task().requestType().needsTarget()) {
                Progress progress = context.progress(part++, parts);
                base = store.reusable(baseline.getId(), run.task(), run.limit(), p.seed()).orElse(null);
                if (base == null) {
                    if (baselineEvaluator == null) {
                        Path folder = Path.of(baseline.getPath());
                        Decoder decoder = DecoderLoader.loadForInference(folder, preparing(progress));
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
                retentions.isEmpty() ? null : Retention.average(retentions), target == null ? null : target.getId(),
                target == null ? null : target.getName());
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

    private static boolean needsTarget(List<Run> runs) {
        return runs.stream().anyMatch(r -> r.task().requestType().needsTarget());
    }

    /**
     * The target of speculative tasks: the given one, else the dense root of {@code jobModel}'s first-parent chain;
     * none when the evaluated model is that root itself ({@code onJobModel} and no parent).
     */
    private Optional<Model> target(Parameters p, Model jobModel, boolean onJobModel) {
        if (p.target() != null) {
            return modelCatalog.find(p.target());
        }
        Model root = denseRoot(jobModel);
        return onJobModel && root.getId().equals(jobModel.getId()) ? Optional.empty() : Optional.of(root);
    }

    /** Follows the first parent ({@code model.parent_id}, the job's input) back to a model without one. */
    private Model denseRoot(Model model) {
        Set<UUID> seen = new HashSet<>();
        Model current = model;
        while (current.getParentId() != null && seen.add(current.getId())) {
            Optional<Model> parent = models.findById(current.getParentId());
            if (parent.isEmpty()) {
                break;
            }
            current = parent.get();
        }
        return current;
    }

    private static FieldProblem noTarget() {
        return new FieldProblem("target", "a speculative task needs a target model for the evaluated one to draft "
                + "for: this model has no parent, so give target (a model id or name)");
    }

    /** Why {@code target} cannot verify drafts of the model at {@code folder}: another vocabulary or tokenizer. */
    private static Optional<FieldProblem> targetProblems(Model target, ModelConfig draft, Path folder) {
        Path targetFolder = Path.of(target.getPath());
        ModelConfig config;
        try {
            config = ModelConfig.load(targetFolder);
        } catch (IOException | RuntimeException e) {
            return Optional.of(new FieldProblem("target", "the target '" + target.getName() + "' cannot be read: "
                    + e.getMessage()));
        }
        if (config.vocabSize() != draft.vocabSize()) {
            return Optional.of(new FieldProblem("target", "the target '" + target.getName() + "' has a vocabulary of "
                    + config.vocabSize() + " tokens, the evaluated model " + draft.vocabSize()));
        }
        Path ours = folder.resolve(TOKENIZER);
        Path theirs = targetFolder.resolve(TOKENIZER);
        try {
            if (Files.isRegularFile(ours) && Files.isRegularFile(theirs) && Files.mismatch(ours, theirs) != -1) {
                return Optional.of(new FieldProblem("target", "the target '" + target.getName()
                        + "' has another tokenizer (its tokenizer.json differs)"));
            }
        } catch (IOException e) {
            return Optional.of(new FieldProblem("target", "cannot compare tokenizers: " + e.getMessage()));
        }
        return Optional.empty();
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
