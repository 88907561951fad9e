package dev.whittle.engine.prune;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class WandaPruningTest {

    @Test
    void eachRowLosesExactlyItsShareOfTheLowestWeightTimesInputNorm() {
        SplittableRandom random = new SplittableRandom(5);
        int rows = 11;
        int cols = 37;
        float[] original = new float[rows * cols];
        for (int i = 0; i < original.length; i++) {
            original[i] = (float) random.nextGaussian();
        }
        double[] norms = new double[cols];
        for (int j = 0; j < cols; j++) {
            norms[j] = Math.exp(2 * random.nextGaussian());
        }
        float[] w = original.clone();
        WandaPruning.prune(w, rows, cols, norms, 0.4, null);
        int k = (int) Math.floor(cols * 0.4);
        for (int r = 0; r < rows; r++) {
            int zeros = 0;
            double largestPruned = 0;
            double smallestKept = Double.MAX_VALUE;
            for (int j = 0; j < cols; j++) {
                double score = Math.abs(original[r * cols + j]) * norms[j];
                if (w[r * cols + j] == 0) {
                    zeros++;
                    largestPruned = Math.max(largestPruned, score);
                } else {
                    smallestKept = Math.min(smallestKept, score);
                }
            }
            assertThat(zeros).isEqualTo(k);
            assertThat(largestPruned).isLessThanOrEqualTo(smallestKept * (1 + 1e-6));
        }
    }

    @Test
    void nmKeepsTheLargestScoresOfEachGroup() {
        SplittableRandom random = new SplittableRandom(6);
        int rows = 4;
        int cols = 16;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        double[] norms = new double[cols];
        for (int j = 0; j < cols; j++) {
            norms[j] = j % 4 == 3 ? 1000 : 1; // the last input of each group is an outlier feature
        }
        WandaPruning.prune(w, rows, cols, norms, 0, new NmSparsity(2, 4));
        NmChecks.assertNm(w, rows, cols, new NmSparsity(2, 4));
        for (int r = 0; r < rows; r++) {
            for (int j = 3; j < cols; j += 4) {
                assertThat(w[r * cols + j]).isNotZero();
            }
        }
    }
}
