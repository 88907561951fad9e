package dev.whittle.api.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;

import dev.whittle.api.problems.ApiException;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.Retention;
import dev.whittle.engine.eval.run.SpeculativeKeys;
import dev.whittle.engine.eval.task.RequestType;
import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.evaluation.EvaluationSamples;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.evaluate.EvaluationStore;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.persistence.team.TeamScope;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Builds the comparison of models across the tasks they were evaluated on: each model's latest result per task, its
 * retention against the first (reference) model, and its average retention over the tasks on which the reference
 * scores above chance and above zero; and each model's latest speculative results, what it is worth as a draft for the
 * target it was verified by (normally its dense parent: the SD² measure).
 */
@Component
class Comparisons {

    private final ModelCatalog models;
    private final Evaluations evaluations;
    private final EvaluationSamples samples;

    Comparisons(ModelCatalog models, Evaluations evaluations, EvaluationSamples samples) {
        this.models = models;
        this.evaluations = evaluations;
        this.samples = samples;
    }

    ComparisonView compare(List<String> idsOrNames) {
        List<Model> columns = new ArrayList<>();
        List<Map<String, Evaluation>> latest = new ArrayList<>();
        Map<String, Metric> metricOf = new LinkedHashMap<>();
        List<ComparisonView.Draft> drafts = new ArrayList<>();
        for (String idOrName : idsOrNames) {
            Model model = models.find(idOrName).orElseThrow(() -> ApiException.notFound("Model '" + idOrName + "'"));
            columns.add(model);
            Map<String, Evaluation> byTask = new LinkedHashMap<>();
            for (Evaluation e : evaluations.findLatestPerTask(model.getId(), TeamScope.filter())) {
                if (RequestType.SPECULATIVE.id().equals(e.getRequestType())) {
                    // Measured against its target, not the reference: no retention, a row of its own.
                    drafts.add(draft(model, e));
                    continue;
                }
                byTask.put(e.getTask(), e);
                metricOf.putIfAbsent(e.getTask(), Metric.byId(e.getPrimaryMetric()).orElseThrow());
            }
            latest.add(byTask);
        }
        metricOf.keySet().forEach(task -> alignReference(columns.getFirst(), latest, task));
        List<ComparisonView.TaskRow> rows = new ArrayList<>();
        List<Averaged> averaged = new ArrayList<>();
        columns.forEach(c -> averaged.add(new Averaged()));
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, Metric> task : metricOf.entrySet()) {
            Metric metric = task.getValue();
            Evaluation reference = latest.getFirst().get(task.getKey());
            String excluded = reference == null ? null : atChance(reference, metric);
            List<ComparisonView.Cell> cells = new ArrayList<>();
            for (int m = 0; m < columns.size(); m++) {
                Evaluation e = latest.get(m).get(task.getKey());
                if (e == null) {
                    cells.add(null);
                    continue;
                }
                MetricValue retention = retention(metric, e, reference);
                if (retention != null) {
                    averaged.get(m).add(task.getKey(), retention, excluded != null);
                    if (m > 0) {
                        noiseWarning(columns.get(m), task.getKey(), e, retention).ifPresent(warnings::add);
                    }
                }
                cells.add(new ComparisonView.Cell(e.getId(), e.getTaskVersion(), e.getSamples(), e.getSampleLimit(),
                        EvaluationStore.value(e, metric), retention));
            }
            rows.add(new ComparisonView.TaskRow(task.getKey(), metric.id(), metric.higherIsBetter(), excluded, cells));
        }
        List<ComparisonView.ModelColumn> modelColumns = new ArrayList<>();
        List<ComparisonView.AverageRetention> averages = new ArrayList<>();
        for (int m = 0; m < columns.size(); m++) {
            Model model = columns.get(m);
            JsonNode stats = latest.get(m).values().stream().findFirst().map(Evaluation::getModelStats).orElse(null);
            modelColumns.add(new ComparisonView.ModelColumn(model.getId(), model.getName(), model.getParentId(),
                    stats == null ? model.getParameterCount() : stats.get("parameters").asLong(),
                    stats == null ? null : stats.get("nonZero").asLong(),
                    stats == null ? null : stats.get("sparsity").asDouble(),
                    stats == null || !stats.has("blockSparsity") ? null : stats.get("blockSparsity").asDouble(),
                    stats == null ? null : stats.get("macsPerToken").asLong()));
            averages.add(averaged.get(m).view(model));
        }
        return new ComparisonView(modelColumns, rows, averages, drafts, warnings);
    }

    /** A speculative result: per draft length its mean accepted length, acceptance rate and speed-up. */
    private ComparisonView.Draft draft(Model model, Evaluation e) {
        UUID targetId = e.getBaselineModelId();
        String targetName = targetId == null ? null
                : models.find(targetId.toString()).map(Model::getName).orElse(null);
        List<ComparisonView.DraftLength> lengths = new ArrayList<>();
        e.getGroups().properties().forEach(group -> {
            OptionalInt k = SpeculativeKeys.draftLength(group.getKey());
            if (k.isPresent()) {
                lengths.add(new ComparisonView.DraftLength(k.getAsInt(),
                        metric(group.getValue(), Metric.MEAN_ACCEPTED_LENGTH), metric(group.getValue(), Metric.ACCEPTANCE_RATE),
                        metric(group.getValue(), Metric.SPEEDUP)));
            }
        });
        JsonNode details = e.getDetails();
        JsonNode bestK = details == null ? null : details.get(SpeculativeKeys.BEST_K);
        return new ComparisonView.Draft(model.getId(), e.getTask(), e.getId(), targetId, targetName, e.getSamples(),
                e.getSampleLimit(), bestK == null ? null : bestK.asInt(), lengths, adaptive(e.getGroups().get(SpeculativeKeys.ADAPTIVE_GROUP), details));
    }

    /** The adaptive draft length's figures, and the stop rule its bandit played most (from the details). */
    private static ComparisonView.Adaptive adaptive(JsonNode group, JsonNode details) {
        if (group == null) {
            return null;
        }
        String rule = null;
        long most = -1;
        if (details != null) {
            for (var entry : details.properties()) {
                if (entry.getKey().startsWith(SpeculativeKeys.ADAPTIVE_ROUNDS) && entry.getValue().asLong() > most) {
                    most = entry.getValue().asLong();
                    rule = entry.getKey().substring(SpeculativeKeys.ADAPTIVE_ROUNDS.length());
                }
            }
        }
        JsonNode length = details == null ? null : details.get(SpeculativeKeys.ADAPTIVE_MEAN_DRAFT_LENGTH);
        return new ComparisonView.Adaptive(metric(group, Metric.MEAN_ACCEPTED_LENGTH), metric(group, Metric.ACCEPTANCE_RATE),
                metric(group, Metric.SPEEDUP), length == null ? null : length.asDouble(), rule);
    }

    private static MetricValue metric(JsonNode group, Metric metric) {
        JsonNode m = group.get(metric.id());
        return m == null ? null : EvaluationStore.value(m);
    }

    /** Why the reference's result on this task says nothing about retention, or null when it does. */
    private String atChance(Evaluation reference, Metric metric) {
        OptionalDouble chance = ChanceLevel.of(reference, metric, samples);
        return chance.isEmpty() ? null : ChanceLevel.reason(EvaluationStore.value(reference, metric), chance.getAsDouble());
    }

    /**
     * A warning when a limited evaluation's retention cannot be told from 1: its standard error is larger than its
     * distance from 1, so the sample limit hides whatever the compression did.
     */
    private static java.util.Optional<String> noiseWarning(Model model, String task, Evaluation e, MetricValue retention) {
        double effect = Math.abs(retention.value() - 1);
        if (e.getSampleLimit() <= 0 || retention.stderr() == null || retention.stderr() <= effect) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format("%s on %s: with limit %d (%d samples) the standard error of the "
                        + "retention (%.3f) is larger than the effect (|%.3f - 1| = %.3f); evaluate more samples to tell it from noise",
                model.getName(), task, e.getSampleLimit(), e.getSamples(), retention.stderr(), retention.value(), effect));
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

    /**
     * The reference's latest result on {@code task} may have been measured otherwise (another limit, say) than the
     * models it is compared with: then its column shows the result it has that was measured as the first of them
     * was, when there is one, so that retentions compare like with like.
     */
    private void alignReference(Model reference, List<Map<String, Evaluation>> latest, String task) {
        Evaluation current = latest.getFirst().get(task);
        latest.stream().skip(1).map(byTask -> byTask.get(task)).filter(Objects::nonNull).findFirst()
                .filter(e -> !comparable(e, current))
                .flatMap(e -> evaluations.findReusable(reference.getId(), task, e.getTaskVersion(), e.getSampleLimit(),
                        e.getSeed(), TeamScope.filter()))
                .ifPresent(match -> latest.getFirst().put(task, match));
    }

    /** Results that measured the same thing: same task version, limit and seed. */
    private static boolean comparable(Evaluation e, Evaluation reference) {
        return reference != null && e.getTaskVersion() == reference.getTaskVersion()
                && e.getSampleLimit() == reference.getSampleLimit() && Objects.equals(e.getSeed(), reference.getSeed());
    }

    /** One model's retentions: those averaged and the tasks left out. */
    private static final class Averaged {
        private final List<String> tasks = new ArrayList<>();
        private final List<MetricValue> retentions = new ArrayList<>();
        private final List<String> leftOut = new ArrayList<>();

        void add(String task, MetricValue retention, boolean excluded) {
            if (excluded) {
                leftOut.add(task);
            } else {
                tasks.add(task);
                retentions.add(retention);
            }
        }

        ComparisonView.AverageRetention view(Model model) {
            MetricValue average = retentions.isEmpty() ? null : Retention.average(retentions);
            return new ComparisonView.AverageRetention(model.getId(), average == null ? null : average.value(),
                    average == null ? null : average.stderr(), List.copyOf(tasks), List.copyOf(leftOut));
        }
    }
}
