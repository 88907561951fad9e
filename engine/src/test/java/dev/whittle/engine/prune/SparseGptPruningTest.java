package dev.whittle.engine.prune;

import dev.whittle.engine.testing.DenseMath;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * SparseGPT against the algorithm of the paper written out naively in double precision: for each column j in
 * order, the inverse of the damped Hessian restricted to columns {@code j..n-1} computed by Gauss-Jordan, and a
 * pruned weight's OBS update {@code w_F -= w_j / [H_F^-1]_jj * [H_F^-1]_j,:} applied at once to every later
 * column (no Cholesky trick, no lazy batches).
 */
class SparseGptPruningTest {

    /** The naive algorithm: rows of {@code H_F^-1} (F = {j..n-1}) for every j, computed directly. */
    private static double[][] inverseRows(double[][] h, double damp) {
        int n = h.length;
        double[][] damped = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                damped[i][j] = h[i][j] + (i == j ? damp : 0);
            }
        }
        double[][] rows = new double[n][];
        for (int j = 0; j < n; j++) {
            rows[j] = DenseMath.inverse(DenseMath.trailing(damped, j))[0];
        }
        return rows;
    }

    /**
     * Applies the naive OBS updates to {@code w} with the mask given by the zeros of {@code pruned}, checking on the
     * way that each selection the engine made (per block for unstructured, per group for N:M) took the lowest
     * naive scores {@code w_j^2 / [H_F^-1]_jj} of the weights as they stood when it was made.
     */
    private static double[] naive(float[] original, float[] pruned, int rows, int cols, double[][] inverseRows,
                                  int blockSize, NmSparsity nm) {
        double[] w = new double[original.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = original[i];
        }
        for (int i1 = 0; i1 < cols; i1 += blockSize) {
            int i2 = Math.min(i1 + blockSize, cols);
            if (nm == null) {
                assertLowestChosen(w, pruned, rows, cols, inverseRows, i1, i2, 0, rows);
            }
            for (int r = 0; r < rows; r++) {
                for (int j = i1; j < i2; j++) {
                    if (nm != null && j % nm.m() == 0) {
                        assertLowestChosen(w, pruned, rows, cols, inverseRows, j, j + nm.m(), r, r + 1);
                    }
                    if (pruned[r * cols + j] == 0) {
                        double err = w[r * cols + j] / inverseRows[j][0];
                        for (int c = j; c < cols; c++) {
                            w[r * cols + c] -= err * inverseRows[j][c - j];
                        }
                        w[r * cols + j] = 0;
                    }
                }
            }
        }
        return w;
    }

    /** Every weight chosen in rows [r0, r1) x columns [c0, c1) has a naive score no larger than any kept one. */
    private static void assertLowestChosen(double[] w, float[] pruned, int rows, int cols, double[][] inverseRows,
                                           int c0, int c1, int r0, int r1) {
        double largestPruned = 0;
        double smallestKept = Double.MAX_VALUE;
        for (int r = r0; r < r1; r++) {
            for (int j = c0; j < c1; j++) {
                double score = w[r * cols + j] * w[r * cols + j] / inverseRows[j][0];
                if (pruned[r * cols + j] == 0) {
                    largestPruned = Math.max(largestPruned, score);
                } else {
                    smallestKept = Math.min(smallestKept, score);
                }
            }
        }
        assertThat(largestPruned).isLessThanOrEqualTo(smallestKept * (1 + 1e-3) + 1e-12);
    }

    private static double relativeDifference(float[] actual, double[] expected) {
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        return worst / scale;
    }

    private static double trace(double[][] h) {
        double t = 0;
        for (int i = 0; i < h.length; i++) {
            t += h[i][i];
        }
        return t;
    }

    @Test
    void unstructuredPruningMatchesTheNaiveAlgorithmAcrossSeveralBlocks() {
        int rows = 9;
        int cols = 40;
        int tokens = 120;
        float[] x = DenseMath.correlatedInputs(tokens, cols, 11);
        double[][] h = DenseMath.gram(x, tokens, cols);
        float[] original = DenseMath.gaussian(rows * cols, 12);
        float[] w = original.clone();
        SparseGptPruning.prune(w, rows, cols, DenseMath.flatFloats(h), 0.5, null, 16, 0.01);

        // Exactly floor(rows * width * sparsity) per block of 16 columns: 72 + 72 + 36.
        for (int i1 = 0; i1 < cols; i1 += 16) {
            int zeros = 0;
            for (int r = 0; r < rows; r++) {
                for (int j = i1; j < Math.min(i1 + 16, cols); j++) {
                    zeros += w[r * cols + j] == 0 ? 1 : 0;
                }
            }
            assertThat(zeros).isEqualTo((int) Math.floor(rows * Math.min(16, cols - i1) * 0.5));
        }
        double[] expected = naive(original, w, rows, cols, inverseRows(h, 0.01 * trace(h) / cols), 16, null);
        assertThat(relativeDifference(w, expected)).isLessThan(1e-4);
    }

    @Test
    void nmPruningMatchesTheNaiveAlgorithmAndEveryGroupHasExactlyNZeros() {
        int rows = 6;
        int cols = 24;
        int tokens = 80;
        NmSparsity nm = new NmSparsity(2, 4);
        float[] x = DenseMath.correlatedInputs(tokens, cols, 21);
        double[][] h = DenseMath.gram(x, tokens, cols);
        float[] original = DenseMath.gaussian(rows * cols, 22);
        float[] w = original.clone();
        // A block of 10 columns becomes 8 so that no group of 4 straddles two blocks.
        SparseGptPruning.prune(w, rows, cols, DenseMath.flatFloats(h), 0, nm, 10, 0.01);
        NmChecks.assertNm(w, rows, cols, nm);
        double[] expected = naive(original, w, rows, cols, inverseRows(h, 0.01 * trace(h) / cols), 8, nm);
        assertThat(relativeDifference(w, expected)).isLessThan(1e-4);
    }

    @Test
    void whenThePrunedWeightsComeFirstTheUpdateIsTheLeastSquaresResolveOfTheKeptWeights() {
        // Sequential OBS is exact when every pruned column precedes every kept one: the kept weights then minimise
        // ||(W - W') X|| under W'_P = 0, i.e. W'_K = W_K + W_P H_PK H_KK^-1 (H damped as SparseGPT damps it).
        int rows = 5;
        int cols = 12;
        int pruned = 4;
        float[] x = DenseMath.correlatedInputs(60, cols, 31);
        double[][] h = DenseMath.gram(x, 60, cols);
        float[] w = DenseMath.gaussian(rows * cols, 32);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < pruned; j++) {
                w[r * cols + j] *= 1e-3f; // so these are the lowest scores and the mask takes them
            }
        }
        float[] original = w.clone();
        SparseGptPruning.prune(w, rows, cols, DenseMath.flatFloats(h), (double) pruned / cols, null, 128, 0.01);

        double damp = 0.01 * trace(h) / cols;
        int kept = cols - pruned;
        double[][] hkk = new double[kept][kept];
        for (int i = 0; i < kept; i++) {
            for (int j = 0; j < kept; j++) {
                hkk[i][j] = h[pruned + i][pruned + j] + (i == j ? damp : 0);
            }
        }
        double[][] hkkInverse = DenseMath.inverse(hkk);
        double[] expected = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double[] hkpWp = new double[kept];
            for (int i = 0; i < kept; i++) {
                for (int p = 0; p < pruned; p++) {
                    hkpWp[i] += h[pruned + i][p] * original[r * cols + p];
                }
            }
            for (int i = 0; i < kept; i++) {
                double delta = 0;
                for (int k = 0; k < kept; k++) {
                    delta += hkkInverse[i][k] * hkpWp[k];
                }
                expected[r * cols + pruned + i] = original[r * cols + pruned + i] + delta;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < pruned; j++) {
                assertThat(w[r * cols + j]).isZero();
            }
        }
        assertThat(relativeDifference(w, expected)).isLessThan(1e-4);
    }

    @Test
    void sparsityZeroLeavesTheWeightsBitIdentical() {
        float[] x = DenseMath.correlatedInputs(50, 20, 41);
        float[] original = DenseMath.gaussian(7 * 20, 42);
        float[] w = original.clone();
        SparseGptPruning.prune(w, 7, 20, DenseMath.flatFloats(DenseMath.gram(x, 50, 20)), 0.0, null, 8, 0.01);
        assertThat(w).containsExactly(original);
    }

    @Test
    void deadInputsAreZeroedAndDoNotBreakTheFactorisation() {
        int cols = 10;
        float[] x = DenseMath.correlatedInputs(40, cols, 51);
        for (int t = 0; t < 40; t++) {
            x[t * cols + 3] = 0; // input 3 is never active
        }
        float[] w = DenseMath.gaussian(4 * cols, 52);
        SparseGptPruning.Factor factor = SparseGptPruning.factor(DenseMath.flatFloats(DenseMath.gram(x, 40, cols)), cols, 0.01);
        assertThat(factor.deadInputs()).isEqualTo(1);
        SparseGptPruning.prune(w, 4, cols, factor, 0.0, null, 128);
        for (int r = 0; r < 4; r++) {
            assertThat(w[r * cols + 3]).isZero();
        }
    }

    @Test
    void aHessianThatIsNotPositiveDefiniteIsRetriedWithTenfoldDampening() {
        // H = Q diag(1, ..., 1, -0.05) Q^T: 0.01 x mean(diag) does not lift the negative eigenvalue, 0.1 x does.
        int n = 8;
        double[][] q = orthogonal(n, 61);
        double[] eigenvalues = {1, 1, 1, 1, 1, 1, 1, -0.05};
        float[] h = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += q[i][k] * eigenvalues[k] * q[j][k];
                }
                h[i * n + j] = (float) v;
            }
        }
        SparseGptPruning.Factor factor = SparseGptPruning.factor(h, n, 0.01);
        assertThat(factor.retries()).isEqualTo(1);
        assertThat(factor.dampening()).isCloseTo(0.1, within(1e-12));

        float[] negative = new float[n * n];
        for (int i = 0; i < n; i++) {
            negative[i * n + i] = -1;
        }
        assertThatThrownBy(() -> SparseGptPruning.factor(negative, n, 0.01))
                .isInstanceOf(SparseGptPruning.FactorisationException.class)
                .hasMessageContaining("not positive definite");
    }

    private static double[][] orthogonal(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] q = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextGaussian();
            }
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += v[i] * q[i][p];
                }
                for (int i = 0; i < n; i++) {
                    v[i] -= dot * q[i][p];
                }
            }
            double norm = 0;
            for (double vi : v) {
                norm += vi * vi;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                q[i][c] = v[i] / norm;
            }
        }
        return q;
    }
}
