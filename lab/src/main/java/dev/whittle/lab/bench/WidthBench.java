package dev.whittle.lab.bench;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.prune.PruneParameters;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.prune.width.WidthPruning;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Prefill speed of a width-pruned model against its original, in the same run: random Llama-shaped models built in
 * memory ({@code ref}: whittle-ref's shape, hidden 256, 6 layers of 8 heads over 4 KV heads, intermediate 704,
 * vocabulary 4096; {@code 110m}: hidden 768, 12 layers of 12 heads, intermediate 2048, vocabulary 32000), width
 * pruned (default {@code --mlp-ratio 0.5 --head-ratio 0.25}, calibrated on 2 windows of 64 random tokens), then both
 * timed on prompts of each {@code --lengths} (default 128,512) tokens: the whole forward plus the last position's
 * logits, as generation runs it, the two models alternately (three rounds of about a second each, the best of each
 * kept). The ratio is the narrower model's tokens/s over the original's.
 */
final class WidthBench implements Benchmark {

    private record Shape(String name, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {
    }

    private static final List<Shape> SHAPES = List.of(new Shape("ref", 256, 6, 8, 4, 704, 4096),
            new Shape("110m", 768, 12, 12, 12, 2048, 32000));
    private static final int ROUNDS = 3;

    @Override
    public String name() {
        return "width";
    }

    @Override
    public String description() {
        return "prefill tokens/s of a width-pruned random Llama against the original, at several prompt lengths";
    }

    @Override
    public Set<String> options() {
        return Set.of("shape", "lengths", "mlp-ratio", "head-ratio");
    }

    @Override
    public void run(Report report) {
        run(report, BenchArguments.NONE);
    }

    @Override
    public void run(Report report, BenchArguments arguments) {
        PruneParameters.Width method = new PruneParameters.Width(
                Double.valueOf(arguments.option("mlp-ratio", "0.5")), Double.valueOf(arguments.option("head-ratio", "0.25")),
                null, null);
        List<Integer> lengths = new ArrayList<>();
        for (String length : arguments.option("lengths", "128,512").split(",")) {
            lengths.add(Integer.parseInt(length.trim()));
        }
        for (String name : arguments.option("shape", "ref,110m").split(",")) {
            Shape shape = SHAPES.stream().filter(s -> s.name().equals(name.trim())).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("--shape " + name + ": known shapes are ref and 110m"));
            run(report, shape, method, lengths);
        }
    }

    private static void run(Report report, Shape shape, PruneParameters.Width method, List<Integer> lengths) {
        int longest = lengths.stream().mapToInt(Integer::intValue).max().orElse(128);
        ObjectNode json = RandomLlama.config(shape.hidden(), shape.intermediate(), shape.layers(), shape.heads(),
                shape.vocab(), Math.max(2048, longest));
        json.put("num_key_value_heads", shape.kvHeads());
        Decoder original = RandomLlama.load(json);
        ModelConfig config = original.config();
        List<PruneProblem> problems = new ArrayList<>(method.problems());
        problems.addAll(method.problems(config));
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        Decoder narrower = WidthPruning.prune(original, CalibrationWindows.randomTokens(shape.vocab(), 2, 64, 1),
                method.removedChannelsOf(config.intermediateSize()), method.removedGroupsOf(config.numKeyValueHeads()),
                Progress.NONE).decoder();
        ModelConfig cut = narrower.config();
        report.line(String.format(Locale.ROOT, "width %s llama %.1fM -> %.1fM parameters (%.2f): intermediate %d -> %d, "
                        + "heads %d/%d -> %d/%d (mlpRatio %s, headRatio %s)", shape.name(),
                original.parameterCount() / 1e6, narrower.parameterCount() / 1e6,
                (double) narrower.parameterCount() / original.parameterCount(), config.intermediateSize(),
                cut.intermediateSize(), config.numAttentionHeads(), config.numKeyValueHeads(), cut.numAttentionHeads(),
                cut.numKeyValueHeads(), method.mlpRatio(), method.headRatio()));
        for (int t : lengths) {
            int[] tokens = new SplittableRandom(7).ints(t, 0, shape.vocab()).toArray();
            // alternated, best of each: a neighbour's burst on the shared machine then slows both alike
            double dense = Double.MAX_VALUE;
            double pruned = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                dense = Math.min(dense, secondsPerPrefill(original, tokens));
                pruned = Math.min(pruned, secondsPerPrefill(narrower, tokens));
            }
            report.line(String.format(Locale.ROOT, "  prefill %5d tokens: original %8.0f tokens/s, width-pruned %8.0f "
                            + "tokens/s, ratio %.2f (%.1f / %.1f GFLOPS)", t, t / dense, t / pruned, dense / pruned,
                    PrefillBench.prefillFlops(original, t) / dense / 1e9,
                    PrefillBench.prefillFlops(narrower, t) / pruned / 1e9));
        }
    }

    private static double secondsPerPrefill(Decoder decoder, int[] tokens) {
        ForwardState state = ForwardState.forInference();
        return Report.secondsPerCall(() -> decoder.lastLogits(Batch.of(tokens), state), 1.0);
    }
}
