package dev.whittle.engine.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.KvCache;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.SwiGluMlp;
import dev.whittle.engine.prune.width.WidthImportance;
import dev.whittle.engine.prune.width.WidthStatistics;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Width pruning against the original model with the removed channels and heads masked, on tiny random models. */
class WidthPruningTest {

    private static final int[] TOKENS = {5, 17, 93, 200, 41, 8, 77, 3, 150, 66, 12};

    @TempDir
    Path tmp;

    private static PruneParameters.Width width(double mlpRatio, double headRatio) {
        return new PruneParameters.Width(mlpRatio, headRatio, null, null);
    }

    private Pruner.Result prune(Path source, PruneParameters.Width method, CalibrationWindows windows,
                                Progress progress) throws IOException {
        return Pruner.prune(source, tmp.resolve("width-" + System.nanoTime()), method, windows, progress);
    }

    /** Which units of the original ({@code width} rows of {@code in} values each) a pruned matrix's rows are. */
    private static int[] sourceUnits(float[] original, float[] pruned, int width, int in) {
        int length = width * in;
        int[] units = new int[pruned.length / length];
        for (int k = 0; k < units.length; k++) {
            float[] unit = Arrays.copyOfRange(pruned, k * length, (k + 1) * length);
            units[k] = IntStream.range(0, original.length / length)
                    .filter(u -> Arrays.equals(Arrays.copyOfRange(original, u * length, (u + 1) * length), unit))
                    .findFirst().orElseThrow(() -> new AssertionError("a pruned row is no row of the original"));
        }
        return units;
    }

    /** The kept channels, query heads and KV heads of each block of {@code pruned}, found by matching its rows. */
    private record Kept(int[] channels, int[] heads, int[] kvHeads) {
    }

    private static List<Kept> kept(Decoder original, Decoder pruned) {
        List<Kept> kept = new ArrayList<>();
        for (int b = 0; b < original.blocks().size(); b++) {
            DecoderBlock o = original.blocks().get(b);
            DecoderBlock p = pruned.blocks().get(b);
            int d = o.attention().headDim();
            int hidden = o.hidden();
            kept.add(new Kept(sourceUnits(((SwiGluMlp) o.mlp()).gate().weight(), ((SwiGluMlp) p.mlp()).gate().weight(), 1,
                    hidden), sourceUnits(o.attention().qProj().weight(), p.attention().qProj().weight(), d, hidden),
                    sourceUnits(o.attention().kProj().weight(), p.attention().kProj().weight(), d, hidden)));
        }
        return kept;
    }

    /** Zeros, in {@code decoder}'s own weights, down_proj's columns of the channels and o_proj's of the heads not kept. */
    private static void mask(Decoder decoder, int block, Kept kept) {
        DecoderBlock b = decoder.blocks().get(block);
        Linear down = ((SwiGluMlp) b.mlp()).down();
        zeroColumns(down, kept.channels(), 1);
        zeroColumns(b.attention().oProj(), kept.heads(), b.attention().headDim());
    }

    private static void zeroColumns(Linear linear, int[] keptUnits, int width) {
        for (int c = 0; c < linear.in(); c++) {
            int unit = c / width;
            if (Arrays.stream(keptUnits).noneMatch(k -> k == unit)) {
                for (int r = 0; r < linear.out(); r++) {
                    linear.weight()[r * linear.in() + c] = 0;
                }
            }
        }
    }

