package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSettings;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneMethod;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.prune.PruneRequest;
import dev.whittle.engine.prune.PruneSpec;
import dev.whittle.engine.prune.PruneStatistics;
import dev.whittle.engine.prune.Pruner;
import dev.whittle.lab.corpus.KnowledgeCalibration;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code whittle cli prune MODEL OUT --method M ...}: prunes a model folder into a new one and prints what it
 * became (sparsity, parameters, multiply-accumulates, size) and where the time went; {@code --stats FILE} also
 * writes the full statistics as JSON.
 */
final class PruneCommand {

    /** The engine's built-in calibration sets and the reference corpus's {@code knowledge}. */
    static final CalibrationSampler SAMPLER = new CalibrationSampler(List.of(new KnowledgeCalibration()));

    static final Set<String> OPTIONS = Set.of("method", "sparsity", "nm", "scope", "block-size", "dampening", "blocks",
            "metric", "tokens", "include", "exclude", "calibration", "calibration-field", "nsamples", "seqlen", "seed",
            "dtype", "stats");

    static final String USAGE = """
              prune MODEL OUT --method magnitude|wanda|sparsegpt|block-removal [--sparsity S] [--nm N:M]
                    [--scope layer|global] [--block-size N] [--dampening D] [--blocks N]
                    [--metric angular-distance|block-influence] [--tokens last|all] [--include RE]... [--exclude RE]...
                    [--calibration FILE|builtin:natural-english|builtin:knowledge] [--calibration-field F]
                    [--nsamples N] [--seqlen N] [--seed S] [--dtype bfloat16|float16|float32] [--stats FILE]
                                                              prunes MODEL into the new folder OUT
            """;

    private final PrintStream out;
    private final Progress progress;

    PruneCommand(PrintStream out, Progress progress) {
        this.out = out;
        this.progress = progress;
    }

    void run(Arguments a, Path model) throws IOException {
        Path target = Path.of(a.positional(1, "OUT (the folder to write the pruned model to)"));
        a.expectPositionals(2);
        String blockSize = a.option("block-size", null);
        String blocks = a.option("blocks", null);
        PruneSpec spec = new PruneSpec(a.option("method", null), number(a, "sparsity"), a.option("nm", null),
                a.option("scope", null), blockSize == null ? null : a.intOption("block-size", 0), number(a, "dampening"),
                blocks == null ? null : a.intOption("blocks", 0), a.option("metric", null), a.option("tokens", null),
                a.all("include"), a.all("exclude"));
        List<PruneProblem> problems = spec.problems(ModelConfig.load(model));
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        CalibrationSettings calibration = new CalibrationSettings(source(a.option("calibration", null),
                a.option("calibration-field", null)), a.intOption("nsamples", CalibrationSettings.DEFAULT_SAMPLES),
                a.intOption("seqlen", CalibrationSettings.DEFAULT_SEQUENCE_LENGTH),
                a.longOption("seed", CalibrationSettings.DEFAULT_SEED));
        String dtype = a.option("dtype", null);
        DType outputDtype = dtype == null ? null : DType.fromTorchName(dtype);
        if (dtype != null && outputDtype == null) {
            throw new Arguments.UsageException("prune: --dtype must be bfloat16, float16 or float32, got '" + dtype + "'");
        }
        PruneMethod method = spec.toMethod();
        Pruner.Result result = new Pruner(SAMPLER).prune(model, target,
                new PruneRequest(method, spec.tensors(), calibration, outputDtype), progress);
        if (progress instanceof ConsoleProgress console) {
            console.finishLine();
        }
        print(result);
        String stats = a.option("stats", null);
        if (stats != null) {
            Files.writeString(Path.of(stats), new JsonMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(result.statistics()) + "\n");
        }
    }

    /** The option as a double (exactly as typed: 0.3 stays 0.3), or null when absent. */
    private static Double number(Arguments a, String name) {
        String value = a.option(name, null);
        if (value == null) {
            return null;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("prune: --" + name + " must be a number, got '" + value + "'");
        }
    }

    /** {@code builtin:NAME} or a bare built-in name, a {@code .jsonl}/{@code .json} file, or a text file. */
    static CalibrationSource source(String value, String field) {
        if (value == null) {
            return CalibrationSettings.DEFAULT_SOURCE;
        }
        String name = value.startsWith("builtin:") ? value.substring("builtin:".length()) : value;
        if (value.startsWith("builtin:") || (SAMPLER.builtInNames().contains(name) && !Files.exists(Path.of(value)))) {
            return new CalibrationSource.BuiltIn(name);
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".json") || field != null) {
            return new CalibrationSource.JsonLines(Path.of(value), field);
        }
        return new CalibrationSource.TextFile(Path.of(value));
    }

    private void print(Pruner.Result result) {
        PruneStatistics s = result.statistics();
        out.println("model        " + result.model());
        out.println("method       " + s.method() + " " + s.settings());
        if (s.blockScores() != null) {
            out.println("removed      blocks " + s.blockScores().removed() + " by " + s.blockScores().metric().id()
                    + " over " + s.blockScores().tokens().name().toLowerCase(Locale.ROOT) + " tokens");
        }
        out.printf(Locale.ROOT, "sparsity     %.4f of pruned matrices (%d of %d weights zero), %.4f of all parameters%n",
                s.prunedSparsity(), s.prunedParameters() - s.prunedNonZeros(), s.prunedParameters(), s.sparsity());
        out.printf(Locale.ROOT, "parameters   %d, %d non-zero%n", s.parameters(), s.nonZeros());
        out.printf(Locale.ROOT, "MACs/token   %d source, %d dense, %d effective (%.3f of source)%n", s.sourceMacsPerToken(),
                s.macsPerTokenDense(), s.macsPerTokenEffective(), (double) s.macsPerTokenEffective() / s.sourceMacsPerToken());
        out.printf(Locale.ROOT, "files        %.2f MB (weights %.2f MB, %s)%n", s.fileBytes() / 1e6, s.weightBytes() / 1e6,
                s.dtype());
        if (s.calibration() != null) {
            out.printf(Locale.ROOT, "calibration  %s, %d x %d tokens (%s, seed %d), sha256 %s%n", s.calibration().source(),
                    s.calibration().samples(), s.calibration().sequenceLength(), s.calibration().sampling(),
                    s.calibration().seed(), s.calibration().fingerprint());
        }
        s.warnings().forEach(w -> out.println("warning      " + w));
        out.println("time         " + phases(result.times()));
    }

    /** {@code 12.3 s: load 0.4 (3%), forward 8.1 (66%), ...}. */
    static String phases(PhaseTimes t) {
        double total = t.total();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%.2f s:", total));
        String[] names = {"load", "sample", "forward", "statistics", "solve", "write"};
        double[] values = {t.load(), t.sample(), t.forward(), t.statistics(), t.solve(), t.write()};
        for (int i = 0; i < names.length; i++) {
            line.append(String.format(Locale.ROOT, " %s %.2f (%.0f%%)%s", names[i], values[i],
                    total > 0 ? 100 * values[i] / total : 0, i + 1 < names.length ? "," : ""));
        }
        return line.toString();
    }
}
