package dev.whittle.engine.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;

class RmsNormTest {

    static final float EPS = 1e-5f;

    static double[] reference(int rows, int dim, double[] x, double[] w) {
        double[] y = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += x[r * dim + i] * x[r * dim + i];
            }
            double inv = 1 / Math.sqrt(ss / dim + EPS);
            for (int i = 0; i < dim; i++) {
                y[r * dim + i] = x[r * dim + i] * inv * w[i];
            }
        }
        return y;
    }

    @ParameterizedTest(name = "rows={0} dim={1}")
    @CsvSource({"1,1", "1,17", "5,8", "37,67", "3,130"})
    void gradientsOfInputAndWeightMatchFiniteDifferences(int rows, int dim) {
        Random random = new Random(rows * 100 + dim);
        float[] x = random(random, rows * dim, 2);
        float[] w = random(random, dim, 1.5);
        float[] dy = random(random, rows * dim, 1);
        float[] y = new float[rows * dim];
        float[] invRms = new float[rows];
        RmsNorm.forward(rows, dim, x, 0, w, EPS, y, 0, invRms, 0);

        float[] dx = new float[rows * dim];
        float[] dw = new float[dim];
        RmsNorm.backward(rows, dim, x, 0, w, invRms, 0, dy, 0, dx, 0, false, dw);

        double[] X = toDouble(x);
        double[] W = toDouble(w);
        double[] R = toDouble(dy);
        assertForward("y", y, reference(rows, dim, X, W));
        assertGradient("dX", dx, gradient(X, () -> project(R, reference(rows, dim, X, W))));
        assertGradient("dW", dw, gradient(W, () -> project(R, reference(rows, dim, X, W))));

        // Accumulating onto a residual gradient adds exactly the same dX, and dX may overwrite dY.
        float[] dResidual = dy.clone();
        RmsNorm.backward(rows, dim, x, 0, w, invRms, 0, dy, 0, dResidual, 0, true, null);
        double[] sum = new double[rows * dim];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = (double) dy[i] + dx[i];
        }
        assertForward("dResidual + dX", dResidual, sum);
        float[] inPlace = dy.clone();
        RmsNorm.backward(rows, dim, x, 0, w, invRms, 0, inPlace, 0, inPlace, 0, false, null);
        assertForward("dX in place", inPlace, toDouble(dx));
    }
}
