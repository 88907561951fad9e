package dev.whittle.engine.eval.run;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.PerplexityEstimate;
import dev.whittle.engine.eval.task.DatasetSpec;
import dev.whittle.engine.eval.task.FewShotSpec;
import dev.whittle.engine.eval.task.RequestSpec;
import dev.whittle.engine.eval.task.SuiteDefinition;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.generate.BanditDraftPolicy;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs tasks on a loaded model: reads the task's documents, builds the prompts, scores them by the task's request
 * type and reduces the samples to the task's metrics with standard errors, per group and macro-averaged where the
 * task groups its documents.
 *
 * <pre>{@code
 * Evaluator evaluator = new Evaluator(decoder, tokenizer, DatasetResolver.builtinOnly());
 * TaskResult mmlu = evaluator.evaluate(TaskRegistry.builtIn().task("mcr-qa"), EvaluationSettings.defaults(), progress);
 * }</pre>
 * A {@code speculative} task needs the target the model drafts for ({@link #Evaluator(Decoder, Tokenizer,
 * DatasetResolver, Decoder)}). Not thread-safe: one evaluation at a time per evaluator.
 */
public final class Evaluator {

    private final DatasetResolver datasets;
    private final int maxPositions;
    private final ChoiceScoring choices;
    private final GenerationScoring generation;
    private final PerplexityScoring perplexity;
    private final SpeculativeScoring speculative;

    public Evaluator(Decoder decoder, Tokenizer tokenizer, DatasetResolver datasets) {
        this(decoder, tokenizer, datasets, null);
    }

    /**
     * @param target the model {@code decoder} drafts for in {@code speculative} tasks (same tokenizer and
     *               vocabulary); null: such tasks are refused
     */
    public Evaluator(Decoder decoder, Tokenizer tokenizer, DatasetResolver datasets, Decoder target) {
        this.datasets = datasets;
        this.maxPositions = decoder.config().maxPositionEmbeddings();
        this.choices = new ChoiceScoring(tokenizer, new LogLikelihood(decoder), maxPositions);
        this.generation = new GenerationScoring(tokenizer, decoder, maxPositions);
        this.perplexity = new PerplexityScoring(decoder, tokenizer);
        this.speculative = target == null ? null : new SpeculativeScoring(tokenizer, decoder, target, maxPositions);
    }

    /** Each task of the suite in turn, with its limit unless {@code settings} give one. */
    public List<TaskResult> evaluate(SuiteDefinition suite, TaskRegistry registry, EvaluationSettings settings,
                                     Progress progress) throws IOException {
        List<TaskResult> results = new ArrayList<>();
        for (SuiteDefinition.Entry entry : suite.tasks()) {
            int limit = settings.limit() > 0 ? settings.limit() : entry.limit() == null ? 0 : entry.limit();
            results.add(evaluate(registry.task(entry.task()), settings.withLimit(limit), progress));
        }
        return results;
    }

    public TaskResult evaluate(TaskDefinition task, EvaluationSettings settings, Progress progress) throws IOException {
        if (task.requestType().needsTarget() && speculative == null) {
            throw new IllegalArgumentException("task '" + task.name() + "' runs the model as a draft for a target "
                    + "model: give the evaluator one");
        }
        long start = System.nanoTime();
        try {
            DatasetSpec dataset = task.dataset();
            List<Doc> all = dataset.format().read(datasets, dataset.path(), dataset.split(), dataset.subsets());
            return switch (task.requestType()) {
                case ROLLING_PERPLEXITY -> rollingPerplexity(task, all, settings, progress, start);
                case LOGLIKELIHOOD, GENERATE_UNTIL -> prompted(task, all, settings, progress, start);
                case SPECULATIVE -> speculative(task, all, settings, progress, start);
            };
        } catch (DatasetException e) {
            throw new DatasetException("task '" + task.name() + "': " + e.getMessage(), e);
        }
    }