    @Test
    void theNarrowerModelsLogitsEqualTheOriginalsWithThoseChannelsAndHeadsMaskedToZero() throws IOException {
        // Llama (grouped-query), Qwen2 (q/k/v biases), Qwen3 (a q/k norm per head)
        for (Family family : List.of(Family.LLAMA, Family.QWEN2, Family.QWEN3)) {
            Path source = tmp.resolve(family.modelType());
            TestModels.write(source, family, 21, TestModels.options().layers(3));
            Pruner.Result result = prune(source, width(0.5, 0.5), CalibrationWindows.randomTokens(320, 3, 24, 9),
                    Progress.NONE);
            Decoder original = DecoderLoader.load(source, Progress.NONE);
            Decoder pruned = DecoderLoader.load(result.model(), Progress.NONE);
            List<Kept> kept = kept(original, pruned);
            for (int b = 0; b < kept.size(); b++) {
                mask(original, b, kept.get(b));
            }
            float[] expected = original.logits(TOKENS);
            float[] actual = pruned.logits(TOKENS);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as(family + " logit " + i).isCloseTo(expected[i], within(1e-5f));
            }
            // token by token with a KV cache (as generation runs): the cache rows are the narrower kv width
            KvCache cache = pruned.newCache(2);
            ForwardState state = ForwardState.forInference();
            for (int t = 0; t < TOKENS.length; t++) {
                float[] step = pruned.lastLogits(Batch.continuing(List.of(new int[] {TOKENS[t]}), List.of(cache)), state)
                        .getFirst();
                for (int v = 0; v < 320; v++) {
                    assertThat(step[v]).isCloseTo(expected[t * 320 + v], within(1e-5f));
                }
            }
        }
    }

    @Test
    void groupedQueryAttentionLosesWholeKvGroupsWithTheQueryHeadsThatReadThem() throws IOException {
        Path source = tmp.resolve("gqa");
        TestModels.write(source, Family.LLAMA, 5, TestModels.options().heads(8).kvHeads(4));
        Pruner.Result result = prune(source, width(0, 0.5), CalibrationWindows.randomTokens(320, 2, 16, 1),
                Progress.NONE);
        Decoder original = DecoderLoader.load(source, Progress.NONE);
        Decoder pruned = DecoderLoader.load(result.model(), Progress.NONE);
        List<WidthStatistics.BlockWidths> layers = result.statistics().width().layers();
        for (int b = 0; b < 2; b++) {
            Kept kept = kept(original, pruned).get(b);
            assertThat(kept.kvHeads()).hasSize(2);
            // query heads 2j and 2j + 1 read KV head j: they stay exactly with their group
            assertThat(kept.heads()).containsExactly(2 * kept.kvHeads()[0], 2 * kept.kvHeads()[0] + 1,
                    2 * kept.kvHeads()[1], 2 * kept.kvHeads()[1] + 1);
            assertThat(sourceUnits(original.blocks().get(b).attention().vProj().weight(),
                    pruned.blocks().get(b).attention().vProj().weight(), 8, 64)).containsExactly(kept.kvHeads());
            assertThat(kept.channels()).hasSize(96);
            List<Integer> removed = IntStream.range(0, 4).filter(g -> Arrays.stream(kept.kvHeads()).noneMatch(k -> k == g))
                    .boxed().toList();
            assertThat(layers.get(b)).isEqualTo(new WidthStatistics.BlockWidths(b, 96, 0, 4, 4, 2, removed,
                    2L * 64 * (8 * 8 + 4 * 8) + 3L * 64 * 96, 2L * 64 * (4 * 8 + 2 * 8) + 3L * 64 * 96));
        }
    }

    @Test
    void theConfigHasTheNewWidthsAndAnExplicitHeadDimAndIsOtherwiseTheSources() throws IOException {
        Path source = tmp.resolve("config");
        ModelConfig before = TestModels.write(source, Family.LLAMA, 3, TestModels.options().heads(8).kvHeads(4));
        Pruner.Result result = prune(source, width(0.25, 0.25), CalibrationWindows.randomTokens(320, 2, 16, 1),
                Progress.NONE);
        ModelConfig after = ModelConfig.load(result.model());
        // 8 x round(0.25 x 96 / 8) = 24 channels go; round(0.25 x 4) = 1 KV group, with its 2 query heads
        assertThat(after.intermediateSize()).isEqualTo(72);
        assertThat(after.numAttentionHeads()).isEqualTo(6);
        assertThat(after.numKeyValueHeads()).isEqualTo(3);
        assertThat(after.json().get("head_dim").asInt()).isEqualTo(8);
        assertThat(after.headDim()).isEqualTo(8).isNotEqualTo(after.hiddenSize() / after.numAttentionHeads());
        ObjectNode rest = after.json();
        ObjectNode sourceRest = before.json();
        for (String changed : List.of("intermediate_size", "num_attention_heads", "num_key_value_heads", "head_dim")) {
            rest.remove(changed);
            sourceRest.remove(changed);
        }
        assertThat(rest).isEqualTo(sourceRest);
        try (Checkpoint checkpoint = Checkpoint.open(result.model())) {
            assertThat(checkpoint.info("model.layers.1.self_attn.q_proj.weight").shape()).containsExactly(48, 64);
            assertThat(checkpoint.info("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(24, 64);
            assertThat(checkpoint.info("model.layers.1.self_attn.o_proj.weight").shape()).containsExactly(64, 48);
            assertThat(checkpoint.info("model.layers.1.mlp.up_proj.weight").shape()).containsExactly(72, 64);
            assertThat(checkpoint.info("model.layers.1.mlp.down_proj.weight").shape()).containsExactly(64, 72);
        }
        PruneStatistics statistics = result.statistics();
        assertThat(statistics.width().parametersAfter()).isEqualTo(statistics.parameters());
        long sourceParameters = 0;
        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            for (String name : checkpoint.names()) {
                sourceParameters += checkpoint.floats(name).length;
            }
        }
        assertThat(statistics.width().parametersBefore()).isEqualTo(sourceParameters);
        assertThat(statistics.macsPerTokenDense()).isLessThan(statistics.sourceMacsPerToken());
    }

    /** Per window, the sum over its tokens of the squares of each channel of a linear's input. */
    private static List<double[]> squaresPerWindow(Decoder decoder, CalibrationWindows windows, String linear, int cols) {
        List<double[]> perWindow = new ArrayList<>();
        for (int[] window : windows.windows()) {
            double[] squares = new double[cols];
            decoder.forward(Batch.of(window), ForwardState.forInference(), new ForwardHooks() {
                @Override
                public void linearInput(String name, float[] x, int offset, int rows, int c) {
                    if (name.equals(linear)) {
                        for (int r = 0; r < rows; r++) {
                            for (int j = 0; j < cols; j++) {
                                double v = x[offset + r * cols + j];
                                squares[j] += v * v;
                            }
                        }
                    }
                }
            });
            perWindow.add(squares);
        }
        return perWindow;
    }

    /** Mean over windows of sqrt(sum over the unit's entries of the squares); units are {@code width} channels. */
    private static double[] meanOfL2(List<double[]> squares, int width) {
        int units = squares.getFirst().length / width;
        double[] scores = new double[units];
        for (double[] window : squares) {
            for (int u = 0; u < units; u++) {
                double sum = 0;
                for (int j = 0; j < width; j++) {
                    sum += window[u * width + j];
                }
                scores[u] += Math.sqrt(sum) / squares.size();
            }
        }
        return scores;
    }

    /** The indices, ascending, of the {@code n} highest scores. */
    private static int[] highest(double[] scores, int n) {
        return IntStream.range(0, scores.length).boxed().sorted((a, b) -> Double.compare(scores[b], scores[a]))
                .limit(n).mapToInt(Integer::intValue).sorted().toArray();
    }

    @Test
    void eachBlockKeepsTheChannelsAndGroupsOfHighestActivationNormOnTheModelPrunedSoFar() throws IOException {
        Path source = tmp.resolve("importance");
        TestModels.write(source, Family.LLAMA, 13, TestModels.options().layers(3).heads(8).kvHeads(4));
        CalibrationWindows windows = CalibrationWindows.randomTokens(320, 4, 20, 2);
        Pruner.Result result = prune(source, width(0.5, 0.5), windows, Progress.NONE);
        Decoder pruned = DecoderLoader.load(result.model(), Progress.NONE);
        List<Kept> kept = kept(DecoderLoader.load(source, Progress.NONE), pruned);

        Decoder original = DecoderLoader.load(source, Progress.NONE);
        for (int b = 0; b < 3; b++) {
            // the blocks before b masked as pruned give block b the inputs the narrower blocks gave it
            String prefix = "model.layers." + b;
            double[] channels = meanOfL2(squaresPerWindow(original, windows, prefix + ".mlp.down_proj", 96), 1);
            double[] heads = meanOfL2(squaresPerWindow(original, windows, prefix + ".self_attn.o_proj", 64), 8);
            double[] groups = new double[4];
            for (int h = 0; h < 8; h++) {
                groups[h / 2] += heads[h];
            }
            if (b == 0) {
                WidthImportance importance = new WidthImportance(original.blocks().getFirst());
                new BlockSequence(original, windows).observe(0, importance, importance::startSample, Progress.NONE);
                double[] hookChannels = importance.channelScores();
                for (int c = 0; c < 96; c++) {
                    assertThat(hookChannels[c]).isCloseTo(channels[c], within(1e-9 * channels[c]));
                }
                for (int g = 0; g < 4; g++) {
                    assertThat(importance.groupScores()[g]).isCloseTo(groups[g], within(1e-9 * groups[g]));
                }
            }
            assertThat(kept.get(b).channels()).as("block " + b).containsExactly(highest(channels, 48));
            assertThat(kept.get(b).kvHeads()).as("block " + b).containsExactly(highest(groups, 2));
            mask(original, b, kept.get(b));
        }
    }

    @Test
    void progressGoesBlockByBlock() throws IOException {
        Path source = tmp.resolve("progress");
        TestModels.write(source, Family.LLAMA, 2, TestModels.options().layers(3));
        PruneFixtures.Recorder recorder = new PruneFixtures.Recorder();
        prune(source, width(0.5, 0), CalibrationWindows.randomTokens(320, 2, 8, 1), recorder);
        assertThat(recorder.reports).containsSubsequence("prune 1/3", "prune 2/3", "prune 3/3");
    }
}
