package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneParameters;
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
 * writes the full statistics as JSON. The options are the fields of {@link PruneParameters} (a PRUNE stage of the
 * API), kebab-cased ({@code --block-size} for {@code blockSize}), with those of its {@link dev.whittle.engine.prune.Calibration} at the top
 * level; {@code --dataset} is a text or {@code .jsonl} file. They are checked as the API checks a submission.
 */
final class PruneCommand {

    /** The engine's built-in calibration sets and the reference corpus's {@code knowledge}. */
    static final CalibrationSampler SAMPLER = new CalibrationSampler(List.of(new KnowledgeCalibration()));

    private static final StageOptions<PruneParameters> STAGE = new StageOptions<>("prune", PruneParameters.class,
            "stats");

    static final Set<String> OPTIONS = STAGE.options();

    static final String USAGE = """
              prune MODEL OUT --method magnitude|wanda|sparsegpt|block-removal|width|reap|frequency|ean|merge-experts
                    [--sparsity S] [--nm N:M] [--scope layer|global] [--block-size N] [--dampening D] [--blocks N]
                    [--experts F] [--metric angular-distance|block-influence] [--tokens last|all] [--mlp-ratio F]
                    [--head-ratio F] [--include RE]... [--exclude RE]...
                    [--dataset FILE | --built-in natural-english|knowledge] [--field F] [--nsamples N] [--seqlen N]
                    [--seed S] [--dtype bfloat16|float16|float32] [--stats FILE]
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
        PruneParameters parameters = parameters(a);
        ModelConfig config = ModelConfig.load(model);
        StageOptions.check(parameters, parameters::problems, () -> parameters.problems(config));
        CalibrationSource calibration = parameters instanceof PruneParameters.Calibrated c
                ? c.calibration().source(PruneCommand::file) : null;
        Pruner.Result result = new Pruner(SAMPLER).prune(model, target, parameters, calibration, progress);
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

    /** The options as the JSON of a PRUNE stage, read into the one parameter type. */
    static PruneParameters parameters(Arguments a) {
        return STAGE.parameters(a);
    }

    /** A {@code .jsonl}/{@code .json} file (or any, when a field is named) as JSON lines; anything else as text. */
    static CalibrationSource file(String path, String field) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".json") || field != null) {
            return new CalibrationSource.JsonLines(Path.of(path), field);
        }
        return new CalibrationSource.TextFile(Path.of(path));
    }

    private void print(Pruner.Result result) {
        PruneStatistics s = result.statistics();
        out.println("model        " + result.model());
        out.println("method       " + s.method() + " " + s.settings());
        if (s.expertScores() != null) {
            out.println("experts      " + s.expertScores().kept() + " of " + s.expertScores().experts() + " kept per layer by "
                    + s.expertScores().metric().id() + "; active parameters per token " + s.activeParameters());
        }
        if (s.expertMerges() != null) {
            out.println("experts      " + s.expertMerges().experts() + " merged into " + s.expertMerges().kept()
                    + " per layer; active parameters per token " + s.activeParameters());
        }
        if (s.width() != null) {
            var first = s.width().layers().getFirst();
            out.printf(Locale.ROOT, "width        per layer %d of %d MLP channels and %d of %d heads (%d KV) kept; "
                    + "parameters %d -> %d (%.3f)%n", first.channels(), first.channels() + first.removedChannels(),
                    first.heads(), first.heads() + first.removedHeads(), first.kvHeads(), s.width().parametersBefore(),
                    s.width().parametersAfter(), (double) s.width().parametersAfter() / s.width().parametersBefore());
        }
        if (s.blockScores() != null) {
            out.println("removed      blocks " + s.blockScores().removed() + " by " + s.blockScores().metric().id()
                    + " over " + s.blockScores().tokens().name().toLowerCase(Locale.ROOT) + " tokens");
        }
        if (s.width() == null) {
            out.printf(Locale.ROOT, "sparsity     %.4f of pruned matrices (%d of %d weights zero), %.4f of all "
                    + "parameters%n",
                    s.prunedSparsity(), s.prunedParameters() - s.prunedNonZeros(), s.prunedParameters(), s.sparsity());
        }
        out.printf(Locale.ROOT, "parameters   %d, %d non-zero%n", s.parameters(), s.nonZeros());
        out.printf(Locale.ROOT, "MACs/token   %d source, %d dense, %d effective (%.3f of source)%n", s.sourceMacsPerToken(),
                s.macsPerTokenDense(), s.macsPerTokenEffective(), (double) s.macsPerTokenEffective() / s.sourceMacsPerToken());
        out.printf(Locale.ROOT, "files        %.2f MB (weights %.2f MB, %s)%n", s.fileBytes() / 1e6, s.weightBytes() / 1e6,
                s.dtype());
        if (s.calibration() != null) {
            out.println(calibration(s.calibration()));
        }
        s.warnings().forEach(w -> out.println("warning      " + w));
        out.println("time         " + phases(result.times()));
    }

    /** {@code calibration  text file t.txt, 4 x 32 tokens (...)}: the line both stage commands print. */
    static String calibration(PruneStatistics.CalibrationSummary c) {
        return String.format(Locale.ROOT, "calibration  %s, %d x %d tokens (%s, seed %d), sha256 %s", c.source(),
                c.samples(), c.sequenceLength(), c.sampling(), c.seed(), c.fingerprint());
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
