package dev.whittle.engine.prune;

import dev.whittle.engine.tensor.Gemm;

/**
 * The factor SparseGPT works with: the upper triangular {@code U} with {@code (H + damp I)^-1 = U^T U} (the official
 * code's {@code cholesky(cholesky_inverse(cholesky(H)), upper=True)}). Row {@code i} of {@code U}, divided by
 * {@code U_ii}, is the OBS update that pruning column {@code i} spreads over the columns after it.
 *
 * <p>One factorisation and one triangular inverse instead of the official three steps: with {@code P} the reversal
 * permutation and {@code L = chol(P H P)} (lower), {@code V = P L P} is upper with {@code H = V V^T}, so
 * {@code H^-1 = V^-T V^-1} and {@code U = V^-1 = P L^-1 P}. Both are blocked so that their O(n^3) work is fp32
 * matrix products ({@link Gemm}), as the official code runs in fp32; the {@value #BLOCK} x {@value #BLOCK} diagonal
 * blocks are factorised and inverted in double precision.
 */
final class InverseCholesky {

    /** Columns per block: the diagonal blocks done in double, the rest in products of this depth. */
    static final int BLOCK = 128;

    private InverseCholesky() {
    }

    /**
     * {@code U} (row-major {@code [n x n]}, zero below the diagonal) for the symmetric {@code h + damp I}, or null
     * when that matrix is not numerically positive definite. {@code h} is read, never written.
     */
    static float[] upperOfInverse(float[] h, int n, double damp) {
        float[] a = new float[Math.multiplyExact(n, n)];
        for (int i = 0; i < n; i++) {
            int source = (n - 1 - i) * n + (n - 1);
            for (int j = 0; j <= i; j++) {
                a[i * n + j] = h[source - j];
            }
            a[i * n + i] = (float) ((double) h[source - i] + damp);
        }
        if (!choleskyLower(a, n)) {
            return null;
        }
        float[] inverse = invertLower(a, n);
        float[] u = a;
        java.util.Arrays.fill(u, 0f);
        for (int i = 0; i < n; i++) {
            int ri = n - 1 - i;
            for (int j = i; j < n; j++) {
                u[i * n + j] = inverse[ri * n + (n - 1 - j)];
            }
        }
        return u;
    }

    /**
     * Overwrites the lower triangle of {@code a} with {@code L}, {@code a = L L^T}, reading only the lower triangle
     * (right-looking by blocks: diagonal block in double, panel {@code L21 = A21 L11^-T}, trailing
     * {@code A22 -= L21 L21^T}). False when a pivot is not positive; the upper triangle is left as garbage.
     */
    static boolean choleskyLower(float[] a, int n) {
        for (int kb = 0; kb < n; kb += BLOCK) {
            int e = Math.min(kb + BLOCK, n);
            int w = e - kb;
            double[] diagonal = new double[w * w];
            for (int i = 0; i < w; i++) {
                for (int j = 0; j <= i; j++) {
                    diagonal[i * w + j] = a[(kb + i) * n + kb + j];
                }
            }
            if (!choleskyInPlace(diagonal, w)) {
                return false;
            }
            for (int i = 0; i < w; i++) {
                for (int j = 0; j < w; j++) {
                    a[(kb + i) * n + kb + j] = j <= i ? (float) diagonal[i * w + j] : 0f;
                }
            }
            int rest = n - e;
            if (rest == 0) {
                break;
            }
            float[] inverseT = toFloat(transpose(invertLowerInPlace(diagonal, w), w));
            float[] panel = new float[rest * w];
            // L21 = A21 (L11^-1)^T: A21 is rows e.. of columns kb..e.
            Gemm.gemm(false, false, rest, w, w, a, e * n + kb, n, inverseT, 0, w, panel, 0, w, false);
            float[] negated = new float[panel.length];
            for (int i = 0; i < rest; i++) {
                for (int j = 0; j < w; j++) {
                    float v = panel[i * w + j];
                    a[(e + i) * n + kb + j] = v;
                    negated[i * w + j] = -v;
                }
            }
            Gemm.gemm(false, true, rest, rest, w, negated, 0, w, panel, 0, w, a, e * n + e, n, true);
        }
        return true;
    }

    /**
     * {@code L^-1} of the lower triangle of {@code a} (row-major, zero above the diagonal), by block rows: the
     * diagonal block {@code X_II = L_II^-1} in double, then {@code X_I,<I = -X_II (L_I,<I X_<I,<I)}.
     */
    static float[] invertLower(float[] a, int n) {
        float[] x = new float[a.length];
        for (int ib = 0; ib < n; ib += BLOCK) {
            int e = Math.min(ib + BLOCK, n);
            int w = e - ib;
            double[] diagonal = new double[w * w];
            for (int i = 0; i < w; i++) {
                for (int j = 0; j <= i; j++) {
                    diagonal[i * w + j] = a[(ib + i) * n + ib + j];
                }
            }
            float[] inverse = toFloat(invertLowerInPlace(diagonal, w));
            for (int i = 0; i < w; i++) {
                System.arraycopy(inverse, i * w, x, (ib + i) * n + ib, w);
            }
            if (ib == 0) {
                continue;
            }
            // T = L[I, 0:ib] X[0:ib, 0:ib], then X[I, 0:ib] = -X_II T.
            float[] t = new float[w * ib];
            Gemm.gemm(false, false, w, ib, ib, a, ib * n, n, x, 0, n, t, 0, ib, false);
            for (int i = 0; i < inverse.length; i++) {
                inverse[i] = -inverse[i];
            }
            Gemm.gemm(false, false, w, ib, w, inverse, 0, w, t, 0, ib, x, ib * n, n, false);
        }
        return x;
    }

    /** Unblocked Cholesky of the lower triangle of {@code m} ({@code [w x w]}, double) in place; false if not positive definite. */
    private static boolean choleskyInPlace(double[] m, int w) {
        for (int c = 0; c < w; c++) {
            double s = m[c * w + c];
            for (int p = 0; p < c; p++) {
                s -= m[c * w + p] * m[c * w + p];
            }
            if (!(s > 0) || Double.isInfinite(s)) {
                return false;
            }
            double pivot = Math.sqrt(s);
            m[c * w + c] = pivot;
            for (int i = c + 1; i < w; i++) {
                double v = m[i * w + c];
                for (int p = 0; p < c; p++) {
                    v -= m[i * w + p] * m[c * w + p];
                }
                m[i * w + c] = v / pivot;
            }
        }
        return true;
    }

    /** The inverse of the lower triangle of {@code m} ({@code [w x w]}), by forward substitution row by row. */
    private static double[] invertLowerInPlace(double[] m, int w) {
        double[] x = new double[w * w];
        for (int i = 0; i < w; i++) {
            x[i * w + i] = 1 / m[i * w + i];
            for (int j = 0; j < i; j++) {
                double s = 0;
                for (int k = j; k < i; k++) {
                    s += m[i * w + k] * x[k * w + j];
                }
                x[i * w + j] = -s / m[i * w + i];
            }
        }
        return x;
    }

    private static double[] transpose(double[] m, int w) {
        double[] t = new double[m.length];
        for (int i = 0; i < w; i++) {
            for (int j = 0; j < w; j++) {
                t[j * w + i] = m[i * w + j];
            }
        }
        return t;
    }

    private static float[] toFloat(double[] m) {
        float[] f = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            f[i] = (float) m[i];
        }
        return f;
    }
}
