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
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.prune.BlockSequence;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.prune.InputStatistics;
import dev.whittle.engine.prune.StatisticsHooks;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneParameters;
import dev.whittle.engine.prune.Pruner;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Wall time of each pruning method, split into its phases (load, calibration forward, statistics, solve, write)
 * with the share of each, on random Llama-shaped model folders written as BF16: a small one (hidden 256, 4 layers)
 * and a ~110M-parameter one (hidden 768, 12 layers of 12 heads, intermediate 2048, vocabulary 32000). Calibration
 * is random tokens ({@code -Dwhittle.bench.prune.samples}, default 4, of {@code -Dwhittle.bench.prune.seqlen}, default
 * 128; the papers use 128 x 2048); the baseline is one dense forward over the same windows, measured in the same run.
 * {@code -Dwhittle.bench.prune.models=small} runs only the small model. Before the methods, the calibration pass of
 * one block shows what statistics cost beside the forward they ride on, against the statistics they replaced.
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
            calibration(report, decoder, windows);
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

    /**
     * The calibration pass of one block as Wanda and SparseGPT make it (block 0 over every window, statistics hooks on
     * all its linears): the block forwards' time beside the statistics' time, best of five passes, and the rate of
     * SparseGPT's {@code X^T X} (lower triangles, as computed) against the FMA ceiling. Magnitude, the control, makes
     * no calibration pass. Pruning runs the block twice (once with hooks, once more after pruning it), so the phase
     * times below show about twice the forward.
     */
    private static void calibration(Report report, Decoder decoder, CalibrationWindows windows) {
        DecoderBlock block = decoder.blocks().getFirst();
        Set<String> linears = new HashSet<>();
        block.linears().forEach(l -> linears.add(l.name()));
        BlockSequence sequence = new BlockSequence(decoder, windows);
        sequence.observe(0, ForwardHooks.NONE, () -> { }, Progress.NONE); // warm-up
        report.line("  calibration pass of block 0 (magnitude, the control, makes none):");
        for (boolean gram : new boolean[] {false, true}) {
            double forward = Double.MAX_VALUE, statistics = Double.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                StatisticsHooks<? extends InputStatistics> hooks = gram
                        ? new StatisticsHooks<>(block, linears, InputStatistics.Gram::new)
                        : new StatisticsHooks<>(block, linears, InputStatistics.FeatureNorms::new);
                long before = sequence.forwardNanos();
                sequence.observe(0, hooks, hooks::startSample, Progress.NONE);
                forward = Math.min(forward, (sequence.forwardNanos() - before - hooks.nanos()) / 1e9);
                statistics = Math.min(statistics, hooks.nanos() / 1e9);
            }
            String rate = "";
            if (gram) {
                double flops = 0;
                for (int in : new int[] {block.attention().qProj().in(), block.attention().oProj().in(),
                        block.mlp().linears().getFirst().in(), block.mlp().linears().getLast().in()}) {
                    flops += lowerTriangleFlops(in) * windows.samples() * windows.length();
                }
                rate = String.format(Locale.ROOT, "; X^T X at %.1f GFLOPS = %.2f of ceiling", flops / statistics / 1e9,
                        flops / statistics / 1e9 / report.ceilingGflops());
            }
            report.line(String.format(Locale.ROOT, "    %-12s forward %8.1f ms  statistics %7.1f ms = %.3f of the "
                    + "forward%s", gram ? "sparsegpt" : "wanda", forward * 1e3, statistics * 1e3, statistics / forward,
                    rate));
        }
    }

    /** FLOPs per token of the lower triangle of {@code X^T X} as InputStatistics.Gram computes it: 64-row blocks. */
    private static double lowerTriangleFlops(int in) {
        double flops = 0;
        for (int i0 = 0; i0 < in; ) {
            int width = in - i0 < 128 ? in - i0 : 64;
            flops += 2.0 * width * (i0 + width);
            i0 += width;
        }
        return flops;
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
