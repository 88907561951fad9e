package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.quant.QuantizeParameters;
import dev.whittle.engine.quant.QuantizeStatistics;
import dev.whittle.engine.quant.Quantizer;
import dev.whittle.engine.prune.CalibrationSource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;

/**
 * {@code whittle cli quantize MODEL OUT --method rtn|gptq ...}: quantizes a model folder into a new one and prints
 * what it became (bits per weight, size, reconstruction error); {@code --stats FILE} also writes the full statistics
 * as JSON. The options are the fields of {@link QuantizeParameters} (a QUANTIZE stage of the API), kebab-cased
 * ({@code --act-order} for {@code actOrder}), the calibration's at the top level as {@code prune} takes them, and
 * are checked as the API checks a submission.
 */
final class QuantizeCommand {

    private static final StageOptions<QuantizeParameters> STAGE = new StageOptions<>("quantize",
            QuantizeParameters.class, "stats");

    static final Set<String> OPTIONS = STAGE.options();

    static final String USAGE = """
              quantize MODEL OUT --method rtn|gptq [--bits 2..8] [--group N|-1] [--symmetric true|false]
                    [--act-order true|false] [--dampening D] [--block-size N] [--format pack-quantized|fake]
                    [--include RE]... [--exclude RE]... [--dataset FILE | --built-in natural-english|knowledge]
                    [--field F] [--nsamples N] [--seqlen N] [--seed S] [--stats FILE]
                                                              quantizes MODEL's weights into the new folder OUT
            """;

    private final PrintStream out;
    private final Progress progress;

    QuantizeCommand(PrintStream out, Progress progress) {
        this.out = out;
        this.progress = progress;
    }

    void run(Arguments a, Path model) throws IOException {
        Path target = Path.of(a.positional(1, "OUT (the folder to write the quantized model to)"));
        a.expectPositionals(2);
        QuantizeParameters parameters = STAGE.parameters(a);
        ModelConfig config = ModelConfig.load(model);
        StageOptions.check(parameters, parameters::problems, () -> parameters.problems(config));
        CalibrationSource calibration = parameters instanceof QuantizeParameters.Gptq g
                ? g.calibration().source(PruneCommand::file) : null;
        long start = System.nanoTime();
        Quantizer.Result result = new Quantizer(PruneCommand.SAMPLER).quantize(model, target, parameters, calibration,
                progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (progress instanceof ConsoleProgress console) {
            console.finishLine();
        }
        print(result, seconds);
        String stats = a.option("stats", null);
        if (stats != null) {
            Files.writeString(Path.of(stats), new JsonMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(result.statistics()) + "\n");
        }
    }

    private void print(Quantizer.Result result, double seconds) {
        QuantizeStatistics s = result.statistics();
        out.println("model        " + result.model());
        out.println("method       " + s.method() + " " + s.settings());
        out.printf(Locale.ROOT, "quantized    %d weights in %d matrices, %.3f bits per weight (codes, scales%s)%n",
                s.quantizedWeights(), s.layers().size(), s.bitsPerWeight(),
                s.settings().symmetric() ? "" : ", zero points");
        s.layers().stream().max(Comparator.comparingDouble(QuantizeStatistics.QuantizedLayer::weightError)).ifPresent(worst ->
                out.printf(Locale.ROOT, "weight error %.3e mean ||W - Q||^2 / ||W||^2, worst %.3e (%s)%n",
                        s.layers().stream().mapToDouble(QuantizeStatistics.QuantizedLayer::weightError).average().orElse(0),
                        worst.weightError(), worst.name()));
        if (s.meanOutputError() != null) {
            out.printf(Locale.ROOT, "output error %.3e mean ||(W - Q) X^T||^2 / ||W X^T||^2 on the calibration inputs%n",
                    s.meanOutputError());
        }
        out.printf(Locale.ROOT, "files        %.2f MB (weights %.2f MB, scales %s, format %s)%n", s.fileBytes() / 1e6,
                s.weightBytes() / 1e6, s.scaleDtype(), s.settings().format().id());
        if (s.calibration() != null) {
            out.println(PruneCommand.calibration(s.calibration()));
        }
        s.warnings().forEach(w -> out.println("warning      " + w));
        out.printf(Locale.ROOT, "time         %.2f s%n", seconds);
    }
}