    private TaskResult prompted(TaskDefinition task, List<Doc> all, EvaluationSettings settings, Progress outer,
                                long start) throws IOException {
        FewShotSpec fewshot = settings.seed() == null ? task.fewshot() : task.fewshot().withSeed(settings.seed());
        List<Doc> pool = List.of();
        boolean poolIsEvaluatedSplit = false;
        if (fewshot.k() > 0) {
            DatasetSpec dataset = task.dataset();
            poolIsEvaluatedSplit = fewshot.split() == null || fewshot.split().equals(dataset.split());
            pool = poolIsEvaluatedSplit ? all
                    : dataset.format().read(datasets, dataset.path(), fewshot.split(), dataset.subsets());
        }
        PromptBuilder prompts = new PromptBuilder(task, fewshot, pool, poolIsEvaluatedSplit);
        List<Doc> docs = take(all, settings.limit(), task.groupBy());
        SampleProgress progress = new SampleProgress(outer, task.name(), docs.size());
        RequestSpec request = task.request();
        List<SampleRecord> records = switch (task.requestType()) {
            case LOGLIKELIHOOD -> choices.score(docs, prompts, task.groupBy(), task.primaryMetric(),
                    settings.batchSize(), progress);
            case GENERATE_UNTIL -> generation.score(docs, prompts, task.groupBy(), task.primaryMetric(),
                    request.maxTokens(), request.until(), settings.batchSize(), progress);
            case ROLLING_PERPLEXITY, SPECULATIVE -> throw new IllegalStateException("not a scored prompted task");
        };
        Map<String, MetricValue> metrics = means(task.metrics(), records);
        Map<String, Map<String, MetricValue>> groups = new LinkedHashMap<>();
        Map<String, MetricValue> macro = new LinkedHashMap<>();
        if (task.groupBy() != null) {
            Map<String, List<SampleRecord>> byGroup = new LinkedHashMap<>();
            for (SampleRecord r : records) {
                byGroup.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
            }
            byGroup.forEach((group, members) -> groups.put(group, means(task.metrics(), members)));
            for (Metric metric : task.metrics()) {
                macro.put(metric.id(), MetricValue.macroMean(groups.values().stream().map(g -> g.get(metric.id())).toList()));
            }
        }
        Map<String, Number> details = new LinkedHashMap<>();
        details.put("fewshot_k", fewshot.k());
        details.put("fewshot_seed", fewshot.seed());
        details.put("max_positions", maxPositions);
        int truncated = (int) records.stream().filter(r -> Boolean.TRUE.equals(r.truncated())).count();
        return new TaskResult(task.name(), task.version(), task.requestType(), task.primaryMetric(), metrics, groups,
                macro, records.size(), all.size(), truncated, seconds(start), details,
                settings.keepSamples() ? records : List.of());
    }

    private TaskResult rollingPerplexity(TaskDefinition task, List<Doc> all, EvaluationSettings settings, Progress outer,
                                        long start) {
        RequestSpec request = task.request();
        int seqlen = Math.min(request.seqlen() == null ? maxPositions : request.seqlen(), maxPositions);
        int stride = Math.min(request.stride() == null ? seqlen : request.stride(), seqlen);
        PerplexityScoring.Plan plan = perplexity.plan(all, request.textField(), seqlen, stride);
        int available = plan.totalWindows();
        int total = settings.limit() > 0 ? Math.min(settings.limit(), available) : available;
        SampleProgress progress = new SampleProgress(outer, task.name(), total);
        PerplexityScoring.Scored scored = perplexity.score(all, plan, seqlen, stride, settings.limit(), progress);
        PerplexityEstimate estimate = scored.estimate();
        Map<String, MetricValue> metrics = new LinkedHashMap<>();
        for (Metric metric : task.metrics()) {
            metrics.put(metric.id(), estimate.value(metric));
        }
        Map<String, Number> details = new LinkedHashMap<>();
        details.put("seqlen", seqlen);
        details.put("stride", stride);
        details.put("nll", estimate.totalNll());
        details.put("tokens", estimate.tokens());
        details.put("words", estimate.words());
        details.put("bytes", estimate.bytes());
        return new TaskResult(task.name(), task.version(), task.requestType(), task.primaryMetric(), metrics, Map.of(),
                Map.of(), scored.records().size(), available, 0, seconds(start), details,
                settings.keepSamples() ? scored.records() : List.of());
    }

