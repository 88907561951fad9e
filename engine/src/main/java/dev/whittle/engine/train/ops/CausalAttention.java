package dev.whittle.engine.train.ops;

import dev.whittle.engine.tensor.Attention;
import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

import java.util.Arrays;

/**
 * Causal grouped-query self-attention over sequences stacked row after row ({@code lengths[s]} rows each, every
 * sequence starting at position 0): {@code out = softmax(q k^T / sqrt(d) + mask) v} per head, query head h
 * reading kv head {@code h / (nHeads / nKvHeads)}. Layouts: q and out {@code [rows x nHeads*d]}, k and v
 * {@code [rows x nKvHeads*d]}, lse {@code [rows x nHeads]}.
 * <p>
 * The backward is flash-attention-2's: the forward saves only the log-sum-exp of each row's scores, and the
 * backward recomputes the probabilities tile by tile ({@value #BLOCK} queries x {@value #BLOCK} keys), so memory
 * stays {@code O(T)} per head instead of {@code O(T^2)}. One work item is one (sequence, kv head): it owns the
 * dK and dV rows of that head and the dQ columns of the query heads reading it, so items never write the same
 * value and need no atomics or reductions (and the result does not depend on the thread count).
 */
public final class CausalAttention {

    /** Query rows and keys per tile. */
    static final int BLOCK = 64;

    private CausalAttention() {
    }

    /** The lengths of {@code batch} sequences of {@code T} rows each. */
    public static int[] uniform(int batch, int T) {
        int[] lengths = new int[batch];
        java.util.Arrays.fill(lengths, T);
        return lengths;
    }

    /** Attention of every sequence; {@code lse} receives each row's log-sum-exp of scaled scores per head. */
    public static void forward(int[] lengths, int nHeads, int nKvHeads, int headDim,
                               float[] q, float[] k, float[] v, float[] out, float[] lse) {
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int row = 0;
        for (int T : lengths) {
            float[] sequenceLse = new float[T * nHeads];
            Attention.causal(T, 0, nHeads, nKvHeads, headDim, q, row * qStride, k, row * kvStride, v, row * kvStride,
                    out, row * qStride, sequenceLse);
            System.arraycopy(sequenceLse, 0, lse, row * nHeads, T * nHeads);
            row += T;
        }
    }

    /**
     * From dOut and the forward's q, k, v, out and lse, writes dq, dk and dv (overwriting them). With
     * {@code P = exp(q k^T * scale - lse)} and {@code D = rowsum(dOut * out)}:
     * {@code dV = P^T dOut}, {@code dS = P * (dOut v^T - D)}, {@code dQ = scale dS k}, {@code dK = scale dS^T q}.
     */
    public static void backward(int[] lengths, int nHeads, int nKvHeads, int headDim,
                                float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dOut,
                                float[] dq, float[] dk, float[] dv) {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        int[] starts = new int[lengths.length];
        int longest = 0;
        for (int s = 1; s < lengths.length; s++) {
            starts[s] = starts[s - 1] + lengths[s - 1];
        }
        for (int T : lengths) {
            longest = Math.max(longest, T);
        }
        int maxT = longest;
        Parallel.forChunks(lengths.length * nKvHeads, 1, (i0, i1) -> {
            Tiles tiles = new Tiles(maxT, nHeads, nKvHeads, headDim);
            for (int item = i0; item < i1; item++) {
                int s = item / nKvHeads;
                tiles.run(starts[s], lengths[s], item % nKvHeads, q, k, v, out, lse, dOut, dq, dk, dv);
            }
        });
    }

    /** One worker's scratch: a probability tile, a gradient tile, and D for the heads of one group. */
    private static final class Tiles {
        final int nHeads;
        final int headDim;
        final int group;
        final int qStride;
        final int kvStride;
        final float scale;
        final float[] p = new float[BLOCK * BLOCK];
        final float[] dS = new float[BLOCK * BLOCK];
        final float[] rowD;

