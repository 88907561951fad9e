package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.run.EvaluationSettings;
import dev.whittle.engine.eval.run.Evaluator;
import dev.whittle.engine.eval.run.TaskResult;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskDefinitions;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code eval MODEL (--task NAME | --task-file FILE | --suite NAME) [--limit N] [--seed S] [--batch-size N]
 * [--output FILE]}: runs built-in or file-defined tasks and prints a table of metrics with standard errors; the full
 * results (samples included) go to {@code --output} as JSON.
 */
final class EvalCommand {

    static final String USAGE_LINE = """
              eval MODEL (--task NAME | --task-file FILE | --suite NAME)... [--limit N] [--seed S] [--batch-size N] [--output FILE] [--target DIR]
                                                              benchmark tasks (suite kick: the LLM-KICK set), table of metrics;
                                                              --target: the model speculative tasks draft for
            """;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final PrintStream out;
    private final PrintStream err;
    private final Progress progress;

    EvalCommand(PrintStream out, PrintStream err, Progress progress) {
        this.out = out;
        this.err = err;
        this.progress = progress;
    }

    void run(Arguments a, Path model) throws IOException {
        a.expectPositionals(1);
        TaskRegistry registry = TaskRegistry.builtIn();
        List<TaskDefinition> tasks = new ArrayList<>();
        List<Integer> limits = new ArrayList<>();
        for (String name : a.all("task")) {
            tasks.add(registry.task(name));
            limits.add(0);
        }
        Path taskFileFolder = Path.of("").toAbsolutePath();
        for (String file : a.all("task-file")) {
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new NoSuchFileException(file, null, "no such task file");
            }
            tasks.add(TaskDefinitions.parse(Files.readString(path), file));
            limits.add(0);
            taskFileFolder = path.toAbsolutePath().getParent();
        }
        for (String name : a.all("suite")) {
            registry.suite(name).tasks().forEach(entry -> {
                tasks.add(registry.task(entry.task()));
                limits.add(entry.limit() == null ? 0 : entry.limit());
            });
        }
        if (tasks.isEmpty()) {
            throw new Arguments.UsageException("eval: give --task NAME, --task-file FILE or --suite NAME (built-in tasks: "
                    + String.join(", ", registry.tasks().stream().map(TaskDefinition::name).toList()) + ")");
        }
        int limit = a.intOption("limit", 0);
        String seed = a.option("seed", null);
        EvaluationSettings settings = new EvaluationSettings(limit, seed == null ? null : a.longOption("seed", 0),
                a.intOption("batch-size", EvaluationSettings.DEFAULT_BATCH_SIZE), a.option("output", null) != null);
        Tokenizer tokenizer = Tokenizer.load(model);
        Decoder decoder = DecoderLoader.loadForInference(model, progress);
        String target = a.option("target", null);
        Evaluator evaluator = new Evaluator(decoder, tokenizer, DatasetResolver.relativeTo(taskFileFolder),
                target == null ? null : DecoderLoader.loadForInference(Main.modelDir(target), progress));
        List<TaskResult> results = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            int taskLimit = limit > 0 ? limit : limits.get(i);
            results.add(evaluator.evaluate(tasks.get(i), settings.withLimit(taskLimit), progress));
        }
        if (progress instanceof ConsoleProgress console) {
            console.finishLine();
        }
        print(results);
        String output = a.option("output", null);
        if (output != null) {
            Files.writeString(Path.of(output), JSON.writeValueAsString(Map.of("model", model.toAbsolutePath().toString(),
                    "results", results)));
            err.println("results written to " + output);
        }
    }

    void print(List<TaskResult> results) {
        out.printf(Locale.ROOT, "%-24s %-18s %10s %10s %6s %6s %8s%n", "task", "metric", "value", "stderr", "n",
                "trunc", "time");
        for (TaskResult r : results) {
            boolean first = true;
            for (Map.Entry<String, MetricValue> m : r.metrics().entrySet()) {
                out.printf(Locale.ROOT, "%-24s %-18s %10s %10s %6s %6s %8s%n", first ? r.task() : "", m.getKey(),
                        number(m.getValue().value()), error(m.getValue()), first ? r.samples() : "",
                        first ? r.truncated() : "", first ? String.format(Locale.ROOT, "%.1fs", r.seconds()) : "");
                first = false;
            }
            String primary = r.primaryMetric().id();
            r.groups().forEach((group, metrics) -> out.printf(Locale.ROOT, "  %-22s %-18s %10s %10s%n", group, primary,
                    number(metrics.get(primary).value()), error(metrics.get(primary))));
            if (!r.macro().isEmpty()) {
                MetricValue macro = r.macro().get(primary);
                out.printf(Locale.ROOT, "  %-22s %-18s %10s %10s%n", "(macro average)", primary, number(macro.value()),
                        error(macro));
            }
        }
    }

    private static String number(double v) {
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 1e6 ? "%.3e" : a >= 1000 ? "%.1f" : "%.4f", v);
    }

    private static String error(MetricValue v) {
        return v.stderr() == null ? "-" : "±" + number(v.stderr());
    }
}
