package dev.whittle.lab.bench;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneParameters;
import dev.whittle.engine.prune.Pruner;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Wall time of each pruning method, split into its phases (load, calibration forward, statistics, solve, write)
 * with the share of each, on random Llama-shaped model folders written as BF16: a small one (hidden 256, 4 layers)
 * and a ~110M-parameter one (hidden 768, 12 layers of 12 heads, intermediate 2048, vocabulary 32000). Calibration
 * is random tokens ({@code -Dwhittle.bench.prune.samples}, default 4, of {@code -Dwhittle.bench.prune.seqlen}, default
 * 128; the papers use 128 x 2048); the baseline is one dense forward over the same windows, measured in the same run.
 * {@code -Dwhittle.bench.prune.models=small} runs only the small model.
 */
final class PruneBench implements Benchmark {

    private record Shape(String name, int hidden, int layers, int heads, int intermediate, int vocab) {
    }

    private static final List<Shape> SHAPES = List.of(new Shape("small", 256, 4, 4, 688, 4096),
            new Shape("110M", 768, 12, 12, 2048, 32000));

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String description() {
        return "pruning wall time per method and phase (magnitude, wanda, sparsegpt, block-removal) on random Llama models";
    }

    @Override
    public void run(Report report) {
        int samples = Integer.getInteger("whittle.bench.prune.samples", 4);
        int seqlen = Integer.getInteger("whittle.bench.prune.seqlen", 128);
        String only = System.getProperty("whittle.bench.prune.models", "");
        Path dir;
        try {
            dir = Files.createTempDirectory("whittle-prune-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (Shape shape : SHAPES) {
                if (!only.isEmpty() && !List.of(only.split(",")).contains(shape.name())) {
                    continue;
                }
                run(report, dir, shape, samples, seqlen);
            }
        } finally {
            Folders.deleteRecursively(dir);
        }
    }

    private static void run(Report report, Path dir, Shape shape, int samples, int seqlen) {
        try {
            Decoder decoder = randomLlama(shape);
            Path source = dir.resolve(shape.name());
            ModelFolderWriter.to(source).config(decoder.config()).write(DecoderTensors.of(decoder, DType.BF16));
            CalibrationWindows windows = CalibrationWindows.randomTokens(shape.vocab(), samples, seqlen, 1);
            double dense = denseForwardSeconds(decoder, windows);
            report.line(String.format(Locale.ROOT, "prune %s llama (%.0fM parameters), %d x %d calibration tokens: "
                            + "one dense forward %.2f s (%.0f tokens/s)", shape.name(), decoder.parameterCount() / 1e6,
                    samples, seqlen, dense, samples * seqlen / dense));
            decoder = null;
            for (String request : List.of("\"magnitude\", \"sparsity\": 0.5", "\"wanda\", \"sparsity\": 0.5",
                    "\"sparsegpt\", \"sparsity\": 0.5", "\"block-removal\", \"blocks\": " + shape.layers() / 4)) {
                PruneParameters method = JsonMapper.shared().readValue("{\"method\": " + request + "}",
                        PruneParameters.class);
                Path target = dir.resolve(shape.name() + "-" + method.name());
                PhaseTimes t = Pruner.prune(source, target, method, windows,
                        Progress.NONE).times();
                Folders.deleteRecursively(target);
                report.line(String.format(Locale.ROOT, "  %-14s %7.2f s = %5.1f dense forwards | load %s  forward %s  "
                                + "statistics %s  solve %s  write %s", method.name(), t.total(), t.total() / dense,
                        share(t.load(), t), share(t.forward(), t), share(t.statistics(), t), share(t.solve(), t),
                        share(t.write(), t)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String share(double seconds, PhaseTimes t) {
        return String.format(Locale.ROOT, "%.2f s (%2.0f%%)", seconds, 100 * seconds / t.total());
    }

    /** One forward of every window through the whole model, as calibration needs at least once. */
    private static double denseForwardSeconds(Decoder decoder, CalibrationWindows windows) {
        ForwardState state = ForwardState.forInference();
        decoder.forward(Batch.of(windows.windows().getFirst()), state, ForwardHooks.NONE); // warm-up
        long start = System.nanoTime();
        for (int[] window : windows.windows()) {
            decoder.forward(Batch.of(window), state, ForwardHooks.NONE);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static Decoder randomLlama(Shape s) {
        ObjectNode config = RandomLlama.config(s.hidden(), s.intermediate(), s.layers(), s.heads(), s.vocab(), 2048);
        config.put("torch_dtype", "bfloat16");
        return RandomLlama.load(config);
    }
}
