package dev.whittle.engine.testing;

import java.util.SplittableRandom;

/** Plain double-precision linear algebra for checking the pruning and quantization code: textbook algorithms, no shortcuts. */
public final class DenseMath {

    private DenseMath() {
    }

    /** The inverse of the square matrix {@code a} ({@code n x n}) by Gauss-Jordan elimination with partial pivoting. */
    public static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            double p = m[c][c];
            for (int j = 0; j < 2 * n; j++) {
                m[c][j] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != c && m[r][c] != 0) {
                    double f = m[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], n, inv[i], 0, n);
        }
        return inv;
    }

    /** The square submatrix of {@code a} on rows and columns {@code [from, n)}. */
    public static double[][] trailing(double[][] a, int from) {
        int n = a.length - from;
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[from + i], from, s[i], 0, n);
        }
        return s;
    }

    /** {@code X^T X} of {@code x [tokens x cols]} stored row-major, in double. */
    public static double[][] gram(float[] x, int tokens, int cols) {
        double[][] h = new double[cols][cols];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                double xi = x[t * cols + i];
                for (int j = 0; j < cols; j++) {
                    h[i][j] += xi * x[t * cols + j];
                }
            }
        }
        return h;
    }

    /** Tokens with correlated features: gaussian rows mixed by a random matrix, and per-feature scales. */
    public static float[] correlatedInputs(int tokens, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] mix = new double[cols][cols];
        double[] scale = new double[cols];
        for (int i = 0; i < cols; i++) {
            scale[i] = Math.exp(random.nextGaussian());
            for (int j = 0; j < cols; j++) {
                mix[i][j] = (i == j ? 1 : 0) + 0.4 * random.nextGaussian();
            }
        }
        float[] x = new float[tokens * cols];
        double[] z = new double[cols];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                z[i] = random.nextGaussian();
            }
            for (int j = 0; j < cols; j++) {
                double v = 0;
                for (int i = 0; i < cols; i++) {
                    v += z[i] * mix[i][j];
                }
                x[t * cols + j] = (float) (v * scale[j]);
            }
        }
        return x;
    }

    public static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) random.nextGaussian();
        }
        return w;
    }

    public static float[] flatFloats(double[][] a) {
        int n = a.length;
        int m = a[0].length;
        float[] f = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                f[i * m + j] = (float) a[i][j];
            }
        }
        return f;
    }
}
