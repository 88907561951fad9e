package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention, blocked in the flash-attention manner: each block of query rows walks the key
 * blocks with an online softmax (running max and sum), so a long prompt never materialises a {@code T x T} score
 * matrix per head. One sequence per call; a batch of sequences is the caller's loop.
 */
public final class Attention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Query rows per work item. */
    static final int QUERY_BLOCK = 16;
    /** Keys per step of the online softmax; a whole number of vectors. */
    static final int KEY_BLOCK = 4 * L;

    private Attention() {
    }

    /**
     * {@code out = softmax(q k^T / sqrt(headDim) + causal mask) v} per head.
     *
     * @param T        new query rows; row i sits at absolute position {@code past + i} and sees keys
     *                 {@code 0 .. past + i}
     * @param past     cached positions before the new rows
     * @param q        {@code [T x nHeads*headDim]} from {@code qOff}
     * @param k        {@code [past+T x nKvHeads*headDim]} from {@code kOff}: cached rows first, then the new ones
     * @param v        laid out as k
     * @param out      {@code [T x nHeads*headDim]} from {@code outOff}
     * @param lse      nullable; receives {@code log(sum(exp(scores)))} of row i, head h at {@code i * nHeads + h}
     *                 (natural log, scaled scores) for the backward pass
     */
    public static void causal(int T, int past, int nHeads, int nKvHeads, int headDim,
                              float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                              float[] out, int outOff, float[] lse) {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if (T < 0 || past < 0 || headDim <= 0) {
            throw new IllegalArgumentException("bad attention shape: T=" + T + " past=" + past + " headDim=" + headDim);
        }
        int qBlocks = (T + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Geometry g = new Geometry(T, past, nHeads, nKvHeads, headDim, (float) (1.0 / Math.sqrt(headDim)));
        // Later query blocks see more keys, so items are claimed one at a time to balance the threads.
        Parallel.forChunks(nHeads * qBlocks, 1, (i0, i1) -> {
            Block block = new Block(headDim);
            for (int item = i0; item < i1; item++) {
                int h = item % nHeads;
                int qb = item / nHeads;
                block.run(g, h, qb * QUERY_BLOCK, Math.min(T, (qb + 1) * QUERY_BLOCK),
                        q, qOff, k, kOff, v, vOff, out, outOff, lse);
            }
        });
    }

    private record Geometry(int T, int past, int nHeads, int nKvHeads, int headDim, float scale) {
        int qStride() {
            return nHeads * headDim;
        }

        int kvStride() {
            return nKvHeads * headDim;
        }
    }

    /** Scratch for one block of query rows of one head: scores, running max/sum and the output accumulator. */
    private static final class Block {
        final int headDim;
        final float[] kt;      // [headDim x KEY_BLOCK]: the key block transposed, so scores are broadcast FMAs
        final float[] scores;  // [QUERY_BLOCK x KEY_BLOCK]
        final float[] acc;     // [QUERY_BLOCK x headDim]
        final float[] max = new float[QUERY_BLOCK];
        final float[] sum = new float[QUERY_BLOCK];

        Block(int headDim) {
            this.headDim = headDim;
            this.kt = new float[headDim * KEY_BLOCK];
            this.scores = new float[QUERY_BLOCK * KEY_BLOCK];
            this.acc = new float[QUERY_BLOCK * headDim];
        }

        void run(Geometry g, int h, int r0, int r1, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                 float[] out, int outOff, float[] lse) {
            int rows = r1 - r0;
            int kvHead = h / (g.nHeads() / g.nKvHeads());
            int kvStride = g.kvStride();
            java.util.Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(sum, 0, rows, 0f);
            java.util.Arrays.fill(acc, 0, rows * headDim, 0f);
            int keyEnd = g.past() + r1; // exclusive: the last row sees keys up to past + r1 - 1
            for (int j0 = 0; j0 < keyEnd; j0 += KEY_BLOCK) {
                int keys = Math.min(KEY_BLOCK, keyEnd - j0);
                transposeKeys(k, kOff + j0 * kvStride + kvHead * headDim, kvStride, keys);
                for (int r = 0; r < rows; r++) {
                    int visible = Math.min(keys, g.past() + r0 + r + 1 - j0);
                    if (visible <= 0) {
                        continue;
                    }
                    scoreRow(q, qOff + (r0 + r) * g.qStride() + h * headDim, g.scale(), r);
                    accumulateRow(r, visible, v, vOff + j0 * kvStride + kvHead * headDim, kvStride);
                }
            }
            for (int r = 0; r < rows; r++) {
                float inv = 1f / sum[r];
                int o = outOff + (r0 + r) * g.qStride() + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    out[o + d] = acc[r * headDim + d] * inv;
                }
                if (lse != null) {
                    lse[(r0 + r) * g.nHeads() + h] = max[r] + (float) Math.log(sum[r]);
                }
            }
        }

        private void transposeKeys(float[] k, int base, int stride, int keys) {
            for (int j = 0; j < keys; j++) {
                int row = base + j * stride;
                for (int d = 0; d < headDim; d++) {
                    kt[d * KEY_BLOCK + j] = k[row + d];
                }
            }
            for (int j = keys; j < KEY_BLOCK; j++) { // unused columns: finite, so they cannot poison anything
                for (int d = 0; d < headDim; d++) {
                    kt[d * KEY_BLOCK + j] = 0f;
                }
            }
        }

        /** scores[r][0..KEY_BLOCK) = scale * q_r . k_j. */
        private void scoreRow(float[] q, int qi, float scale, int r) {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (int d = 0; d < headDim; d++) {
                FloatVector qd = FloatVector.broadcast(S, q[qi + d] * scale);
                int t = d * KEY_BLOCK;
                s0 = FloatVector.fromArray(S, kt, t).fma(qd, s0);
                s1 = FloatVector.fromArray(S, kt, t + L).fma(qd, s1);
                s2 = FloatVector.fromArray(S, kt, t + 2 * L).fma(qd, s2);
                s3 = FloatVector.fromArray(S, kt, t + 3 * L).fma(qd, s3);
            }
            int o = r * KEY_BLOCK;
            s0.intoArray(scores, o);
            s1.intoArray(scores, o + L);
            s2.intoArray(scores, o + 2 * L);
            s3.intoArray(scores, o + 3 * L);
        }

        /** Online softmax step for row r over its first {@code visible} scores, then acc_r += p . V. */
        private void accumulateRow(int r, int visible, float[] v, int vBase, int vStride) {
            int o = r * KEY_BLOCK;
            float blockMax = Ops.max(scores, o, visible);
            float newMax = Math.max(max[r], blockMax);
            float correction = (float) Math.exp(max[r] - newMax);
            max[r] = newMax;
            sum[r] = sum[r] * correction + Ops.expShiftInPlace(scores, o, visible, newMax);
            int a = r * headDim;
            int d = 0;
            for (int bound = S.loopBound(headDim); d < bound; d += L) {
                FloatVector sumV = FloatVector.fromArray(S, acc, a + d).mul(correction);
                for (int j = 0; j < visible; j++) {
                    sumV = FloatVector.fromArray(S, v, vBase + j * vStride + d).fma(FloatVector.broadcast(S, scores[o + j]), sumV);
                }
                sumV.intoArray(acc, a + d);
            }
            for (; d < headDim; d++) {
                float s = acc[a + d] * correction;
                for (int j = 0; j < visible; j++) {
                    s += scores[o + j] * v[vBase + j * vStride + d];
                }
                acc[a + d] = s;
            }
        }
    }
}
