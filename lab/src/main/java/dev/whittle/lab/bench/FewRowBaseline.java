package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few-row product {@code C = A B^T} (B stored {@code [n x k]}, a linear layer while decoding) as engine.tensor.Gemm
 * computed it before its register-blocked kernel (issue 15): tiles of four rows of A by four rows of B, which spill
 * on AVX2's sixteen registers. Kept only as the decode benchmark's baseline, measured in the same run as the engine's.
 */
final class FewRowBaseline {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private FewRowBaseline() {
    }

    /** {@code c[m x n] = a[m x k] . b[n x k]^T}, all rows contiguous. */
    static void multiply(int m, int n, int k, float[] a, float[] b, float[] c) {
        int chunk = Math.max(4, (n / (4 * Parallel.threads()) + 3) / 4 * 4);
        Parallel.forChunks(n, chunk, (j0, j1) -> {
            float[] lanes = new float[16 * L];
            for (int j = j0; j < j1; j += 4) {
                for (int i = 0; i < m; i += 4) {
                    if (i + 1 == m && j + 4 <= j1) {
                        dot4(k, a, i * k, b, j * k, k, c, i * n + j, false, lanes);
                        continue;
                    }
                    dotTile(k, a, i * k, k, Math.min(4, m - i), b, j * k, k, Math.min(4, j1 - j), c, i * n + j, n,
                            false, lanes);
                }
            }
        });
    }

    private static void dotTile(int k, float[] a, int aBase, int lda, int rows, float[] b, int bBase, int ldb,
                                int cols, float[] c, int cBase, int ldc, boolean accumulate, float[] lanes) {
        int a0 = aBase, a1 = aBase + Math.min(1, rows - 1) * lda, a2 = aBase + Math.min(2, rows - 1) * lda, a3 = aBase + Math.min(3, rows - 1) * lda;
        int b0 = bBase, b1 = bBase + Math.min(1, cols - 1) * ldb, b2 = bBase + Math.min(2, cols - 1) * ldb, b3 = bBase + Math.min(3, cols - 1) * ldb;
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00, s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s02 = x0.fma(y2, s02);
            s03 = x0.fma(y3, s03);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
            s12 = x1.fma(y2, s12);
            s13 = x1.fma(y3, s13);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            s20 = x2.fma(y0, s20);
            s21 = x2.fma(y1, s21);
            s22 = x2.fma(y2, s22);
            s23 = x2.fma(y3, s23);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
            s30 = x3.fma(y0, s30);
            s31 = x3.fma(y1, s31);
            s32 = x3.fma(y2, s32);
            s33 = x3.fma(y3, s33);
        }
        // Lane sums in lane order through memory: the same bits whether or not C2 compiled this (reduceLanes differs).
        s00.intoArray(lanes, 0 * L);
        s01.intoArray(lanes, 1 * L);
        s02.intoArray(lanes, 2 * L);
        s03.intoArray(lanes, 3 * L);
        s10.intoArray(lanes, 4 * L);
        s11.intoArray(lanes, 5 * L);
        s12.intoArray(lanes, 6 * L);
        s13.intoArray(lanes, 7 * L);
        s20.intoArray(lanes, 8 * L);
        s21.intoArray(lanes, 9 * L);
        s22.intoArray(lanes, 10 * L);
        s23.intoArray(lanes, 11 * L);
        s30.intoArray(lanes, 12 * L);
        s31.intoArray(lanes, 13 * L);
        s32.intoArray(lanes, 14 * L);
        s33.intoArray(lanes, 15 * L);
        float[] d = new float[16];
        for (int e = 0; e < 16; e++) {
            float sum = 0;
            for (int l = e * L, end = l + L; l < end; l++) {
                sum += lanes[l];
            }
            d[e] = sum;
        }
        int[] as = {a0, a1, a2, a3};
        int[] bs = {b0, b1, b2, b3};
        for (; p < k; p++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    d[i * 4 + j] += a[as[i] + p] * b[bs[j] + p];
                }
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int ci = cBase + i * ldc + j;
                float dij = d[i * 4 + j];
                c[ci] = accumulate ? c[ci] + dij : dij;
            }
        }
    }

    /** c[0..4) (+)= x . B_q for the four consecutive rows q of B starting at {@code bBase}. */
    private static void dot4(int k, float[] x, int xBase, float[] b, int bBase, int ldb, float[] c, int ci,
                             boolean accumulate, float[] lanes) {
        int b0 = bBase, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xBase + p);
            s0 = FloatVector.fromArray(S, b, b0 + p).fma(xv, s0);
            s1 = FloatVector.fromArray(S, b, b1 + p).fma(xv, s1);
            s2 = FloatVector.fromArray(S, b, b2 + p).fma(xv, s2);
            s3 = FloatVector.fromArray(S, b, b3 + p).fma(xv, s3);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L);
        s2.intoArray(lanes, 2 * L);
        s3.intoArray(lanes, 3 * L);
        float d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (int l = 0; l < L; l++) { // lane order, as in dotTile
            d0 += lanes[l];
            d1 += lanes[L + l];
            d2 += lanes[2 * L + l];
            d3 += lanes[3 * L + l];
        }
        for (; p < k; p++) {
            float xp = x[xBase + p];
            d0 += xp * b[b0 + p];
            d1 += xp * b[b1 + p];
            d2 += xp * b[b2 + p];
            d3 += xp * b[b3 + p];
        }
        if (accumulate) {
            d0 += c[ci];
            d1 += c[ci + 1];
            d2 += c[ci + 2];
            d3 += c[ci + 3];
        }
        c[ci] = d0;
        c[ci + 1] = d1;
        c[ci + 2] = d2;
        c[ci + 3] = d3;
    }
}
