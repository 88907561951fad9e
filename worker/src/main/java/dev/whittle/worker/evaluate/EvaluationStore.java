package dev.whittle.worker.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.Retention;
import dev.whittle.engine.eval.run.SampleRecord;
import dev.whittle.engine.eval.run.TaskResult;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskDefinitions;
import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.evaluation.EvaluationSamples;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.team.TeamScope;
import dev.whittle.persistence.text.StorableText;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Stores task results as evaluations with their samples, finds reusable baseline results, records retention. */
@Component
public class EvaluationStore {

    private final Evaluations evaluations;
    private final EvaluationSamples samples;

    public EvaluationStore(Evaluations evaluations, EvaluationSamples samples) {
        this.evaluations = evaluations;
        this.samples = samples;
    }

    /**
     * Where an evaluation ran and on what: the job and stage, the model if it is registered, and the target its
     * speculative tasks drafted for (null when there is none).
     */
    public record Origin(UUID jobId, Integer stageIndex, UUID modelId, UUID targetModelId) {

        public Origin(UUID jobId, Integer stageIndex, UUID modelId) {
            this(jobId, stageIndex, modelId, null);
        }
    }

    @Transactional
    public Evaluation save(Origin origin, TaskDefinition task, int limit, Long seed, TaskResult result, ModelStats stats) {
        Evaluation evaluation = evaluations.save(new Evaluation(origin.jobId(), origin.stageIndex(), origin.modelId(),
                task.name(), task.version(), TaskDefinitions.toJson(task), result.requestType().id(),
                result.primaryMetric().id(), limit, seed, StorableText.json(result.metrics()),
                StorableText.json(result.groups()), StorableText.json(result.macro()), StorableText.json(result.details()),
                result.samples(), result.available(), result.truncated(), result.seconds(), StorableText.json(stats)));
        if (result.requestType().needsTarget() && origin.targetModelId() != null) {
            evaluation.draftedFor(origin.targetModelId());
        }
        List<EvaluationSamples.Row> rows = new ArrayList<>();
        for (SampleRecord r : result.records()) {
            rows.add(new EvaluationSamples.Row(r.index(), r.correct(), StorableText.json(r)));
        }
        evaluations.flush();
        samples.insert(evaluation.getId(), rows);
        return evaluation;
    }

    /** Results of the registered model on this task version, limit and seed, if it was evaluated before. */
    public Optional<Evaluation> reusable(UUID modelId, TaskDefinition task, int limit, Long seed) {
        return evaluations.findReusable(modelId, task.name(), task.version(), limit, seed, TeamScope.filter());
    }

    public Optional<Evaluation> find(UUID id) {
        return evaluations.findById(id);
    }

    /** Records {@code baseline} as what {@code evaluation} is compared with; returns the retention (null if undefined). */
    @Transactional
    public MetricValue compare(Evaluation evaluation, Evaluation baseline) {
        Metric metric = Metric.byId(evaluation.getPrimaryMetric()).orElseThrow();
        MetricValue retention = Retention.of(metric, value(evaluation, metric), value(baseline, metric));
        Evaluation managed = evaluations.findById(evaluation.getId()).orElseThrow();
        managed.compareWith(baseline, retention == null ? null : JsonMapper.shared().valueToTree(retention));
        evaluations.save(managed);
        return retention;
    }

    /** The stored value of {@code metric}. */
    public static MetricValue value(Evaluation evaluation, Metric metric) {
        JsonNode m = evaluation.getMetrics().get(metric.id());
        if (m == null) {
            throw new IllegalStateException("evaluation " + evaluation.getId() + " has no " + metric.id());
        }
        return value(m);
    }

    /** A stored {@code {value, stderr}}. */
    public static MetricValue value(JsonNode m) {
        JsonNode stderr = m.get("stderr");
        return new MetricValue(m.get("value").asDouble(), stderr == null || stderr.isNull() ? null : stderr.asDouble());
    }
}
