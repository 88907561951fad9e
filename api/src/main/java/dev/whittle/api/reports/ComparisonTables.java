package dev.whittle.api.reports;

import java.util.List;

import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.run.SpeculativeKeys;

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
        drafts(out, c);
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
        StringBuilder out = new StringBuilder("task,metric,model,samples,limit,value,stderr,retention,retention_stderr,averaged,target\n");
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
                        Boolean.toString(cell.retention() != null && row.excludedFromAverage() == null), "")).append('\n');
            }
        }
        for (int m = 0; m < c.averageRetention().size(); m++) {
            ComparisonView.AverageRetention a = c.averageRetention().get(m);
            out.append(String.join(",", "average retention", "", TextTables.field(c.models().get(m).name()), "", "", "", "",
                    TextTables.number(a.value()), TextTables.number(a.stderr()), "", "")).append('\n');
        }
        // Speculative results: a row per draft length and metric (k=3/speedup, adaptive/speedup), against the target.
        for (ComparisonView.Draft d : c.drafts()) {
            for (ComparisonView.DraftLength k : d.draftLengths()) {
                draftRows(out, c, d, SpeculativeKeys.draftLengthGroup(k.k()), k.meanAcceptedLength(), k.acceptanceRate(), k.speedup());
            }
            ComparisonView.Adaptive a = d.adaptive();
            if (a != null) {
                draftRows(out, c, d, SpeculativeKeys.ADAPTIVE_GROUP, a.meanAcceptedLength(), a.acceptanceRate(), a.speedup());
            }
        }
        return out.toString();
    }

    private static void draftRows(StringBuilder out, ComparisonView c, ComparisonView.Draft d, String way,
                                  MetricValue meanAcceptedLength, MetricValue acceptanceRate, MetricValue speedup) {
        for (var metric : List.of(java.util.Map.entry("mean_accepted_length", meanAcceptedLength),
                java.util.Map.entry("acceptance_rate", acceptanceRate), java.util.Map.entry("speedup", speedup))) {
            if (metric.getValue() != null) {
                out.append(String.join(",", TextTables.field(d.task()), way + "/" + metric.getKey(),
                        TextTables.field(name(c, d.modelId())), Integer.toString(d.samples()), Integer.toString(d.limit()),
                        TextTables.number(metric.getValue().value()), TextTables.number(metric.getValue().stderr()),
                        "", "", "false", TextTables.field(target(d)))).append('\n');
            }
        }
    }

    /**
     * Each model as a speculative-decoding draft for its target: the headline (best k) mean accepted length,
     * acceptance rate and speed-up, and the mean accepted length at every k.
     */
    private static void drafts(StringBuilder out, ComparisonView c) {
        if (c.drafts().isEmpty()) {
            return;
        }
        List<List<String>> rows = new java.util.ArrayList<>();
        for (ComparisonView.Draft d : c.drafts()) {
            ComparisonView.DraftLength best = d.draftLengths().stream()
                    .filter(k -> d.bestK() != null && k.k() == d.bestK()).findFirst().orElse(null);
            StringBuilder byK = new StringBuilder();
            d.draftLengths().forEach(k -> byK.append(byK.isEmpty() ? "" : ", ").append(k.k()).append(": ")
                    .append(k.meanAcceptedLength() == null ? "-"
                            : String.format(java.util.Locale.ROOT, "%.2f", k.meanAcceptedLength().value())));
            ComparisonView.Adaptive a = d.adaptive();
            String adaptive = a == null ? "-" : "MAL " + cell(a.meanAcceptedLength()) + ", speed-up " + cell(a.speedup())
                    + (a.rule() == null ? "" : " (mostly " + a.rule() + ")");
            rows.add(List.of(name(c, d.modelId()), d.task(), target(d), Integer.toString(d.samples()),
                    d.bestK() == null ? "-" : Integer.toString(d.bestK()), cell(best == null ? null : best.meanAcceptedLength()),
                    cell(best == null ? null : best.acceptanceRate()), cell(best == null ? null : best.speedup()), byK.toString(),
                    adaptive));
        }
        out.append("\nAs a speculative-decoding draft for the target (greedy verification: the output is the target's own; "
                + "MAL = mean accepted length, tokens per target forward; the headline at the k with the best speed-up):\n\n");
        out.append(TextTables.markdown(List.of("draft", "task", "target", "samples", "best k", "MAL", "acceptance rate",
                "speed-up", "MAL by k", "adaptive"), rows));
    }

    private static String cell(MetricValue v) {
        return v == null ? "-" : TextTables.metric(v);
    }

    private static String name(ComparisonView c, java.util.UUID modelId) {
        return c.models().stream().filter(m -> m.id().equals(modelId)).findFirst().map(ComparisonView.ModelColumn::name)
                .orElse(modelId.toString());
    }

    private static String target(ComparisonView.Draft d) {
        return d.targetModelName() != null ? d.targetModelName() : d.targetModelId() == null ? "" : d.targetModelId().toString();
    }

    private static void costRow(StringBuilder out, String what, List<String> values, int models) {
        out.append("| ").append(what).append(" | | |");
        values.forEach(v -> out.append(' ').append(v).append(" |"));
        out.append(" |".repeat(models - 1)).append('\n');
    }
}
