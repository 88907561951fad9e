package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Attention;
import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

import java.util.Arrays;

/**
 * Causal grouped-query self-attention, {@code out = softmax(q k^T / sqrt(d) + mask) v} per head, query head h
 * reading kv head {@code h / (nHeads / nKvHeads)}: the forward {@link SelfAttention} runs, and its backward over
 * sequences stacked row after row ({@code lengths[s]} rows each, every one starting at position 0, as training
 * runs them). Layouts: q and out {@code [rows x nHeads*d]}, k and v {@code [rows x nKvHeads*d]}, lse
 * {@code [rows x nHeads]}.
 * <p>
 * The backward follows flash-attention-2: the forward saves only the log-sum-exp of each row's scores, and the
 * backward recomputes the probabilities {@code P = exp(scale q k^T - lse)} a block of {@value #QUERY_BLOCK} query
 * rows at a time against the keys those rows can see, so the scratch is {@code QUERY_BLOCK x T} per thread
 * (linear in T), never a {@code T x T} matrix. Each block is five matrix products on the {@link Gemm} kernel (keys
 * and values transposed once per head so every product takes Gemm's packed path). One work item is one
 * (sequence, kv head): it owns the dK and dV rows of that head and the dQ columns of the query heads reading it,
 * so items never write the same value and need no atomics or reductions (and the result does not depend on the
 * thread count).
 */
public final class CausalAttention {

    /** Query rows per block of the backward. */
    static final int QUERY_BLOCK = 64;

    private CausalAttention() {
    }

    /**
     * One sequence's attention as {@link SelfAttention} runs it: {@code T} query rows at positions
     * {@code [past, past+T)} against the {@code past + T} key and value rows they can see (a cache's, or the
     * sequence's own when nothing is cached). {@code lse} receives the {@code [T x nHeads]} log-sum-exps the backward
     * needs, or is null when no backward follows.
     */
    public static void forward(int T, int past, int nHeads, int nKvHeads, int headDim, float[] q, int qOff,
                               float[] k, int kOff, float[] v, int vOff, float[] out, int outOff, float[] lse) {
        Attention.causal(T, past, nHeads, nKvHeads, headDim, q, qOff, k, kOff, v, vOff, out, outOff, lse);
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

    /** One worker's scratch: transposed keys and values, a probability block, a gradient block, and D. */
    private static final class Tiles {
        final int nHeads;
        final int headDim;
        final int group;
        final int qStride;
        final int kvStride;
        final int maxT;
        final float scale;
        final float[] kT;
        final float[] vT;
        final float[] p;
        final float[] dS;
        final float[] rowD;

        Tiles(int maxT, int nHeads, int nKvHeads, int headDim) {
            this.nHeads = nHeads;
            this.headDim = headDim;
            this.group = nHeads / nKvHeads;
            this.qStride = nHeads * headDim;
            this.kvStride = nKvHeads * headDim;
            this.maxT = maxT;
            this.scale = (float) (1.0 / Math.sqrt(headDim));
            this.kT = new float[headDim * maxT];
            this.vT = new float[headDim * maxT];
            this.p = new float[QUERY_BLOCK * maxT];
            this.dS = new float[QUERY_BLOCK * maxT];
            this.rowD = new float[maxT];
        }

        void run(int firstRow, int T, int kvh, float[] q, float[] k, float[] v, float[] out, float[] lse,
                 float[] dOut, float[] dq, float[] dk, float[] dv) {
            int kvBase = firstRow * kvStride + kvh * headDim;
            for (int j = 0; j < T; j++) {
                int row = kvBase + j * kvStride;
                Arrays.fill(dk, row, row + headDim, 0f);
                Arrays.fill(dv, row, row + headDim, 0f);
                for (int d = 0; d < headDim; d++) {
                    kT[d * maxT + j] = k[row + d];
                    vT[d * maxT + j] = v[row + d];
                }
            }
            for (int g = 0; g < group; g++) {
                int h = kvh * group + g;
                int qBase = firstRow * qStride + h * headDim;
                for (int i = 0; i < T; i++) {
                    rowD[i] = Ops.dot(headDim, dOut, qBase + i * qStride, out, qBase + i * qStride);
                }
                for (int i0 = 0; i0 < T; i0 += QUERY_BLOCK) {
                    block(i0, Math.min(QUERY_BLOCK, T - i0), firstRow, h, qBase, kvBase, q, k, lse, dOut, dq, dk, dv);
                }
            }
        }

        /** Query rows {@code [i0, i0+rows)} of head h against keys {@code [0, i0+rows)}, the ones they can see. */
        private void block(int i0, int rows, int firstRow, int h, int qBase, int kvBase, float[] q, float[] k,
                           float[] lse, float[] dOut, float[] dq, float[] dk, float[] dv) {
            int keys = i0 + rows;
            int qBlock = qBase + i0 * qStride;
            // P = q k^T, then exp(scale P - lse) on and below the diagonal, 0 above.
            Gemm.gemm(false, false, rows, keys, headDim, q, qBlock, qStride, kT, 0, maxT, p, 0, keys, false);
            // dS = dOut v^T, then scale P (dS - D).
            Gemm.gemm(false, false, rows, keys, headDim, dOut, qBlock, qStride, vT, 0, maxT, dS, 0, keys, false);
            for (int r = 0; r < rows; r++) {
                int pos = i0 + r;
                int visible = pos + 1;
                int t = r * keys;
                Ops.scale(visible, scale, p, t);
                Ops.expShiftInPlace(p, t, visible, lse[(firstRow + pos) * nHeads + h]);
                float d = rowD[pos];
                for (int c = 0; c < visible; c++) {
                    dS[t + c] = p[t + c] * (dS[t + c] - d) * scale;
                }
                Arrays.fill(p, t + visible, t + keys, 0f);
                Arrays.fill(dS, t + visible, t + keys, 0f);
            }
            Gemm.gemm(true, false, keys, headDim, rows, p, 0, keys, dOut, qBlock, qStride, dv, kvBase, kvStride, true);
            Gemm.gemm(true, false, keys, headDim, rows, dS, 0, keys, q, qBlock, qStride, dk, kvBase, kvStride, true);
            Gemm.gemm(false, false, rows, headDim, keys, dS, 0, keys, k, kvBase, kvStride, dq, qBlock, qStride, false);
        }
    }
}
