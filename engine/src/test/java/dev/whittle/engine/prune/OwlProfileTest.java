package dev.whittle.engine.prune;

import dev.whittle.engine.testing.DenseMath;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** OWL's layer-wise sparsity against a direct computation, and the target it keeps on average. */
class OwlProfileTest {

    @TempDir
    Path tmp;

    @Test
    void theOutlierRatioIsTheShareOfScoresAboveMTimesTheirMean() {
        // scores |w| x ||x||: 1, 2, 3, 10 (mean 4) and 0.5, 0.5 (their own matrix, but one mean for the block: 17/6)
        double ratio = OwlProfile.outlierRatio(List.of(new float[] {1, -2, 3, -10}, new float[] {0.25f, -0.25f}),
                List.of(new double[] {1, 1}, new double[] {2, 2}), 2);
        assertThat(ratio).isEqualTo(1 / 6.0); // only 10 > 2 x 17/6
    }

    @Test
    void sparsitiesSpanTwiceLambdaAroundTheTargetAndAverageToIt() {
        double[] s = OwlProfile.sparsities(new double[] {0.01, 0.03, 0.02, 0.05}, 0.7, 0.08);
        // scaled to [0, 0.16]: 0, 0.08, 0.04, 0.16 (mean 0.07); S = 0.7 - (d - 0.07): more outliers, less pruned
        assertThat(s[0]).isCloseTo(0.77, within(1e-12));
        assertThat(s[1]).isCloseTo(0.69, within(1e-12));
        assertThat(s[2]).isCloseTo(0.73, within(1e-12));
        assertThat(s[3]).isCloseTo(0.61, within(1e-12));
        assertThat(OwlProfile.sparsities(new double[] {0.02, 0.02}, 0.5, 0.08)).containsExactly(0.5, 0.5);
    }

    @Test
    void wandaWithOwlPrunesEachBlockAtItsDirectlyComputedTargetAndTheWholeAtTheTarget() throws IOException {
        Path model = tmp.resolve("llama");
        TestModels.write(model, Family.LLAMA, 7, TestModels.options().layers(4));
        Calibration calibration = PruneFixtures.calibration(6, 40);
        PruneParameters.Wanda owl = new PruneParameters.Wanda(0.7, null, null, null, calibration, null,
                OwlProfile.Profile.OWL, 3.0, 0.08);
        Pruner.Result result = new Pruner(new CalibrationSampler()).prune(model, tmp.resolve("out"), owl,
                PruneFixtures.textSource(tmp), Progress.NONE);

        // direct: the dense model's inputs to every linear, its Wanda scores, the share above 3 x the block's mean
        Decoder dense = DecoderLoader.load(model, Progress.NONE);
        CalibrationWindows windows;
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            windows = new CalibrationSampler().sample(tokenizer, PruneFixtures.textSource(tmp), calibration, 512);
        }
        double[] ratios = new double[dense.blocks().size()];
        for (int b = 0; b < ratios.length; b++) {
            DecoderBlock block = dense.blocks().get(b);
            double sum = 0;
            long count = 0;
            List<double[]> scores = new java.util.ArrayList<>();
            for (Linear linear : block.linears()) {
                float[] x = PruneFixtures.capturedInputs(dense, windows, linear.name());
                double[][] gram = DenseMath.gram(x, x.length / linear.in(), linear.in());
                double[] s = new double[linear.weight().length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = Math.abs(linear.weight()[i]) * Math.sqrt(gram[i % linear.in()][i % linear.in()]);
                    sum += s[i];
                }
                count += s.length;
                scores.add(s);
            }
            double threshold = 3 * sum / count;
            long outliers = scores.stream().flatMapToDouble(java.util.Arrays::stream).filter(v -> v > threshold).count();
            ratios[b] = (double) outliers / count;
        }
        double min = java.util.Arrays.stream(ratios).min().orElseThrow();
        double max = java.util.Arrays.stream(ratios).max().orElseThrow();
        assertThat(max).as("the blocks' outlier ratios differ").isGreaterThan(min);
        double[] scaled = java.util.Arrays.stream(ratios).map(r -> (r - min) / (max - min) * 0.16).toArray();
        double mean = java.util.Arrays.stream(scaled).average().orElseThrow();

        List<PruneStatistics.Block> blocks = result.statistics().blocks();
        double targetSum = 0;
        try (Checkpoint checkpoint = Checkpoint.open(result.model())) {
            for (int b = 0; b < blocks.size(); b++) {
                double expected = 0.7 - (scaled[b] - mean);
                assertThat(blocks.get(b).target()).as("block " + b).isCloseTo(expected, within(1e-6));
                targetSum += blocks.get(b).target();
                for (Linear linear : dense.blocks().get(b).linears()) {
                    float[] w = checkpoint.floats(linear.name() + ".weight");
                    long zeros = 0;
                    for (float v : w) {
                        zeros += v == 0 ? 1 : 0;
                    }
                    // Wanda prunes floor(in x s) of every row
                    assertThat(zeros).as(linear.name()).isEqualTo(
                            (long) linear.out() * (long) Math.floor(linear.in() * blocks.get(b).target()));
                }
            }
        }
        assertThat(targetSum / blocks.size()).isCloseTo(0.7, within(1e-12));
        assertThat(result.statistics().prunedSparsity()).isCloseTo(0.7, within(0.01));
    }
}
