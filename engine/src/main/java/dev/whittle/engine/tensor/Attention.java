package dev.whittle.engine.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention, blocked in the flash-attention manner: a block of query rows walks the key
 * blocks with an online softmax (running max and sum), so a long prompt never materialises a {@code T x T} score
 * matrix per head. One sequence per call; a batch of sequences is the caller's loop.
 * <p>
 * A work item is one kv head and one block of query positions, taking the rows of every query head that shares
 * that kv head: each key block is transposed once (so scores are broadcast FMAs, not reductions) and serves all
 * of them. Items are spread over {@link Parallel}.
 */
public final class Attention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Query positions per work item. */
    static final int QUERY_BLOCK = 32;
    /** Keys per step of the online softmax: four vectors, the width of the score micro-kernel. */
    static final int KEY_BLOCK = 4 * L;

    private Attention() {
    }

    /**
     * {@code out = softmax(q k^T / sqrt(headDim) + causal mask) v} per head; head h reads kv head
     * {@code h / (nHeads / nKvHeads)}.
     *
     * @param T    new query rows; row i sits at absolute position {@code past + i} and sees keys
     *             {@code 0 .. past + i}
     * @param past cached positions before the new rows
     * @param q    {@code [T x nHeads*headDim]} from {@code qOff}
     * @param k    {@code [past+T x nKvHeads*headDim]} from {@code kOff}: cached rows first, then the new ones
     * @param v    laid out as k
     * @param out  {@code [T x nHeads*headDim]} from {@code outOff}
     * @param lse  nullable; receives {@code log(sum(exp(scores)))} of row i, head h at {@code i * nHeads + h}
     *             (natural log, scaled scores) for the backward pass
     */
    public static void causal(int T, int past, int nHeads, int nKvHeads, int headDim,
                              float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                              float[] out, int outOff, float[] lse) {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("attention: nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if (T < 0 || past < 0 || headDim <= 0) {
            throw new IllegalArgumentException("attention: bad shape T=" + T + " past=" + past + " headDim=" + headDim);
        }
        long kvFloats = (long) (past + T) * nKvHeads * headDim;
        long qFloats = (long) T * nHeads * headDim;
        if (qOff < 0 || qOff + qFloats > q.length || outOff < 0 || outOff + qFloats > out.length
                || kOff < 0 || kOff + kvFloats > k.length || vOff < 0 || vOff + kvFloats > v.length
                || (lse != null && (long) T * nHeads > lse.length)) {
            throw new IllegalArgumentException("attention: arrays too small for T=" + T + " past=" + past
                    + " heads=" + nHeads + "/" + nKvHeads + " headDim=" + headDim);
        }
        if (T == 0) {
            return;
        }
        Shape shape = new Shape(T, past, nHeads, nKvHeads, headDim);
        int qBlocks = (T + QUERY_BLOCK - 1) / QUERY_BLOCK;
        // Later query blocks see more keys, so items are claimed one at a time to balance the threads.
        Parallel.forChunks(nKvHeads * qBlocks, 1, (i0, i1) -> {
            Block block = new Block(shape);
            for (int item = i0; item < i1; item++) {
                int qb = qBlocks - 1 - item / nKvHeads; // the longest first
                block.run(item % nKvHeads, qb * QUERY_BLOCK, Math.min(T, (qb + 1) * QUERY_BLOCK),
                        q, qOff, k, kOff, v, vOff, out, outOff, lse);
            }
        });
    }

    private record Shape(int T, int past, int nHeads, int nKvHeads, int headDim) {
        int group() {
            return nHeads / nKvHeads;
        }
    }

    /**
     * Scratch for one work item. Row R of the block is query head {@code kvHead * group + R / positions} at
     * position {@code start + R % positions}.
     */
    private static final class Block {
        final Shape shape;
        final int headDim;
        final float[] kt;      // [headDim x KEY_BLOCK]: the key block transposed
        final float[] qs;      // [rows x headDim]: the block's queries, pre-scaled by 1/sqrt(headDim)
        final float[] scores;  // [rows x KEY_BLOCK], then the block's probabilities
        final float[] acc;     // [rows x headDim]: unnormalised output
        final float[] max;
        final float[] sum;
        final float[] correction;
        final int[] visible;

        Block(Shape shape) {
            this.shape = shape;
            this.headDim = shape.headDim();
            int rows = shape.group() * QUERY_BLOCK;
            this.kt = new float[headDim * KEY_BLOCK];
            this.qs = new float[rows * headDim];
            this.scores = new float[rows * KEY_BLOCK];
            this.acc = new float[rows * headDim];
            this.max = new float[rows];
            this.sum = new float[rows];
            this.correction = new float[rows];
            this.visible = new int[rows];
        }

        void run(int kvHead, int start, int end, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                 float[] out, int outOff, float[] lse) {
            int positions = end - start;
            int rows = shape.group() * positions;
            int qStride = shape.nHeads() * headDim;
            int kvStride = shape.nKvHeads() * headDim;
            float scale = (float) (1.0 / Math.sqrt(headDim));
            for (int r = 0; r < rows; r++) {
                int head = kvHead * shape.group() + r / positions;
                int src = qOff + (start + r % positions) * qStride + head * headDim;
                for (int d = 0; d < headDim; d++) {
                    qs[r * headDim + d] = q[src + d] * scale;
                }
            }
            Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
            Arrays.fill(sum, 0, rows, 0f);
            Arrays.fill(acc, 0, rows * headDim, 0f);
            int keyEnd = shape.past() + end; // exclusive: the last position sees keys up to past + end - 1
            for (int j0 = 0; j0 < keyEnd; j0 += KEY_BLOCK) {
                int keys = Math.min(KEY_BLOCK, keyEnd - j0);
                transposeKeys(k, kOff + j0 * kvStride + kvHead * headDim, kvStride, keys);
                for (int r = 0; r < rows; r += 2) {
                    scores(r, Math.min(r + 1, rows - 1));
                }
                for (int r = 0; r < rows; r++) {
                    visible[r] = Math.max(0, Math.min(keys, shape.past() + start + r % positions + 1 - j0));
                    softmaxStep(r);
                }
                int vBase = vOff + j0 * kvStride + kvHead * headDim;
                for (int r = 0; r < rows; r += 2) {
                    accumulate(r, Math.min(r + 1, rows - 1), v, vBase, kvStride);
                }
            }
            for (int r = 0; r < rows; r++) {
                int head = kvHead * shape.group() + r / positions;
                int position = start + r % positions;
                float inv = 1f / sum[r];
                int o = outOff + position * qStride + head * headDim;
                for (int d = 0; d < headDim; d++) {
                    out[o + d] = acc[r * headDim + d] * inv;
                }
                if (lse != null) {
                    lse[position * shape.nHeads() + head] = max[r] + (float) Math.log(sum[r]);
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
            if (keys < KEY_BLOCK) { // unused columns: finite, so they cannot poison anything
                for (int d = 0; d < headDim; d++) {
                    Arrays.fill(kt, d * KEY_BLOCK + keys, (d + 1) * KEY_BLOCK, 0f);
                }
            }
        }

        /** scores[r][*] and scores[r2][*] = q_r . k_j for the whole key block (r2 may equal r). */
        private void scores(int r, int r2) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            FloatVector t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            int qa = r * headDim, qb = r2 * headDim;
            for (int d = 0, t = 0; d < headDim; d++, t += KEY_BLOCK) {
                FloatVector k0 = FloatVector.fromArray(S, kt, t);
                FloatVector k1 = FloatVector.fromArray(S, kt, t + L);
                FloatVector k2 = FloatVector.fromArray(S, kt, t + 2 * L);
                FloatVector k3 = FloatVector.fromArray(S, kt, t + 3 * L);
                FloatVector x = FloatVector.broadcast(S, qs[qa + d]);
                s0 = k0.fma(x, s0);
                s1 = k1.fma(x, s1);
                s2 = k2.fma(x, s2);
                s3 = k3.fma(x, s3);
                x = FloatVector.broadcast(S, qs[qb + d]);
                t0 = k0.fma(x, t0);
                t1 = k1.fma(x, t1);
                t2 = k2.fma(x, t2);
                t3 = k3.fma(x, t3);
            }
            int o = r * KEY_BLOCK;
            s0.intoArray(scores, o);
            s1.intoArray(scores, o + L);
            s2.intoArray(scores, o + 2 * L);
            s3.intoArray(scores, o + 3 * L);
            o = r2 * KEY_BLOCK;
            t0.intoArray(scores, o);
            t1.intoArray(scores, o + L);
            t2.intoArray(scores, o + 2 * L);
            t3.intoArray(scores, o + 3 * L);
        }

        /**
         * Online softmax over row r's visible scores: raises the running max, records how much the earlier sum
         * and output shrink, and turns the scores into {@code exp(score - max)} (zero past the causal limit).
         */
        private void softmaxStep(int r) {
            int o = r * KEY_BLOCK;
            int n = visible[r];
            if (n == 0) {
                correction[r] = 1f;
                Arrays.fill(scores, o, o + KEY_BLOCK, 0f);
                return;
            }
            float newMax = Math.max(max[r], Ops.max(scores, o, n));
            correction[r] = (float) Math.exp(max[r] - newMax);
            max[r] = newMax;
            sum[r] = sum[r] * correction[r] + Ops.expShiftInPlace(scores, o, n, newMax);
            Arrays.fill(scores, o + n, o + KEY_BLOCK, 0f);
        }

        /** acc_r = acc_r * correction_r + p_r . V for rows r and r2 (r2 may equal r), sharing each V load. */
        private void accumulate(int r, int r2, float[] v, int vBase, int vStride) {
            int keys = Math.max(visible[r], visible[r2]);
            int pa = r * KEY_BLOCK, pb = r2 * KEY_BLOCK;
            int a = r * headDim, b = r2 * headDim;
            float ca = correction[r], cb = correction[r2];
            int d = 0;
            for (; d + 4 * L <= headDim; d += 4 * L) {
                FloatVector x0 = FloatVector.fromArray(S, acc, a + d).mul(ca);
                FloatVector x1 = FloatVector.fromArray(S, acc, a + d + L).mul(ca);
                FloatVector x2 = FloatVector.fromArray(S, acc, a + d + 2 * L).mul(ca);
                FloatVector x3 = FloatVector.fromArray(S, acc, a + d + 3 * L).mul(ca);
                FloatVector y0 = FloatVector.fromArray(S, acc, b + d).mul(cb);
                FloatVector y1 = FloatVector.fromArray(S, acc, b + d + L).mul(cb);
                FloatVector y2 = FloatVector.fromArray(S, acc, b + d + 2 * L).mul(cb);
                FloatVector y3 = FloatVector.fromArray(S, acc, b + d + 3 * L).mul(cb);
                for (int j = 0, vi = vBase + d; j < keys; j++, vi += vStride) {
                    FloatVector v0 = FloatVector.fromArray(S, v, vi);
                    FloatVector v1 = FloatVector.fromArray(S, v, vi + L);
                    FloatVector v2 = FloatVector.fromArray(S, v, vi + 2 * L);
                    FloatVector v3 = FloatVector.fromArray(S, v, vi + 3 * L);
                    FloatVector p = FloatVector.broadcast(S, scores[pa + j]);
                    x0 = v0.fma(p, x0);
                    x1 = v1.fma(p, x1);
                    x2 = v2.fma(p, x2);
                    x3 = v3.fma(p, x3);
                    p = FloatVector.broadcast(S, scores[pb + j]);
                    y0 = v0.fma(p, y0);
                    y1 = v1.fma(p, y1);
                    y2 = v2.fma(p, y2);
                    y3 = v3.fma(p, y3);
                }
                // r2 first: when it equals r, both hold the same values
                y0.intoArray(acc, b + d);
                y1.intoArray(acc, b + d + L);
                y2.intoArray(acc, b + d + 2 * L);
                y3.intoArray(acc, b + d + 3 * L);
                x0.intoArray(acc, a + d);
                x1.intoArray(acc, a + d + L);
                x2.intoArray(acc, a + d + 2 * L);
                x3.intoArray(acc, a + d + 3 * L);
            }
            for (; d + L <= headDim; d += L) {
                FloatVector x = FloatVector.fromArray(S, acc, a + d).mul(ca);
                FloatVector y = FloatVector.fromArray(S, acc, b + d).mul(cb);
                for (int j = 0, vi = vBase + d; j < keys; j++, vi += vStride) {
                    FloatVector vj = FloatVector.fromArray(S, v, vi);
                    x = vj.fma(FloatVector.broadcast(S, scores[pa + j]), x);
                    y = vj.fma(FloatVector.broadcast(S, scores[pb + j]), y);
                }
                y.intoArray(acc, b + d);
                x.intoArray(acc, a + d);
            }
            for (; d < headDim; d++) {
                float x = acc[a + d] * ca;
                float y = acc[b + d] * cb;
                for (int j = 0, vi = vBase + d; j < keys; j++, vi += vStride) {
                    x += scores[pa + j] * v[vi];
                    y += scores[pb + j] * v[vi];
                }
                acc[b + d] = y;
                acc[a + d] = x;
            }
        }
    }
}
