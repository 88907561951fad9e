package dev.whittle.engine.prune;

import dev.whittle.engine.testing.DenseMath;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InverseCholeskyTest {

    @Test
    void theFactorIsUpperTriangularAndItsGramIsTheInverseOfTheDampedHessian() {
        for (int n : new int[] {1, 2, 5, 63, 64, 65, 127, 128, 129, 200, 300}) {
            float[] x = DenseMath.correlatedInputs(n + 20, n, n);
            double[][] h = DenseMath.gram(x, n + 20, n);
            double damp = 0.01 * trace(h) / n;
            float[] stored = DenseMath.flatFloats(h);
            float[] u = InverseCholesky.upperOfInverse(stored, n, damp);
            assertThat(u).as("n = %d", n).isNotNull();
            // U upper with a positive diagonal, and U^T U (H + damp I) = I.
            double worst = 0;
            for (int i = 0; i < n; i++) {
                assertThat(u[i * n + i]).isPositive();
                for (int j = 0; j < i; j++) {
                    assertThat(u[i * n + j]).isZero();
                }
            }
            double[][] utu = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    for (int l = 0; l <= Math.min(i, k); l++) {
                        utu[i][k] += (double) u[l * n + i] * u[l * n + k];
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int k = 0; k < n; k++) {
                        sum += utu[i][k] * (stored[k * n + j] + (k == j ? damp : 0));
                    }
                    worst = Math.max(worst, Math.abs(sum - (i == j ? 1 : 0)));
                }
            }
            assertThat(worst).as("n = %d", n).isLessThan(2e-4);
        }
    }

    @Test
    void aMatrixThatIsNotPositiveDefiniteHasNoFactor() {
        float[] h = {1, 2, 2, 1}; // eigenvalues 3 and -1
        assertThat(InverseCholesky.upperOfInverse(h, 2, 0.01)).isNull();
        assertThat(InverseCholesky.upperOfInverse(h, 2, 1.5)).isNotNull();
    }

    private static double trace(double[][] h) {
        double t = 0;
        for (int i = 0; i < h.length; i++) {
            t += h[i][i];
        }
        return t;
    }
}
