package dev.whittle.engine.prune;

import dev.whittle.engine.testing.DenseMath;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole pruning run on small random models in the Hugging Face layout. */
class PrunerTest {

    @TempDir
    static Path shared;
    static Path llama;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeModels() throws IOException {
        llama = shared.resolve("llama");
        TestModels.write(llama, Family.LLAMA, 7, TestModels.options().layers(3));
    }

    /** 6 windows of 40 tokens of the test text. */
    private static final Calibration WINDOWS = PruneFixtures.calibration(6, 40);

    private Pruner.Result prune(Path source, PruneParameters method) throws IOException {
        return new Pruner(new CalibrationSampler()).prune(source, tmp.resolve(method.name() + "-" + System.nanoTime()),
                method, PruneFixtures.textSource(shared), Progress.NONE);
    }

    private static CalibrationWindows windows(PruneParameters.Calibrated method) throws IOException {
        try (Tokenizer tokenizer = Tokenizer.load(llama)) {
            return new CalibrationSampler().sample(tokenizer, PruneFixtures.textSource(shared), method.calibration(), 512);
        }
    }

    /** Zeros a method's definition prescribes for a {@code [rows x cols]} matrix: unstructured at s, or N:M. */
    private static long expectedZeros(PruneParameters.WeightPruning method, int rows, int cols) {
        if (method.nm() != null) {
            return (long) rows * (cols / method.nm().m()) * method.nm().n();
        }
        double s = method.sparsity();
        return switch (method) {
            case PruneParameters.Wanda w -> rows * (long) Math.floor(cols * s);
            default -> (long) Math.floor((double) rows * cols * s); // one SparseGPT block: the test widths are < 128
        };
    }

    @Test
    void everyMethodPrunesEveryChosenMatrixToExactlyItsSparsityAndLeavesTheRestAlone() throws IOException {
        Map<String, float[]> source = PruneFixtures.tensors(llama);
        for (PruneParameters.WeightPruning method : List.of(PruneFixtures.magnitude(0.3, null, null),
                PruneFixtures.wanda(0.3, null, WINDOWS), PruneFixtures.sparseGpt(0.3, null, WINDOWS),
                PruneFixtures.magnitude(null, new NmSparsity(2, 4), null), PruneFixtures.wanda(null, new NmSparsity(4, 8),
                        WINDOWS), PruneFixtures.sparseGpt(null, new NmSparsity(2, 4), WINDOWS))) {
            Pruner.Result result = prune(llama, method);
            long weights = 0;
            long zeros = 0;
            Map<String, float[]> out = PruneFixtures.tensors(result.model());
            assertThat(out.keySet()).isEqualTo(source.keySet());
            try (Checkpoint checkpoint = Checkpoint.open(result.model())) {
                for (String name : out.keySet()) {
                    float[] values = out.get(name);
                    boolean linear = name.matches("model\\.layers\\.\\d+\\.(self_attn|mlp)\\.\\w+_proj\\.weight");
                    if (!linear) {
                        assertThat(values).as("%s untouched by %s", name, method).containsExactly(source.get(name));
                        continue;
                    }
                    long[] shape = checkpoint.info(name).shape();
                    int rows = (int) shape[0];
                    int cols = (int) shape[1];
                    if (method.nm() != null) {
                        NmChecks.assertNm(values, rows, cols, method.nm());
                    }
                    assertThat(MagnitudePruningTest.zeros(values)).as("zeros of %s by %s", name, method)
                            .isEqualTo(expectedZeros(method, rows, cols));
                    weights += (long) rows * cols;
                    zeros += expectedZeros(method, rows, cols);
                }
            }
            PruneStatistics stats = result.statistics();
            assertThat(stats.matrices()).hasSize(21).allMatch(PruneStatistics.Matrix::pruned);
            assertThat(stats.prunedNonZeros()).as("non-zeros left by %s", method).isEqualTo(weights - zeros);
            assertThat(stats.prunedSparsity()).as("sparsity of %s", method).isEqualTo(1 - (double) (weights - zeros) / weights);
            if (method.nm() != null) {
                assertThat(stats.prunedSparsity()).isEqualTo(method.nm().sparsity());
            }
        }
    }

    @Test
    void sparsityZeroChangesNothing() throws IOException {
        Map<String, float[]> source = PruneFixtures.tensors(llama);
        for (PruneParameters method : List.of(PruneFixtures.magnitude(0.0, null, null), PruneFixtures.magnitude(0.0, null,
                MagnitudePruning.Scope.GLOBAL), PruneFixtures.wanda(0.0, null, WINDOWS),
                PruneFixtures.sparseGpt(0.0, null, WINDOWS))) {
            Map<String, float[]> out = PruneFixtures.tensors(prune(llama, method).model());
            for (String name : source.keySet()) {
                assertThat(out.get(name)).as("%s by %s", name, method).containsExactly(source.get(name));
            }
        }
    }

