package dev.whittle.engine.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import dev.whittle.engine.tensor.Gemm;
import org.junit.jupiter.api.Test;

class InputStatisticsTest {

    /** Widths below, at and past the block of the lower triangle, one with a short last block. */
    private static final int[] WIDTHS = {5, 40, InputStatistics.Gram.BLOCK, 150, 200};

    @Test
    void theGramOfTwoSequencesIsTwiceTheirMeanXtXAsAScalarSumGivesIt() {
        for (int cols : WIDTHS) {
            float[][] sequences = {random(37, cols, 1), random(20, cols, 2)};
            InputStatistics.Gram gram = new InputStatistics.Gram(cols);
            for (float[] x : sequences) {
                gram.add(x, 0, x.length / cols, cols);
            }
            float[] h = gram.hessian();
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < cols; j++) {
                    double expected = 0;
                    for (float[] x : sequences) {
                        for (int t = 0; t < x.length / cols; t++) {
                            expected += (double) x[t * cols + i] * x[t * cols + j];
                        }
                    }
                    assertThat((double) h[i * cols + j]).as("cols %d (%d, %d)", cols, i, j)
                            .isCloseTo(2 * expected / sequences.length, within(1e-3 * (1 + Math.abs(expected))));
                    assertThat(h[i * cols + j]).as("symmetric").isEqualTo(h[j * cols + i]);
                }
            }
        }
    }

    @Test
    void theLowerTriangleAloneGivesTheBitsOfTheWholeProduct() {
        for (int cols : WIDTHS) {
            float[] x = random(300, cols, 3);
            InputStatistics.Gram gram = new InputStatistics.Gram(cols);
            gram.add(x, 0, 300, cols);
            float[] whole = new float[cols * cols];
            Gemm.gemm(true, false, cols, cols, 300, x, 0, cols, x, 0, cols, whole, 0, cols, false);
            float[] h = gram.hessian(); // scaled by 2 / 1: exact in binary
            for (int e = 0; e < whole.length; e++) {
                assertThat(h[e]).as("cols %d element %d", cols, e).isEqualTo(2 * whole[e]);
            }
        }
    }

    private static float[] random(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
