package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Rope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;

class RotaryEmbeddingTest {

    static float[] invFreq(int headDim, double theta) {
        float[] f = new float[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (1 / Math.pow(theta, 2.0 * i / headDim));
        }
        return f;
    }

    /** rotate_half per head: element i pairs with i + d/2; sequences of T rows each start at position 0. */
    static double[] reference(int batch, int T, int nHeads, int headDim, float[] invFreq, double[] x) {
        int half = headDim / 2;
        double[] y = new double[x.length];
        for (int row = 0; row < batch * T; row++) {
            int pos = row % T;
            for (int h = 0; h < nHeads; h++) {
                int base = (row * nHeads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double angle = pos * (double) invFreq[i];
                    double x1 = x[base + i];
                    double x2 = x[base + i + half];
                    y[base + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                    y[base + i + half] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "batch={0} T={1} heads={2} headDim={3}")
    @CsvSource({"1,1,1,2", "2,5,3,6", "1,9,2,34", "3,4,1,16"})
    void gradientMatchesFiniteDifferences(int batch, int T, int nHeads, int headDim) {
        Random random = new Random(batch + 10L * T + 100L * headDim);
        float[] freq = invFreq(headDim, 10000);
        // The tables SelfAttention rotates with, and DecoderBackward rotates back with.
        Rope rope = new RotaryEmbedding(freq).covering(T);
        float[] x = random(random, batch * T * nHeads * headDim, 1);
        float[] dy = random(random, x.length, 1);
        double[] X = toDouble(x);
        double[] R = toDouble(dy);

        float[] y = x.clone();
        float[] dx = dy.clone();
        for (int b = 0; b < batch; b++) {
            rope.apply(y, b * T * nHeads * headDim, T, nHeads, headDim, 0);
            rope.applyInverse(dx, b * T * nHeads * headDim, T, nHeads, headDim, 0);
        }

        assertForward("rotated", y, reference(batch, T, nHeads, headDim, freq, X));
        assertGradient("dX", dx, gradient(X, () -> project(R, reference(batch, T, nHeads, headDim, freq, X))));
    }
}
