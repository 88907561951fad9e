package dev.whittle.engine.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static org.assertj.core.api.Assertions.assertThat;

class LowRankAdapterTest {

    /** y = x W^T + (alpha / r) (x A^T) B^T in double. */
    static double[] reference(int rows, int in, int out, int r, double alpha, double[] x, double[] w, double[] a,
                              double[] b) {
        double[] y = new double[rows * out];
        for (int row = 0; row < rows; row++) {
            double[] u = new double[r];
            for (int k = 0; k < r; k++) {
                for (int i = 0; i < in; i++) {
                    u[k] += x[row * in + i] * a[k * in + i];
                }
            }
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += x[row * in + i] * w[o * in + i];
                }
                for (int k = 0; k < r; k++) {
                    s += alpha / r * u[k] * b[o * r + k];
                }
                y[row * out + o] = s;
            }
        }
        return y;
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2} r={3}")
    @CsvSource({"1,5,3,1", "7,12,9,4", "3,33,17,8"})
    void forwardAndTheGradientsOfInputAAndBMatchFiniteDifferencesWithTheBaseFrozen(int rows, int in, int out, int r) {
        Random random = new Random(rows + 10L * in + 100L * r);
        double alpha = 16;
        float[] x = random(random, rows * in, 1);
        float[] w = random(random, out * in, 0.5);
        float[] a = random(random, r * in, 0.5);
        float[] b = random(random, out * r, 0.5);
        float[] dy = random(random, rows * out, 1);
        LowRankAdapter adapter = new LowRankAdapter(r, in, out, a, b, alpha, 0, 1);
        Linear layer = new Linear("model.layers.0.self_attn.q_proj", out, in, w, null).withAdapter(adapter);
        float[] wBefore = w.clone();

        float[] y = new float[rows * out];
        layer.forward(rows, x, 0, y, 0, ForwardHooks.NONE);
        float[] dx = new float[rows * in];
        float[] dA = new float[a.length];
        float[] dB = new float[b.length];
        layer.backward(rows, x, 0, dy, 0, dx, 0, false, null, null);
        adapter.backward(x, 0, dy, 0, dx, 0, dA, dB);

        double[] X = toDouble(x), W = toDouble(w), A = toDouble(a), B = toDouble(b), R = toDouble(dy);
        assertForward("y", y, reference(rows, in, out, r, alpha, X, W, A, B));
        assertGradient("dX", dx, gradient(X, () -> project(R, reference(rows, in, out, r, alpha, X, W, A, B))));
        assertGradient("dA", dA, gradient(A, () -> project(R, reference(rows, in, out, r, alpha, X, W, A, B))));
        assertGradient("dB", dB, gradient(B, () -> project(R, reference(rows, in, out, r, alpha, X, W, A, B))));
        assertThat(w).containsExactly(wBefore);
    }

    @Test
    void withDropoutTheGradientsFollowTheMaskTheForwardDrew() {
        Random random = new Random(12);
        int rows = 6, in = 20, out = 7, r = 3;
        double alpha = 6, p = 0.3;
        float[] x = random(random, rows * in, 1);
        float[] w = random(random, out * in, 0.5);
        float[] a = random(random, r * in, 0.5);
        float[] b = random(random, out * r, 0.5);
        float[] dy = random(random, rows * out, 1);
        LowRankAdapter adapter = new LowRankAdapter(r, in, out, a, b, alpha, p, 9);
        adapter.training(true);
        float[] y = new float[rows * out];
        new Linear("l", out, in, w, null).withAdapter(adapter).forward(rows, x, 0, y, 0, ForwardHooks.NONE);
        boolean[] kept = adapter.keptInputs();
        float[] dx = new float[rows * in];
        float[] dA = new float[a.length];
        float[] dB = new float[b.length];
        adapter.backward(x, 0, dy, 0, dx, 0, dA, dB);

        // The reference: base on x, adapter on x * mask / (1 - p); dX of the adapter part only (the base's is
        // Linear's own backward, not run here).
        double[] X = toDouble(x), W = toDouble(w), A = toDouble(a), B = toDouble(b), R = toDouble(dy);
        double[] zeroW = new double[W.length];
        java.util.function.Function<double[], double[]> dropped = xs -> {
            double[] d = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                d[i] = kept[i] ? xs[i] / (1 - p) : 0;
            }
            return d;
        };
        double[] expectedY = reference(rows, in, out, r, alpha, dropped.apply(X), zeroW, A, B);
        double[] baseY = reference(rows, in, out, r, alpha, X, W, new double[A.length], B);
        for (int i = 0; i < expectedY.length; i++) {
            expectedY[i] += baseY[i];
        }
        assertForward("y", y, expectedY);
        assertGradient("dX", dx, gradient(X, () -> project(R, reference(rows, in, out, r, alpha, dropped.apply(X), zeroW, A, B))));
        assertGradient("dA", dA, gradient(A, () -> project(R, reference(rows, in, out, r, alpha, dropped.apply(X), zeroW, A, B))));
        assertGradient("dB", dB, gradient(B, () -> project(R, reference(rows, in, out, r, alpha, dropped.apply(X), zeroW, A, B))));
        int dropCount = 0;
        for (boolean k : kept) {
            dropCount += k ? 0 : 1;
        }
        assertThat(dropCount).isBetween(1, kept.length - 1);
    }

    @Test
    void theMergedWeightComputesWhatTheAdapterAdds() {
        Random random = new Random(4);
        int rows = 5, in = 11, out = 7, r = 3;
        float[] x = random(random, rows * in, 1);
        float[] w = random(random, out * in, 0.5);
        LowRankAdapter adapter = new LowRankAdapter(r, in, out, random(random, r * in, 0.5),
                random(random, out * r, 0.5), 6, 0.1, 1);
        float[] adapted = new float[rows * out];
        new Linear("l", out, in, w, null).withAdapter(adapter).forward(rows, x, 0, adapted, 0, ForwardHooks.NONE);
        float[] merged = new float[rows * out];
        new Linear("l", out, in, adapter.mergedInto(w), null).forward(rows, x, 0, merged, 0, ForwardHooks.NONE);
        assertForward("merged", merged, toDouble(adapted));
    }

    @Test
    void dropoutActsOnlyWhileTrainingAndDrawsTheSameMaskForTheSameInput() {
        Random random = new Random(8);
        int rows = 4, in = 64, out = 5, r = 2;
        float[] x = random(random, rows * in, 1);
        LowRankAdapter adapter = new LowRankAdapter(r, in, out, random(random, r * in, 0.5),
                random(random, out * r, 0.5), 4, 0.5, 3);
        float[] inference = new float[rows * out];
        adapter.forward(rows, x, 0, inference, 0);
        adapter.training(true);
        float[] first = new float[rows * out];
        adapter.forward(rows, x, 0, first, 0);
        float[] second = new float[rows * out];
        adapter.forward(rows, x, 0, second, 0);
        assertThat(second).containsExactly(first);
        assertThat(first).isNotEqualTo(inference);
    }
}