        Tiles(int maxT, int nHeads, int nKvHeads, int headDim) {
            this.nHeads = nHeads;
            this.headDim = headDim;
            this.group = nHeads / nKvHeads;
            this.qStride = nHeads * headDim;
            this.kvStride = nKvHeads * headDim;
            this.scale = (float) (1.0 / Math.sqrt(headDim));
            this.rowD = new float[maxT * group];
        }

        void run(int firstRow, int T, int kvh, float[] q, float[] k, float[] v, float[] out, float[] lse,
                 float[] dOut, float[] dq, float[] dk, float[] dv) {
            int kvCol = kvh * headDim;
            for (int i = 0; i < T; i++) {
                int kvRow = (firstRow + i) * kvStride + kvCol;
                Arrays.fill(dk, kvRow, kvRow + headDim, 0f);
                Arrays.fill(dv, kvRow, kvRow + headDim, 0f);
                for (int g = 0; g < group; g++) {
                    int qi = (firstRow + i) * qStride + (kvh * group + g) * headDim;
                    Arrays.fill(dq, qi, qi + headDim, 0f);
                    rowD[i * group + g] = Ops.dot(headDim, dOut, qi, out, qi);
                }
            }
            for (int j0 = 0; j0 < T; j0 += BLOCK) {
                int keys = Math.min(BLOCK, T - j0);
                int kvTile = (firstRow + j0) * kvStride + kvCol;
                for (int g = 0; g < group; g++) {
                    int h = kvh * group + g;
                    // Query blocks before the key block see none of its keys.
                    for (int i0 = j0 / BLOCK * BLOCK; i0 < T; i0 += BLOCK) {
                        int rows = Math.min(BLOCK, T - i0);
                        int qTile = (firstRow + i0) * qStride + h * headDim;
                        tile(rows, keys, i0, j0, g, h, firstRow, q, qTile, k, v, kvTile, lse, dOut, dq, dk, dv);
                    }
                }
            }
        }
        private void tile(int rows, int keys, int i0, int j0, int g, int h, int firstRow, float[] q, int qTile,
                          float[] k, float[] v, int kvTile, float[] lse, float[] dOut,
                          float[] dq, float[] dk, float[] dv) {
            // P = exp(scale q k^T - lse), zero above the diagonal.
            Gemm.gemm(false, true, rows, keys, headDim, q, qTile, qStride, k, kvTile, kvStride, p, 0, BLOCK, false);
            // dP = dOut v^T, turned into scale * dS in place.
            Gemm.gemm(false, true, rows, keys, headDim, dOut, qTile, qStride, v, kvTile, kvStride, dS, 0, BLOCK, false);
            for (int r = 0; r < rows; r++) {
                int pos = i0 + r;
                int visible = Math.clamp(pos - j0 + 1, 0, keys);
                float rowLse = lse[(firstRow + pos) * nHeads + h];
                float d = rowD[pos * group + g];
                int t = r * BLOCK;
                for (int c = 0; c < visible; c++) {
                    float prob = (float) Math.exp(p[t + c] * scale - rowLse);
                    p[t + c] = prob;
                    dS[t + c] = prob * (dS[t + c] - d) * scale;
                }
                Arrays.fill(p, t + visible, t + keys, 0f);
                Arrays.fill(dS, t + visible, t + keys, 0f);
            }
            Gemm.gemm(true, false, keys, headDim, rows, p, 0, BLOCK, dOut, qTile, qStride, dv, kvTile, kvStride, true);
            Gemm.gemm(true, false, keys, headDim, rows, dS, 0, BLOCK, q, qTile, qStride, dk, kvTile, kvStride, true);
            Gemm.gemm(false, false, rows, headDim, keys, dS, 0, BLOCK, k, kvTile, kvStride, dq, qTile, qStride, true);
        }
    }
}
