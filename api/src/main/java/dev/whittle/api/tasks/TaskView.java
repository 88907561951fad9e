package dev.whittle.api.tasks;

import java.util.List;

import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.task.TaskDefinition;

/** A task in brief: its name, version, what it asks, what it reports (the first metric is its headline). */
public record TaskView(String name, int version, String description, String requestType, String dataset,
                       List<String> metrics, boolean builtIn) {

    static TaskView of(TaskDefinition t, boolean builtIn) {
        return new TaskView(t.name(), t.version(), t.description(), t.requestType().id(),
                t.dataset().format().id() + " " + t.dataset().path(), t.metrics().stream().map(Metric::id).toList(), builtIn);
    }
}
