package dev.whittle.worker.run;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.model.Model;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@value #FILE} a job writes into the model folder it produced: what the model is, how it was made (the recipe,
 * the job, the models it descends from), what the compression did (each model-writing stage's statistics) and how
 * the model scored (the evaluations later stages of the job made of it). Read from the stage results as JSON, so a
 * stage whose result has the fields shows them and any other stage is listed by its recipe alone.
 */
final class ModelCard {

    static final String FILE = "README.md";

    private ModelCard() {
    }

    /**
     * @param lineage     the model the job read, then its ancestors, nearest first
     * @param results     the job's result ({@code stages[i].result})
     * @param outputStage the index of the stage that wrote this model
     */
    static String of(String name, Job job, List<Model> lineage, JsonNode results, int outputStage, Instant at) {
        StringBuilder out = new StringBuilder("# ").append(name).append("\n\n");
        out.append("Written by Whittle job `").append(job.getId()).append('`')
                .append(job.getName() == null ? "" : " (" + job.getName() + ")")
                .append(" on ").append(at.truncatedTo(ChronoUnit.SECONDS)).append(", from `")
                .append(lineage.getFirst().getName()).append("`.\n\n");

        out.append("## Lineage\n\n");
        for (Model m : lineage) {
            out.append("- `").append(m.getName()).append("` (").append(m.getId()).append(", ").append(m.getFamily())
                    .append(String.format(Locale.ROOT, ", %,d parameters", m.getParameterCount()))
                    .append(m.getProducingJobId() == null ? ", registered from a folder" : ", written by job " + m.getProducingJobId())
                    .append(")\n");
        }

        out.append("\n## Recipe\n\n```json\n")
                .append(JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(job.getRecipe().get("stages")))
                .append("\n```\n");

        JsonNode stages = results.path("stages");
        StringBuilder statistics = new StringBuilder();
        StringBuilder evaluations = new StringBuilder();
        for (JsonNode stage : stages) {
            JsonNode result = stage.path("result");
            int index = stage.path("index").asInt();
            if (index <= outputStage && result.has("statistics")) {
                statistics(statistics, index, stage.path("type").asString(), result.get("statistics"));
            } else if (index > outputStage && result.has("tasks")) {
                evaluation(evaluations, index, result);
            }
        }
        if (!statistics.isEmpty()) {
            out.append("\n## Statistics\n").append(statistics);
        }
        if (!evaluations.isEmpty()) {
            out.append("\n## Evaluation\n").append(evaluations);
        }
        return out.toString();
    }

    private static void statistics(StringBuilder out, int index, String type, JsonNode s) {
        out.append("\nStage ").append(index + 1).append(" (").append(type).append(")")
                .append(s.has("method") ? ", " + s.get("method").asString() : "").append(":\n\n| | |\n|---|---|\n");
        row(out, "sparsity of the pruned matrices", percent(s.get("prunedSparsity")));
        row(out, "sparsity of all linear weights", percent(s.get("sparsity")));
        row(out, "parameters", count(s.get("parameters")));
        row(out, "non-zero linear weights", count(s.get("nonZeros")));
        row(out, "MACs per token, dense", count(s.get("macsPerTokenDense")));
        row(out, "MACs per token, zeros skipped", count(s.get("macsPerTokenEffective")));
        row(out, "file size (bytes)", count(s.get("fileBytes")));
        row(out, "dtype", s.hasNonNull("dtype") ? s.get("dtype").asString() : null);
        JsonNode c = s.get("calibration");
        if (c != null && !c.isNull()) {
            row(out, "calibration", c.path("source").asString() + ", " + c.path("samples").asInt() + " x "
                    + c.path("sequenceLength").asInt() + " tokens, seed " + c.path("seed").asLong());
        }
        JsonNode warnings = s.get("warnings");
        if (warnings != null && warnings.isArray()) {
            warnings.forEach(w -> row(out, "warning", w.asString()));
        }
    }

    private static void evaluation(StringBuilder out, int index, JsonNode result) {
        String baseline = result.hasNonNull("baselineModelName") ? result.get("baselineModelName").asString() : null;
        out.append("\nStage ").append(index + 1).append(" (EVALUATE)")
                .append(baseline == null ? "" : ", retention against `" + baseline + "`").append(":\n\n")
                .append("| task | metric | samples | value | retention |\n|---|---|---|---|---|\n");
        for (JsonNode t : result.get("tasks")) {
            out.append("| ").append(t.path("task").asString()).append(" | ").append(t.path("metric").asString())
                    .append(" | ").append(t.path("samples").asInt()).append(" | ").append(estimate(t.get("value")))
                    .append(" | ").append(estimate(t.get("retention"))).append(" |\n");
        }
        JsonNode average = result.get("averageRetention");
        if (average != null && !average.isNull()) {
            out.append("| **average retention** | | | | **").append(estimate(average)).append("** |\n");
        }
    }

    private static void row(StringBuilder out, String what, String value) {
        if (value != null) {
            out.append("| ").append(what).append(" | ").append(value).append(" |\n");
        }
    }

    private static String estimate(JsonNode v) {
        if (v == null || v.isNull() || !v.has("value")) {
            return "-";
        }
        JsonNode se = v.get("stderr");
        return String.format(Locale.ROOT, "%.4f", v.get("value").asDouble())
                + (se == null || se.isNull() ? "" : String.format(Locale.ROOT, " ± %.4f", se.asDouble()));
    }

    private static String percent(JsonNode v) {
        return v == null || v.isNull() ? null : String.format(Locale.ROOT, "%.1f%%", 100 * v.asDouble());
    }

    private static String count(JsonNode v) {
        return v == null || v.isNull() ? null : String.format(Locale.ROOT, "%,d", v.asLong());
    }
}