    @Test
    void wandaScoresAreTheFormulaOnActivationsCapturedFromTheModelPrunedSoFar() throws IOException {
        // Block 1 is pruned on the inputs it gets from the already pruned block 0, block 1 itself still dense.
        PruneParameters.Wanda wanda = PruneFixtures.wanda(0.5, null, WINDOWS);
        CalibrationWindows windows = windows(wanda);
        Path out = Pruner.prune(llama, tmp.resolve("wanda"), wanda, windows, Progress.NONE).model();
        Decoder source = DecoderLoader.load(llama, Progress.NONE);
        Decoder pruned = DecoderLoader.load(out, Progress.NONE);
        Decoder prunedSoFar = source.withBlocks(List.of(pruned.blocks().get(0), source.blocks().get(1)));
        for (int l = 0; l < 7; l++) {
            Linear dense = source.blocks().get(1).linears().get(l);
            Linear result = pruned.blocks().get(1).linears().get(l);
            float[] x = PruneFixtures.capturedInputs(prunedSoFar, windows, dense.name());
            int tokens = x.length / dense.in();
            assertThat(tokens).isEqualTo(6 * 40);
            double[] norms = new double[dense.in()];
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j < dense.in(); j++) {
                    norms[j] += (double) x[t * dense.in() + j] * x[t * dense.in() + j];
                }
            }
            for (int j = 0; j < norms.length; j++) {
                norms[j] = Math.sqrt(norms[j]);
            }
            for (int r = 0; r < dense.out(); r++) {
                double largestPruned = 0;
                double smallestKept = Double.MAX_VALUE;
                for (int j = 0; j < dense.in(); j++) {
                    double score = Math.abs(dense.weight()[r * dense.in() + j]) * norms[j];
                    if (result.weight()[r * dense.in() + j] == 0) {
                        largestPruned = Math.max(largestPruned, score);
                    } else {
                        smallestKept = Math.min(smallestKept, score);
                    }
                }
                assertThat(largestPruned).as("%s row %d", dense.name(), r).isLessThanOrEqualTo(smallestKept * (1 + 1e-5));
            }
        }
    }

    @Test
    void sparseGptPrunesEachBlockWithTheHessianOfThePrunedModelsActivations() throws IOException {
        PruneParameters.SparseGpt sparseGpt = PruneFixtures.sparseGpt(0.5, null, WINDOWS);
        CalibrationWindows windows = windows(sparseGpt);
        Path out = Pruner.prune(llama, tmp.resolve("sparsegpt"), sparseGpt, windows, Progress.NONE).model();
        Decoder source = DecoderLoader.load(llama, Progress.NONE);
        Decoder pruned = DecoderLoader.load(out, Progress.NONE);
        Decoder prunedSoFar = source.withBlocks(List.of(pruned.blocks().get(0), pruned.blocks().get(1),
                source.blocks().get(2)));
        for (Linear dense : source.blocks().get(2).linears()) {
            float[] x = PruneFixtures.capturedInputs(prunedSoFar, windows, dense.name());
            double[][] gram = DenseMath.gram(x, x.length / dense.in(), dense.in());
            float[] expected = dense.weight().clone();
            SparseGptPruning.prune(expected, dense.out(), dense.in(), DenseMath.flatFloats(gram), 0.5, null, 128, 0.01);
            float[] actual = pruned.blocks().get(2).linears().stream().filter(l -> l.name().equals(dense.name()))
                    .findFirst().orElseThrow().weight();
            int sameZeros = 0;
            int zeros = 0;
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] == 0) {
                    zeros++;
                    sameZeros += actual[i] == 0 ? 1 : 0;
                }
                scale = Math.max(scale, Math.abs(expected[i]));
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
            // The masks agree except where fp32 accumulation order decides a near-tie.
            assertThat((double) sameZeros / zeros).as(dense.name()).isGreaterThan(0.98);
            if (sameZeros == zeros) {
                assertThat(worst / scale).as(dense.name()).isLessThan(1e-3);
            }
        }
    }

    @Test
    void globalMagnitudeRanksAllChosenMatricesTogether() throws IOException {
        Pruner.Result result = prune(llama, PruneFixtures.magnitude(0.5, null, MagnitudePruning.Scope.GLOBAL));
        PruneStatistics stats = result.statistics();
        assertThat(stats.prunedNonZeros()).isEqualTo(stats.prunedParameters() - stats.prunedParameters() / 2);
        // Matrices with smaller weights (1/sqrt(in) initialisation: down_proj has the widest input) lose more.
        double down = stats.matrices().stream().filter(m -> m.name().endsWith("down_proj.weight"))
                .mapToDouble(PruneStatistics.Matrix::sparsity).average().orElseThrow();
        double q = stats.matrices().stream().filter(m -> m.name().endsWith("q_proj.weight"))
                .mapToDouble(PruneStatistics.Matrix::sparsity).average().orElseThrow();
        assertThat(down).isGreaterThan(q);
    }

    @Test
    void includeAndExcludePatternsChooseTheMatrices() throws IOException {
        PruneParameters.Wanda mlpOnly = new PruneParameters.Wanda(0.5, null, List.of("mlp"), List.of("layers\\.1\\."),
                PruneFixtures.calibration(4, 32), null, null, null, null);
        Pruner.Result result = prune(llama, mlpOnly);
        for (PruneStatistics.Matrix m : result.statistics().matrices()) {
            boolean chosen = m.name().contains(".mlp.") && m.block() != 1;
            assertThat(m.pruned()).as(m.name()).isEqualTo(chosen);
            assertThat(m.sparsity()).as(m.name()).isEqualTo(chosen ? 0.5 : 0.0);
        }
    }

    @Test
    void blockRemovalGivesTheOriginalModelWithThoseBlocksSkipped() throws IOException {
        Path deep = tmp.resolve("deep");
        TestModels.write(deep, Family.QWEN3, 11, TestModels.options().layers(5));
        Decoder original = DecoderLoader.load(deep, Progress.NONE);
        int[] tokens = {5, 17, 93, 200, 41, 8, 77, 3, 150};
        for (BlockScoring.Metric metric : BlockScoring.Metric.values()) {
            Pruner.Result result = prune(deep, new PruneParameters.BlockRemoval(2, metric, null, WINDOWS,
                    null));
            List<Integer> removed = result.statistics().blockScores().removed();
            assertThat(removed).hasSize(2);
            ModelConfig config = ModelConfig.load(result.model());
            assertThat(config.numHiddenLayers()).isEqualTo(3);
            Decoder smaller = DecoderLoader.load(result.model(), Progress.NONE);
            assertThat(smaller.logits(tokens)).as(metric.id()).containsExactly(original.withoutBlocks(removed).logits(tokens));
            assertThat(result.statistics().macsPerTokenDense()).isLessThan(result.statistics().sourceMacsPerToken());
            assertThat(result.statistics().blocks()).extracting(PruneStatistics.Block::source)
                    .doesNotContainAnyElementsOf(removed.stream().map(i -> "model.layers." + i).toList());
        }
    }

    @Test
    void blockScoresAreTheAngularDistancesOfTheCapturedHiddenStates() throws IOException {
        Path deep = tmp.resolve("deep4");
        TestModels.write(deep, Family.LLAMA, 13, TestModels.options().layers(4));
        Decoder decoder = DecoderLoader.load(deep, Progress.NONE);
        CalibrationWindows windows = CalibrationWindows.randomTokens(320, 3, 20, 5);
        for (BlockScoring.Tokens tokens : BlockScoring.Tokens.values()) {
            BlockScoring.Result result = BlockScoring.score(decoder, windows, 2, BlockScoring.Metric.ANGULAR_DISTANCE,
                    tokens, Progress.NONE);
            // Boundaries captured directly: the input of each block and the last block's output.
            double[] expected = new double[3];
            for (int[] window : windows.windows()) {
                List<float[]> boundaries = new ArrayList<>();
                decoder.forward(dev.whittle.engine.model.Batch.of(window), dev.whittle.engine.model.ForwardState.forInference(),
                        new dev.whittle.engine.model.ForwardHooks() {
                            @Override
                            public void blockInput(int block, float[] hidden, int rows, int dim) {
                                boundaries.add(java.util.Arrays.copyOf(hidden, rows * dim));
                            }

                            @Override
                            public void blockOutput(int block, float[] hidden, int rows, int dim) {
                                if (block == 3) {
                                    boundaries.add(java.util.Arrays.copyOf(hidden, rows * dim));
                                }
                            }
                        });
                int first = tokens == BlockScoring.Tokens.LAST ? window.length - 1 : 0;
                for (int l = 0; l < 3; l++) {
                    for (int t = first; t < window.length; t++) {
                        double dot = 0;
                        double a = 0;
                        double b = 0;
                        for (int d = 0; d < 64; d++) {
                            double u = boundaries.get(l)[t * 64 + d];
                            double v = boundaries.get(l + 2)[t * 64 + d];
                            dot += u * v;
                            a += u * u;
                            b += v * v;
                        }
                        expected[l] += Math.acos(dot / Math.sqrt(a * b)) / Math.PI / ((window.length - first) * 3.0);
                    }
                }
            }
            for (int l = 0; l < 3; l++) {
                assertThat(result.scores().get(l)).isCloseTo(expected[l], org.assertj.core.api.Assertions.within(1e-9));
            }
            int best = expected[0] <= expected[1] && expected[0] <= expected[2] ? 0 : expected[1] <= expected[2] ? 1 : 2;
            assertThat(result.removed()).containsExactly(best, best + 1);
        }
    }

    @Test
    void theOutputIsACompleteModelFolderInTheSourceDtype() throws IOException {
        Path bf16 = tmp.resolve("bf16");
        TestModels.write(bf16, Family.MISTRAL, 3, TestModels.options().dtype(DType.BF16).tied(true));
        Pruner.Result result = prune(bf16, PruneFixtures.wanda(0.5, null, WINDOWS));
        for (String file : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors")) {
            assertThat(result.model().resolve(file)).isRegularFile();
        }
        try (Checkpoint checkpoint = Checkpoint.open(result.model())) {
            assertThat(checkpoint.names()).allMatch(n -> checkpoint.info(n).dtype() == DType.BF16);
            assertThat(checkpoint.metadata()).containsEntry("whittle.prune.method", "wanda")
                    .containsEntry("whittle.prune.calibration", result.statistics().calibration().fingerprint());
        }
        var written = ModelConfig.load(result.model()).json();
        written.remove("quantization_config"); // the sparsity record; see the test below
        assertThat(written).isEqualTo(ModelConfig.load(bf16).json());
        Decoder decoder = DecoderLoader.load(result.model(), Progress.NONE);
        for (float v : decoder.logits(new int[] {1, 2, 3})) {
            assertThat(v).isFinite();
        }

        PruneParameters asF32 = new PruneParameters.Magnitude(0.5, null, null, null, null, PruneParameters.Dtype.FLOAT32);
        Path f32 = prune(bf16, asF32).model();
        assertThat(ModelConfig.load(f32).torchDtype()).isEqualTo("float32");
    }

    @Test
    void aPrunedModelsConfigRecordsItsSparsityAsCompressedTensorsDoes() throws IOException {
        PruneParameters method = new PruneParameters.Wanda(null, new NmSparsity(2, 4), null, List.of("down_proj"),
                WINDOWS, null, null, null, null);
        Pruner.Result result = prune(llama, method);
        var q = ModelConfig.load(result.model()).get("quantization_config");
        assertThat(q.get("quant_method").stringValue()).isEqualTo("compressed-tensors");
        var sparsity = q.get("sparsity_config");
        assertThat(sparsity.get("format").stringValue()).isEqualTo("dense");
        assertThat(sparsity.get("sparsity_structure").stringValue()).isEqualTo("2:4");
        assertThat(sparsity.get("targets").toString()).isEqualTo("[\"Linear\"]");
        assertThat(sparsity.get("ignore").toString()).isEqualTo("[\"model.layers.0.mlp.down_proj\","
                + "\"model.layers.1.mlp.down_proj\",\"model.layers.2.mlp.down_proj\",\"lm_head\"]");
        long zeros = 0;
        long total = 0;
        try (Checkpoint checkpoint = Checkpoint.open(result.model())) {
            for (String name : checkpoint.names()) {
                for (float v : checkpoint.floats(name)) {
                    zeros += v == 0 ? 1 : 0;
                    total++;
                }
            }
        }
        assertThat(sparsity.get("global_sparsity").asDouble()).isEqualTo((double) zeros / total);
    }

    @Test
    void statisticsCountTheOutputAndSerialiseToJson() throws IOException {
        Pruner.Result result = prune(llama, PruneFixtures.sparseGpt(null, new NmSparsity(2, 4), WINDOWS));
        PruneStatistics stats = result.statistics();
        Decoder source = DecoderLoader.load(llama, Progress.NONE);
        long linearWeights = source.linears().stream().mapToLong(l -> (long) l.out() * l.in()).sum();
        long head = (long) source.lmHead().out() * source.lmHead().in();
        assertThat(stats.parameters()).isEqualTo(source.parameterCount());
        assertThat(stats.prunedParameters()).isEqualTo(linearWeights);
        assertThat(stats.prunedNonZeros()).isEqualTo(linearWeights / 2);
        assertThat(stats.prunedSparsity()).isEqualTo(0.5);
        assertThat(stats.nonZeros()).isEqualTo(stats.parameters() - linearWeights / 2);
        assertThat(stats.sourceMacsPerToken()).isEqualTo(linearWeights + head);
        assertThat(stats.macsPerTokenDense()).isEqualTo(linearWeights + head);
        assertThat(stats.macsPerTokenEffective()).isEqualTo(linearWeights / 2 + head);
        assertThat(stats.blocks()).hasSize(3).allMatch(b -> b.sparsity() == 0.5);
        long onDisk;
        try (Stream<Path> files = Files.list(result.model())) {
            onDisk = files.mapToLong(f -> f.toFile().length()).sum();
        }
        assertThat(stats.fileBytes()).isEqualTo(onDisk);
        assertThat(stats.weightBytes()).isEqualTo(result.model().resolve("model.safetensors").toFile().length());
        assertThat(stats.calibration().samples()).isEqualTo(6);
        assertThat(stats.calibration().sequenceLength()).isEqualTo(40);
        assertThat(stats.calibration().fingerprint()).hasSize(64);

        JsonNode json = new JsonMapper().readTree(new JsonMapper().writeValueAsString(stats));
        assertThat(json.get("method").stringValue()).isEqualTo("sparsegpt");
        assertThat(json.get("settings").get("method").stringValue()).isEqualTo("sparsegpt");
        assertThat(json.get("settings").get("nm").stringValue()).isEqualTo("2:4");
        assertThat(json.get("settings").get("blockSize").intValue()).isEqualTo(128);
        assertThat(json.get("matrices").get(0).get("name").stringValue()).isEqualTo("model.layers.0.self_attn.q_proj.weight");
        assertThat(json.get("prunedSparsity").doubleValue()).isEqualTo(0.5);
        assertThat(json.get("calibration").get("fingerprint").stringValue()).isEqualTo(stats.calibration().fingerprint());

        PhaseTimes times = result.times();
        assertThat(times.forward()).isPositive();
        assertThat(times.statistics()).isPositive();
        assertThat(times.solve()).isPositive();
        assertThat(times.write()).isPositive();
    }

    @Test
    void progressGoesBlockByBlockAndACancelledRunLeavesNoModel() throws IOException {
        PruneFixtures.Recorder recorder = new PruneFixtures.Recorder();
        new Pruner(new CalibrationSampler()).prune(llama, tmp.resolve("watched"), PruneFixtures.wanda(0.5, null, WINDOWS),
                PruneFixtures.textSource(shared), recorder);
        assertThat(recorder.reports).containsSubsequence("prune 1/3", "prune 2/3", "prune 3/3");

        Path target = tmp.resolve("cancelled");
        Progress cancelAfterFirstBlock = new Progress() {
            boolean cancel;

            @Override
            public void report(String stage, long done, long total, String message) {
                cancel |= stage.equals("prune");
            }

            @Override
            public boolean cancelRequested() {
                return cancel;
            }
        };
        assertThatThrownBy(() -> new Pruner(new CalibrationSampler()).prune(llama, target,
                PruneFixtures.sparseGpt(0.5, null, WINDOWS), PruneFixtures.textSource(shared), cancelAfterFirstBlock))
                .isInstanceOf(Progress.Cancelled.class);
        assertThat(target).doesNotExist();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("cancelled"));
        }
    }

    @Test
    void blockRemovalChoosesTheBlocksOfTheScores() throws IOException {
        Decoder decoder = DecoderLoader.load(llama, Progress.NONE);
        BlockScoring.Result bi = BlockScoring.score(decoder, CalibrationWindows.randomTokens(320, 2, 16, 1), 2,
                BlockScoring.Metric.BLOCK_INFLUENCE, BlockScoring.Tokens.ALL, Progress.NONE);
        assertThat(bi.span()).isEqualTo(1);
        assertThat(bi.scores()).hasSize(3);
        List<Integer> byScore = new ArrayList<>(List.of(0, 1, 2));
        byScore.sort(java.util.Comparator.comparingDouble(bi.scores()::get));
        assertThat(bi.removed()).containsExactlyElementsOf(byScore.subList(0, 2).stream().sorted().toList());
        Set<Integer> unique = Set.copyOf(bi.removed());
        assertThat(unique).hasSize(2);
        for (DecoderBlock block : decoder.blocks()) {
            assertThat(block.name()).startsWith("model.layers.");
        }
    }
}
