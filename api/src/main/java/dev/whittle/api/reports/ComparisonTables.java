package dev.whittle.api.reports;

import java.util.List;

import dev.whittle.engine.eval.metric.MetricValue;

/** The comparison as text: a Markdown table for reading, CSV (one row per task and model) for spreadsheets. */
final class ComparisonTables {

    private ComparisonTables() {
    }

    static String markdown(ComparisonView c) {
        StringBuilder out = new StringBuilder();
        List<ComparisonView.ModelColumn> models = c.models();
        out.append("| task | metric | samples |");
        models.forEach(m -> out.append(' ').append(m.name()).append(" |"));
        models.stream().skip(1).forEach(m -> out.append(" retention (").append(m.name()).append(") |"));
        out.append('\n').append("|---".repeat(3 + models.size() + models.size() - 1)).append("|\n");
        for (ComparisonView.TaskRow row : c.tasks()) {
            ComparisonView.Cell any = row.cells().stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
            out.append("| ").append(row.task()).append(row.excludedFromAverage() == null ? "" : " (not averaged)")
                    .append(" | ").append(row.metric()).append(" | ").append(any == null ? "-" : any.samples()).append(" |");
            row.cells().forEach(cell -> out.append(' ').append(cell == null ? "-" : TextTables.metric(cell.value())).append(" |"));
            row.cells().stream().skip(1).forEach(cell ->
                    out.append(' ').append(cell == null || cell.retention() == null ? "-" : TextTables.ratio(cell.retention())).append(" |"));
            out.append('\n');
        }
        out.append("| **average retention** | | |").append(" |".repeat(models.size()));
        c.averageRetention().stream().skip(1).forEach(a -> out.append(" **")
                .append(a.value() == null ? "-" : TextTables.ratio(new MetricValue(a.value(), a.stderr()))).append("** |"));
        out.append('\n');
        costRow(out, "sparsity of the decoder blocks", models.stream().map(m -> TextTables.percent(m.blockSparsity())).toList(), models.size());
        costRow(out, "sparsity of all linear weights (head included)", models.stream().map(m -> TextTables.percent(m.sparsity())).toList(), models.size());
        costRow(out, "parameters", models.stream().map(m -> TextTables.count(m.parameters())).toList(), models.size());
        costRow(out, "non-zero linear weights", models.stream().map(m -> TextTables.count(m.nonZero())).toList(), models.size());
        costRow(out, "MACs per token (zeros skipped)", models.stream().map(m -> TextTables.count(m.macsPerToken())).toList(), models.size());
        List<ComparisonView.TaskRow> excluded = c.tasks().stream().filter(r -> r.excludedFromAverage() != null).toList();
        if (!excluded.isEmpty()) {
            out.append("\nLeft out of the average retention:\n");
            excluded.forEach(r -> out.append("- ").append(r.task()).append(": ").append(r.excludedFromAverage()).append('\n'));
        }
        if (!c.warnings().isEmpty()) {
            out.append("\nWarnings:\n");
            c.warnings().forEach(w -> out.append("- ").append(w).append('\n'));
        }
        return out.toString();
    }

    static String csv(ComparisonView c) {
        StringBuilder out = new StringBuilder("task,metric,model,samples,limit,value,stderr,retention,retention_stderr,averaged\n");
        for (ComparisonView.TaskRow row : c.tasks()) {
            for (int m = 0; m < row.cells().size(); m++) {
                ComparisonView.Cell cell = row.cells().get(m);
                if (cell == null) {
                    continue;
                }
                out.append(String.join(",", TextTables.field(row.task()), TextTables.field(row.metric()), TextTables.field(c.models().get(m).name()),
                        Integer.toString(cell.samples()), Integer.toString(cell.limit()), TextTables.number(cell.value().value()),
                        TextTables.number(cell.value().stderr()), cell.retention() == null ? "" : TextTables.number(cell.retention().value()),
                        cell.retention() == null ? "" : TextTables.number(cell.retention().stderr()),
                        Boolean.toString(cell.retention() != null && row.excludedFromAverage() == null))).append('\n');
            }
        }
        for (int m = 0; m < c.averageRetention().size(); m++) {
            ComparisonView.AverageRetention a = c.averageRetention().get(m);
            out.append(String.join(",", "average retention", "", TextTables.field(c.models().get(m).name()), "", "", "", "",
                    TextTables.number(a.value()), TextTables.number(a.stderr()), "")).append('\n');
        }
        return out.toString();
    }

    private static void costRow(StringBuilder out, String what, List<String> values, int models) {
        out.append("| ").append(what).append(" | | |");
        values.forEach(v -> out.append(' ').append(v).append(" |"));
        out.append(" |".repeat(models - 1)).append('\n');
    }
}
