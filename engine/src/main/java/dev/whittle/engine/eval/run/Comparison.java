package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.Retention;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compressed model's results against its dense model's, task by task on each task's headline metric: the retention
 * ({@link Retention}) per task and its unweighted average over the tasks where it is defined.
 *
 * @param average null when no task has a defined retention
 */
public record Comparison(List<TaskRetention> tasks, MetricValue average) {

    /** @param retention null when the dense value is 0 (nothing to retain) */
    public record TaskRetention(String task, Metric metric, MetricValue dense, MetricValue compressed,
                                MetricValue retention) {
    }

    /**
     * Pairs results by task; a task in only one list is left out, and results of different task versions are refused
     * (they were scored differently).
     */
    public static Comparison of(List<TaskResult> compressed, List<TaskResult> dense) {
        Map<String, TaskResult> denseByTask = new LinkedHashMap<>();
        for (TaskResult r : dense) {
            denseByTask.put(r.task(), r);
        }
        List<TaskRetention> tasks = new ArrayList<>();
        List<MetricValue> defined = new ArrayList<>();
        for (TaskResult c : compressed) {
            TaskResult d = denseByTask.get(c.task());
            if (d == null) {
                continue;
            }
            if (d.version() != c.version()) {
                throw new IllegalArgumentException("task " + c.task() + ": version " + c.version()
                        + " cannot be compared with version " + d.version());
            }
            Metric metric = c.primaryMetric();
            MetricValue retention = Retention.of(metric, c.metric(metric), d.metric(metric));
            tasks.add(new TaskRetention(c.task(), metric, d.metric(metric), c.metric(metric), retention));
            if (retention != null) {
                defined.add(retention);
            }
        }
        return new Comparison(List.copyOf(tasks), defined.isEmpty() ? null : Retention.average(defined));
    }
}
