package dev.whittle.api.experiments;

import java.util.ArrayList;
import java.util.List;

import dev.whittle.api.reports.TextTables;
import dev.whittle.engine.eval.metric.MetricValue;

/**
 * An experiment's results as text, in the comparison report's cell formats: Markdown (a row per trial, a retention
 * column per task, then the costs and whether the trial is on the Pareto front) and CSV (a row per trial and task,
 * every number in full).
 */
final class ResultsTables {

    private ResultsTables() {
    }

    static String markdown(ResultsView r) {
        List<String> header = new ArrayList<>(List.of("trial", "settings"));
        r.tasks().forEach(t -> header.add("retention " + t));
        header.addAll(List.of("average retention", "block sparsity", "parameters", "non-zero linear weights",
                "MACs per token", "size (bytes)", "wall (s)", "Pareto (" + r.cost() + ")"));
        List<List<String>> rows = new ArrayList<>();
        for (ResultsView.TrialResult t : r.trials()) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(t.trial()), t.label()));
            for (String task : r.tasks()) {
                MetricValue retention = r.rows().stream().filter(x -> x.trial() == t.trial() && x.task().equals(task))
                        .findFirst().map(ResultsView.Row::retention).orElse(null);
                row.add(retention == null ? "-" : TextTables.ratio(retention));
            }
            row.add(t.averageRetention() == null ? "-" : TextTables.ratio(new MetricValue(t.averageRetention(), null)));
            row.add(TextTables.percent(t.blockSparsity()));
            row.add(TextTables.count(t.parameters()));
            row.add(TextTables.count(t.nonZero()));
            row.add(TextTables.count(t.macsPerToken()));
            row.add(TextTables.count(t.sizeBytes()));
            row.add(t.wallSeconds() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", t.wallSeconds()));
            row.add(t.onParetoFront() ? "yes" : "");
            rows.add(row);
        }
        return TextTables.markdown(header, rows);
    }

    static String csv(ResultsView r) {
        List<String> header = List.of("trial", "settings", "task", "metric", "samples", "value", "stderr", "retention",
                "retention_stderr", "average_retention", "block_sparsity", "sparsity", "parameters", "non_zero",
                "macs_per_token", "size_bytes", "wall_seconds", "pareto");
        List<List<String>> rows = new ArrayList<>();
        for (ResultsView.Row x : r.rows()) {
            ResultsView.TrialResult t = r.trials().stream().filter(u -> u.trial() == x.trial()).findFirst().orElseThrow();
            rows.add(List.of(Integer.toString(x.trial()), x.label(), x.task(), x.metric(), Integer.toString(x.samples()),
                    x.value() == null ? "" : TextTables.number(x.value().value()),
                    x.value() == null ? "" : TextTables.number(x.value().stderr()),
                    x.retention() == null ? "" : TextTables.number(x.retention().value()),
                    x.retention() == null ? "" : TextTables.number(x.retention().stderr()),
                    TextTables.number(t.averageRetention()), TextTables.number(t.blockSparsity()),
                    TextTables.number(t.sparsity()), text(t.parameters()), text(t.nonZero()), text(t.macsPerToken()),
                    text(t.sizeBytes()), TextTables.number(t.wallSeconds()), Boolean.toString(t.onParetoFront())));
        }
        return TextTables.csv(header, rows);
    }

    private static String text(Long v) {
        return v == null ? "" : Long.toString(v);
    }
}
