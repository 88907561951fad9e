package dev.whittle.engine.prune;

import dev.whittle.engine.tensor.Parallel;

/**
 * The factor SparseGPT works with: the upper triangular {@code U} with {@code (H + damp I)^-1 = U^T U} (the official
 * code's {@code cholesky(cholesky_inverse(cholesky(H)), upper=True)}). Row {@code i} of {@code U}, divided by
 * {@code U_ii}, is the OBS update that pruning column {@code i} spreads over the columns after it.
 *
 * <p>Computed in double precision with one factorisation and one triangular inverse instead of three: with
 * {@code P} the reversal permutation and {@code L = chol(P H P)} (lower), {@code V = P L P} is upper with
 * {@code H = V V^T}, so {@code H^-1 = V^-T V^-1} and {@code U = V^-1 = P L^-1 P}.
 */
final class InverseCholesky {

    /** Columns per panel of the blocked factorisation, and rows per task of its trailing update. */
    private static final int PANEL = 64;
    /** Columns of the trailing update handled together, so the panel slice they read stays in cache. */
    private static final int TILE = 512;

    private InverseCholesky() {
    }

    /**
     * {@code U} (row-major {@code [n x n]}, zero below the diagonal) for the symmetric {@code h + damp I}, or null
     * when that matrix is not numerically positive definite. {@code h} is read, never written.
     */
    static float[] upperOfInverse(double[] h, int n, double damp) {
        double[] a = new double[h.length];
        for (int i = 0; i < n; i++) {
            int source = (n - 1 - i) * n + (n - 1);
            for (int j = 0; j <= i; j++) {
                a[i * n + j] = h[source - j];
            }
            a[i * n + i] += damp;
        }
        if (!choleskyLower(a, n)) {
            return null;
        }
        double[] inverse = invertLower(a, n);
        float[] u = new float[h.length];
        for (int i = 0; i < n; i++) {
            int ri = n - 1 - i;
            for (int j = i; j < n; j++) {
                u[i * n + j] = (float) inverse[ri * n + (n - 1 - j)];
            }
        }
        return u;
    }

    /**
     * Overwrites the lower triangle of {@code a} with {@code L}, {@code a = L L^T}, reading only the lower triangle
     * (right-looking, by panels of {@link #PANEL} columns). False when a pivot is not positive.
     */
    static boolean choleskyLower(double[] a, int n) {
        double[] panelT = new double[PANEL * n];
        for (int kb = 0; kb < n; kb += PANEL) {
            int e = Math.min(kb + PANEL, n);
            for (int c = kb; c < e; c++) {
                double s = a[c * n + c] - dot(a, c * n + kb, a, c * n + kb, c - kb);
                if (!(s > 0) || Double.isInfinite(s)) {
                    return false;
                }
                double pivot = Math.sqrt(s);
                a[c * n + c] = pivot;
                for (int i = c + 1; i < e; i++) {
                    a[i * n + c] = (a[i * n + c] - dot(a, i * n + kb, a, c * n + kb, c - kb)) / pivot;
                }
            }
            if (e == n) {
                break;
            }
            int start = kb;
            Parallel.forRange(n - e, (r0, r1) -> {
                for (int i = e + r0; i < e + r1; i++) {
                    for (int c = start; c < e; c++) {
                        a[i * n + c] = (a[i * n + c] - dot(a, i * n + start, a, c * n + start, c - start)) / a[c * n + c];
                    }
                }
            });
            int width = e - kb;
            for (int p = 0; p < width; p++) {
                for (int j = e; j < n; j++) {
                    panelT[p * n + j] = a[j * n + kb + p];
                }
            }
            int rowBlocks = (n - e + PANEL - 1) / PANEL;
            Parallel.forChunks(rowBlocks, 1, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    int i0 = e + b * PANEL;
                    int i1 = Math.min(i0 + PANEL, n);
                    for (int j0 = e; j0 < i1; j0 += TILE) {
                        for (int i = i0; i < i1; i++) {
                            int j1 = Math.min(j0 + TILE, i + 1);
                            if (j1 <= j0) {
                                continue;
                            }
                            int row = i * n;
                            for (int p = 0; p < width; p++) {
                                double f = a[row + start + p];
                                int pt = p * n;
                                for (int j = j0; j < j1; j++) {
                                    a[row + j] -= f * panelT[pt + j];
                                }
                            }
                        }
                    }
                }
            });
        }
        return true;
    }

    /**
     * {@code L^-1} of the lower triangle of {@code a} (row-major, zero above the diagonal). Columns are
     * independent ({@code L X = I} column by column), so bands of columns run in parallel, each by forward
     * substitution down the rows.
     */
    static double[] invertLower(double[] a, int n) {
        double[] x = new double[a.length];
        int bands = (n + PANEL - 1) / PANEL;
        Parallel.forChunks(bands, 1, (b0, b1) -> {
            double[] acc = new double[PANEL];
            for (int b = b0; b < b1; b++) {
                int c0 = b * PANEL;
                int c1 = Math.min(c0 + PANEL, n);
                for (int i = c0; i < n; i++) {
                    int end = Math.min(c1, i + 1);
                    int len = end - c0;
                    java.util.Arrays.fill(acc, 0, len, 0.0);
                    if (i < c1) {
                        acc[i - c0] = 1.0;
                    }
                    int row = i * n;
                    for (int k = c0; k < i; k++) {
                        double f = a[row + k];
                        int upTo = Math.min(end, k + 1) - c0;
                        int xk = k * n + c0;
                        for (int c = 0; c < upTo; c++) {
                            acc[c] -= f * x[xk + c];
                        }
                    }
                    double pivot = a[row + i];
                    for (int c = 0; c < len; c++) {
                        x[row + c0 + c] = acc[c] / pivot;
                    }
                }
            }
        });
        return x;
    }

    /** {@code sum x[xOff + i] * y[yOff + i]} over {@code len}, four partial sums for speed. */
    private static double dot(double[] x, int xOff, double[] y, int yOff, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += x[xOff + i] * y[yOff + i];
            s1 += x[xOff + i + 1] * y[yOff + i + 1];
            s2 += x[xOff + i + 2] * y[yOff + i + 2];
            s3 += x[xOff + i + 3] * y[yOff + i + 3];
        }
        for (; i < len; i++) {
            s0 += x[xOff + i] * y[yOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
