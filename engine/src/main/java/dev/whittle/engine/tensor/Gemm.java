package dev.whittle.engine.tensor;

/**
 * Single-precision matrix product on row-major {@code float[]} with offsets and leading dimensions:
 * {@code C[m x n] = op(A)[m x k] . op(B)[k x n]}, plus the old C when {@code accumulate}.
 */
public final class Gemm {

    private Gemm() {
    }

    /**
     * @param transA A is stored {@code [k x m]} (row stride lda) instead of {@code [m x k]}
     * @param transB B is stored {@code [n x k]} (row stride ldb) instead of {@code [k x n]}; a linear layer
     *               {@code y = x W^T} with W {@code [out x in]} is {@code gemm(false, true, T, out, in, x, 0, in,
     *               w, 0, in, y, 0, out, false)}
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        Parallel.forRange(m, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        sum += av * bv;
                    }
                    int ci = cOff + i * ldc + j;
                    c[ci] = accumulate ? c[ci] + sum : sum;
                }
            }
        });
    }
}