    /**
     * Each draft length's metrics as a group ({@code k=3}), and the adaptive length's ({@code adaptive}, with each
     * stop rule's rounds and mean reward in the details); the task's own metrics are those of the fixed draft length
     * with the highest speed-up (named in {@code details.best_k}), what the draft is worth to the target.
     */
    private TaskResult speculative(TaskDefinition task, List<Doc> all, EvaluationSettings settings, Progress outer,
                                   long start) {
        PromptBuilder prompts = new PromptBuilder(task, FewShotSpec.none(), List.of(), false);
        List<Doc> docs = take(all, settings.limit(), null);
        SampleProgress progress = new SampleProgress(outer, task.name(), docs.size());
        RequestSpec request = task.request();
        SpeculativeScoring.Scored scored = speculative.score(docs, prompts, request.draftLengths(), request.maxTokens(),
                request.until(), progress);
        Map<String, Map<String, MetricValue>> groups = new LinkedHashMap<>();
        int bestK = request.draftLengths().getFirst();
        for (var entry : scored.byDraftLength().entrySet()) {
            groups.put(SpeculativeKeys.draftLengthGroup(entry.getKey()), entry.getValue());
            if (entry.getValue().get(Metric.SPEEDUP.id()).value()
                    > scored.byDraftLength().get(bestK).get(Metric.SPEEDUP.id()).value()) {
                bestK = entry.getKey();
            }
        }
        groups.put(SpeculativeKeys.ADAPTIVE_GROUP, scored.adaptive());
        Map<String, MetricValue> metrics = new LinkedHashMap<>();
        for (Metric metric : task.metrics()) {
            metrics.put(metric.id(), scored.byDraftLength().get(bestK).get(metric.id()));
        }
        Map<String, Number> details = new LinkedHashMap<>();
        details.put(SpeculativeKeys.BEST_K, bestK);
        details.put("max_tokens", request.maxTokens());
        details.put("target_seconds", scored.targetSeconds());
        scored.speculativeSeconds().forEach((k, seconds) -> details.put("speculative_seconds_k" + k, seconds));
        details.put("adaptive_seconds", scored.adaptiveSeconds());
        details.put(SpeculativeKeys.ADAPTIVE_MEAN_DRAFT_LENGTH, scored.meanAdaptiveDraftLength());
        for (BanditDraftPolicy.ArmStatistics arm : scored.arms()) {
            details.put(SpeculativeKeys.ADAPTIVE_ROUNDS + arm.arm().id(), arm.pulls());
            details.put(SpeculativeKeys.ADAPTIVE_REWARD + arm.arm().id(), arm.meanReward());
        }
        details.put("mismatches", scored.mismatches());
        details.put("max_positions", maxPositions);
        int truncated = (int) scored.records().stream().filter(r -> Boolean.TRUE.equals(r.truncated())).count();
        return new TaskResult(task.name(), task.version(), task.requestType(), task.primaryMetric(), metrics, groups,
                Map.of(), scored.records().size(), all.size(), truncated, seconds(start), details,
                settings.keepSamples() ? scored.records() : List.of());
    }

    /** Each metric's mean over the records' per-sample scores. */
    private static Map<String, MetricValue> means(List<Metric> metrics, List<SampleRecord> records) {
        Map<String, MetricValue> out = new LinkedHashMap<>();
        for (Metric metric : metrics) {
            out.put(metric.id(), MetricValue.mean(records.stream().mapToDouble(r -> r.scores().get(metric.id())).toArray()));
        }
        return out;
    }

    /**
     * The first {@code limit} documents (all for 0); with groups, round-robin over the groups in order of first
     * appearance (each group's first document, then each one's second, ...), returned in dataset order.
     */
    static List<Doc> take(List<Doc> docs, int limit, String groupBy) {
        if (limit == 0 || limit >= docs.size()) {
            return docs;
        }
        if (groupBy == null) {
            return docs.subList(0, limit);
        }
        Map<String, List<Doc>> groups = new LinkedHashMap<>();
        for (Doc doc : docs) {
            groups.computeIfAbsent(doc.text(groupBy), g -> new ArrayList<>()).add(doc);
        }
        List<Doc> taken = new ArrayList<>();
        for (int rank = 0; taken.size() < limit; rank++) {
            for (List<Doc> group : groups.values()) {
                if (rank < group.size() && taken.size() < limit) {
                    taken.add(group.get(rank));
                }
            }
        }
        taken.sort(java.util.Comparator.comparingInt(Doc::index));
        return taken;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
