package dev.whittle.engine.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.experts.ExpertSaliency;
import dev.whittle.engine.prune.experts.ExpertScoring;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.whittle.engine.testing.FiniteDifferences.assertClose;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Expert pruning (reap, frequency, ean) as whole PRUNE runs on a small random Mixtral: 8 experts, top-2, 2 layers. */
class ExpertPruningTest {

    private static final int EXPERTS = 8;
    private static final int TOP_K = 2;

    @TempDir
    static Path shared;
    static Path mixtral;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeModel() throws IOException {
        mixtral = shared.resolve("mixtral");
        TestModels.write(mixtral, Family.MIXTRAL, 21, TestModels.options().experts(EXPERTS).expertsPerToken(TOP_K));
    }

    private Pruner.Result prune(PruneParameters method, CalibrationWindows windows) throws IOException {
        return Pruner.prune(mixtral, tmp.resolve(method.name()), method, windows, Progress.NONE);
    }

    private static CalibrationWindows windows(int[]... windows) {
        return new CalibrationWindows(List.of(windows), "test tokens", "documents", 0);
    }

    /** How often each expert is in a token's top-k, per router, counted here from the routing the forward reports. */
    private static Map<String, long[]> routedCounts(Decoder decoder, CalibrationWindows windows) {
        Map<String, long[]> counts = new HashMap<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void routing(String router, int rows, int topK, int[] experts, float[] weights) {
                long[] c = counts.computeIfAbsent(router, r -> new long[EXPERTS]);
                for (int i = 0; i < rows * topK; i++) {
                    c[experts[i]]++;
                }
            }
        };
        for (int[] window : windows.windows()) {
            decoder.forward(Batch.of(window), ForwardState.forInference(), hooks);
        }
        return counts;
    }

    /**
     * Calibrated on three tokens (six top-2 assignments per layer, so at least two of the eight experts see none),
     * frequency removes two that no token reached: the model written must give exactly the source's logits on those
     * tokens, load where the source did, and say 6 experts in its config.
     */
    @Test
    void frequencyRemovesExpertsNoCalibrationTokenReachedAndTheLogitsOnThoseTokensStay() throws IOException {
        int[] tokens = {5, 77, 140};
        Decoder source = DecoderLoader.load(mixtral, Progress.NONE);
        float[] before = source.logits(tokens);

        Pruner.Result result = prune(new PruneParameters.Frequency(0.25, null, null), windows(tokens));

        ModelConfig config = ModelConfig.load(result.model());
        assertThat(config.moe().numExperts()).isEqualTo(6);
        assertThat(config.json().get("num_local_experts").asInt()).isEqualTo(6);
        Decoder pruned = DecoderLoader.load(result.model(), Progress.NONE);
        assertClose("logits after removing unreached experts", pruned.logits(tokens), toDouble(before), 1e-5, 1e-5);
        Map<String, long[]> counts = routedCounts(source, windows(tokens));
        for (ExpertScoring.Layer layer : result.statistics().expertScores().layers()) {
            for (int removed : layer.removed()) {
                assertThat(counts.get(layer.router())[removed]).as("%s expert %d", layer.router(), removed).isZero();
            }
        }
    }

    /**
     * Frequency scores are the share of a layer's tokens whose top-k holds the expert (counted here from the routing),
     * and every method removes its layer's lowest-scoring experts and keeps the rest, renumbered in order: the
     * written expert tensors and router rows are the source's kept ones.
     */
    @Test
    void eachMethodRemovesItsLowestScoringExpertsAndWritesTheKeptOnesInOrder() throws IOException {
        CalibrationWindows calibration = CalibrationWindows.randomTokens(320, 3, 24, 5);
        Map<String, float[]> source = PruneFixtures.tensors(mixtral);
        Decoder decoder = DecoderLoader.load(mixtral, Progress.NONE);
        Map<String, long[]> counts = routedCounts(decoder, calibration);
        // ExpertSaliency is checked against the scores' definitions in ExpertSaliencyTest; here: each method ranks by its own
        ExpertSaliency saliency = new ExpertSaliency(EXPERTS);
        for (int[] window : calibration.windows()) {
            decoder.forward(Batch.of(window), ForwardState.forInference(), saliency);
        }
        for (PruneParameters.ExpertPruning method : List.<PruneParameters.ExpertPruning>of(
                new PruneParameters.Reap(0.5, null, null), new PruneParameters.Frequency(0.5, null, null),
                new PruneParameters.Ean(0.5, null, null))) {
            Pruner.Result result = prune(method, calibration);
            ExpertScoring.Result scores = result.statistics().expertScores();
            assertThat(scores.metric().id()).isEqualTo(method.name());
            assertThat(scores.layers()).hasSize(2);
            Map<String, float[]> out = PruneFixtures.tensors(result.model());
            for (ExpertScoring.Layer layer : scores.layers()) {
                assertThat(layer.kept()).hasSize(4);
                double[] expected = switch (method) {
                    case PruneParameters.Reap r -> saliency.reap(layer.router());
                    case PruneParameters.Frequency f -> saliency.frequency(layer.router());
                    case PruneParameters.Ean e -> saliency.ean(layer.router());
                };
                assertThat(layer.scores()).containsExactlyElementsOf(java.util.Arrays.stream(expected).boxed().toList());
                double lowestKept = layer.kept().stream().mapToDouble(e -> layer.scores().get(e)).min().orElseThrow();
                double highestRemoved = layer.removed().stream().mapToDouble(e -> layer.scores().get(e)).max().orElseThrow();
                assertThat(highestRemoved).as("%s %s", method.name(), layer.router()).isLessThanOrEqualTo(lowestKept);
                if (method instanceof PruneParameters.Frequency) {
                    for (int e = 0; e < EXPERTS; e++) {
                        assertThat(layer.scores().get(e)).isCloseTo((double) counts.get(layer.router())[e] / (3 * 24),
                                within(1e-12));
                    }
                }
                String prefix = "model.layers." + layer.block() + ".block_sparse_moe.";
                float[] router = out.get(prefix + "gate.weight");
                float[] sourceRouter = source.get(prefix + "gate.weight");
                int hidden = sourceRouter.length / EXPERTS;
                for (int i = 0; i < layer.kept().size(); i++) {
                    int from = layer.kept().get(i);
                    for (String w : List.of("w1", "w2", "w3")) {
                        assertThat(out.get(prefix + "experts." + i + "." + w + ".weight"))
                                .containsExactly(source.get(prefix + "experts." + from + "." + w + ".weight"));
                    }
                    for (int c = 0; c < hidden; c++) {
                        assertThat(router[i * hidden + c]).isEqualTo(sourceRouter[from * hidden + c]);
                    }
                }
                assertThat(out).doesNotContainKey(prefix + "experts.4.w1.weight");
            }
        }
    }

    /**
     * Parameters are the tensors of the written checkpoint; a token runs top-2 of the 4 experts left, so the active
     * parameters are those less half of the routed experts' weights.
     */
    @Test
    void theStatisticsCountParametersAndTheActiveParametersOfATokenFromTheWrittenCheckpoint() throws IOException {
        Pruner.Result result = prune(new PruneParameters.Reap(0.5, null, null), CalibrationWindows.randomTokens(320, 2, 16, 1));
        long parameters = 0;
        long expertWeights = 0;
        try (Checkpoint checkpoint = Checkpoint.open(result.model())) {
            for (String name : checkpoint.names()) {
                long size = 1;
                for (long d : checkpoint.info(name).shape()) {
                    size *= d;
                }
                parameters += size;
                expertWeights += name.contains(".experts.") ? size : 0;
            }
        }
        PruneStatistics stats = result.statistics();
        assertThat(stats.parameters()).isEqualTo(parameters);
        assertThat(stats.activeParameters()).isEqualTo(parameters - expertWeights / 2);
        assertThat(stats.expertScores().experts()).isEqualTo(8);
        assertThat(stats.expertScores().kept()).isEqualTo(4);
        assertThat(stats.fileBytes()).isPositive();
        assertThat(stats.calibration().samples()).isEqualTo(2);
    }

    /** The calibration set is drawn as for Wanda: from the parameters' calibration, through the model's tokenizer. */
    @Test
    void aReapRunDrawsItsWindowsFromTheCalibrationSet() throws IOException {
        Pruner.Result result = new Pruner(new CalibrationSampler()).prune(mixtral, tmp.resolve("reap"),
                new PruneParameters.Reap(0.25, PruneFixtures.calibration(3, 20), null), PruneFixtures.textSource(shared),
                Progress.NONE);
        assertThat(result.statistics().calibration().samples()).isEqualTo(3);
        assertThat(result.statistics().calibration().sequenceLength()).isEqualTo(20);
        assertThat(DecoderLoader.load(result.model(), Progress.NONE).config().moe().numExperts()).isEqualTo(6);
        assertThat(result.times().forward()).isPositive();
    }

    /**
     * merge-experts against its formula, from the source tensors and the routing counted here: every group's w1, w2
     * and w3 are {@code sum_j c_j W_j / sum_j c_j} over its members (c_j: tokens routed to j), its router row is its
     * most routed member's, the groups partition the experts, and the two experts whose router logits over the
     * calibration tokens have the highest cosine (the clustering's first merge) are in one group.
     */
    @Test
    void mergeExpertsAveragesEachGroupByFrequencyAndGroupsTheMostSimilarRouterLogits() throws IOException {
        CalibrationWindows calibration = CalibrationWindows.randomTokens(320, 3, 24, 5);
        Decoder source = DecoderLoader.load(mixtral, Progress.NONE);
        Map<String, float[]> tensors = PruneFixtures.tensors(mixtral);
        Map<String, long[]> counts = routedCounts(source, calibration);
        Map<String, double[][]> gram = new HashMap<>();
        ForwardHooks logits = new ForwardHooks() {
            @Override
            public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
                if (!linear.endsWith("block_sparse_moe.gate")) {
                    return;
                }
                float[] w = tensors.get(linear + ".weight");
                double[][] g = gram.computeIfAbsent(linear, l -> new double[EXPERTS][EXPERTS]);
                for (int r = 0; r < rows; r++) {
                    double[] l = new double[EXPERTS];
                    for (int e = 0; e < EXPERTS; e++) {
                        for (int c = 0; c < cols; c++) {
                            l[e] += (double) w[e * cols + c] * x[offset + r * cols + c];
                        }
                    }
                    for (int i = 0; i < EXPERTS; i++) {
                        for (int j = 0; j < EXPERTS; j++) {
                            g[i][j] += l[i] * l[j];
                        }
                    }
                }
            }
        };
        for (int[] window : calibration.windows()) {
            source.forward(Batch.of(window), ForwardState.forInference(), logits);
        }

        Pruner.Result result = prune(new PruneParameters.MergeExperts(0.5, null, null), calibration);

        assertThat(ModelConfig.load(result.model()).json().get("num_local_experts").asInt()).isEqualTo(4);
        assertThat(DecoderLoader.load(result.model(), Progress.NONE).config().moe().numExperts()).isEqualTo(4);
        Map<String, float[]> out = PruneFixtures.tensors(result.model());
        List<dev.whittle.engine.prune.experts.ExpertMerging.Layer> layers = result.statistics().expertMerges().layers();
        assertThat(layers).hasSize(2);
        for (var layer : layers) {
            long[] c = counts.get(layer.router());
            assertThat(layer.groups()).hasSize(4);
            assertThat(layer.groups().stream().flatMap(List::stream).sorted().toList())
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            double[][] g = gram.get(layer.router());
            int bestI = 0;
            int bestJ = 1;
            for (int i = 0; i < EXPERTS; i++) {
                for (int j = i + 1; j < EXPERTS; j++) {
                    if (g[i][j] / Math.sqrt(g[i][i] * g[j][j]) > g[bestI][bestJ] / Math.sqrt(g[bestI][bestI] * g[bestJ][bestJ])) {
                        bestI = i;
                        bestJ = j;
                    }
                }
            }
            int first = bestI;
            int second = bestJ;
            assertThat(layer.groups()).as("the most similar pair %d, %d", first, second)
                    .anySatisfy(group -> assertThat(group).contains(first, second));
            String prefix = "model.layers." + layer.block() + ".block_sparse_moe.";
            float[] router = out.get(prefix + "gate.weight");
            float[] sourceRouter = tensors.get(prefix + "gate.weight");
            int hidden = sourceRouter.length / EXPERTS;
            for (int index = 0; index < 4; index++) {
                List<Integer> group = layer.groups().get(index);
                long total = group.stream().mapToLong(e -> c[e]).sum();
                for (String w : List.of("w1", "w2", "w3")) {
                    float[] merged = out.get(prefix + "experts." + index + "." + w + ".weight");
                    double[] expected = new double[merged.length];
                    for (int e : group) {
                        float[] member = tensors.get(prefix + "experts." + e + "." + w + ".weight");
                        double share = total == 0 ? 1.0 / group.size() : (double) c[e] / total;
                        for (int k = 0; k < expected.length; k++) {
                            expected[k] += share * member[k];
                        }
                    }
                    assertClose(prefix + "experts." + index + "." + w, merged, expected, 1e-6, 1e-6);
                }
                int dominant = group.stream().max(java.util.Comparator.comparingLong((Integer e) -> c[e])
                        .thenComparing(e -> -e)).orElseThrow();
                for (int k = 0; k < hidden; k++) {
                    assertThat(router[index * hidden + k]).isEqualTo(sourceRouter[dominant * hidden + k]);
                }
            }
        }
    }

    /**
     * Wanda inside the experts: every expert projection of block 0 is pruned by {@code |W_ij| * ||X_j||} within its
     * rows, with X only the rows routed to that expert (captured here on the unpruned model, norms in double); the
     * routers stay whole; an expert no calibration token reached is pruned by magnitude, with a warning.
     */
    @Test
    void wandaInsideTheExpertsCalibratesEachExpertOnTheTokensRoutedToIt() throws IOException {
        CalibrationWindows calibration = windows(new int[]{5, 77, 140}, new int[]{9, 200, 31});
        Map<String, float[]> tensors = PruneFixtures.tensors(mixtral);
        Map<String, double[]> sumSquares = new HashMap<>();
        ForwardHooks inputs = new ForwardHooks() {
            @Override
            public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
                if (linear.startsWith("model.layers.0.block_sparse_moe.experts.")) {
                    double[] sums = sumSquares.computeIfAbsent(linear, l -> new double[cols]);
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            double v = x[offset + r * cols + c];
                            sums[c] += v * v;
                        }
                    }
                }
            }
        };
        Decoder source = DecoderLoader.load(mixtral, Progress.NONE);
        for (int[] window : calibration.windows()) {
            source.forward(Batch.of(window), ForwardState.forInference(), inputs);
        }

        Pruner.Result result = prune(new PruneParameters.Wanda(0.5, null, null, null, null, null, null, null, null), calibration);

        Map<String, float[]> out = PruneFixtures.tensors(result.model());
        assertThat(out.get("model.layers.0.block_sparse_moe.gate.weight"))
                .containsExactly(tensors.get("model.layers.0.block_sparse_moe.gate.weight"));
        int unreached = 0;
        for (int e = 0; e < EXPERTS; e++) {
            for (String w : List.of("w1", "w2", "w3")) {
                String name = "model.layers.0.block_sparse_moe.experts." + e + "." + w;
                float[] weights = tensors.get(name + ".weight");
                float[] pruned = out.get(name + ".weight");
                int cols = w.equals("w2") ? weights.length / 64 : 64;
                int rows = weights.length / cols;
                double[] sums = sumSquares.get(name);
                if (sums == null) {
                    unreached++;
                    assertThat(result.statistics().warnings()).anyMatch(m -> m.startsWith(name + ".weight: no calibration"));
                    assertThat(MagnitudePruningTest.zeros(pruned)).isEqualTo((long) rows * cols / 2);
                    continue;
                }
                for (int r = 0; r < rows; r++) {
                    double[] scores = new double[cols];
                    for (int c = 0; c < cols; c++) {
                        scores[c] = Math.abs(weights[r * cols + c]) * Math.sqrt(sums[c]);
                    }
                    double[] sorted = scores.clone();
                    java.util.Arrays.sort(sorted);
                    double threshold = sorted[cols / 2 - 1];
                    for (int c = 0; c < cols; c++) {
                        float expected = scores[c] <= threshold ? 0f : weights[r * cols + c];
                        assertThat(pruned[r * cols + c]).as("%s [%d, %d]", name, r, c).isEqualTo(expected);
                    }
                }
            }
        }
        assertThat(unreached).as("projections of experts no token reached (12 assignments over 8 experts)").isPositive();
    }

    /** Qwen2-MoE names its count num_experts and has a shared expert, which expert removal keeps and Wanda prunes. */
    @Test
    void aQwen2MoeKeepsItsSharedExpertThroughExpertRemovalAndWandaPrunesItToo() throws IOException {
        Path qwen = tmp.resolve("qwen2-moe");
        TestModels.write(qwen, Family.QWEN2_MOE, 4, TestModels.options());
        CalibrationWindows calibration = CalibrationWindows.randomTokens(320, 2, 16, 2);
        Pruner.Result reap = Pruner.prune(qwen, tmp.resolve("reap"), new PruneParameters.Reap(0.5, null, null),
                calibration, Progress.NONE);
        assertThat(ModelConfig.load(reap.model()).json().get("num_experts").asInt()).isEqualTo(2);
        String shared = "model.layers.0.mlp.shared_expert.down_proj.weight";
        assertThat(PruneFixtures.tensors(reap.model()).get(shared)).containsExactly(PruneFixtures.tensors(qwen).get(shared));

        Pruner.Result wanda = Pruner.prune(reap.model(), tmp.resolve("wanda"),
                new PruneParameters.Wanda(0.5, null, null, null, null, null, null, null, null), calibration, Progress.NONE);
        assertThat(wanda.statistics().matrices()).filteredOn(m -> m.name().equals(shared)).singleElement()
                .satisfies(m -> assertThat(m.sparsity()).isEqualTo(0.5));
        assertThat(wanda.statistics().matrices()).filteredOn(m -> m.name().endsWith("shared_expert_gate.weight"))
                .allSatisfy(m -> assertThat(m.pruned()).isFalse());
        assertThat(DecoderLoader.load(wanda.model(), Progress.NONE).config().moe().numExperts()).isEqualTo(2);
    }
}
