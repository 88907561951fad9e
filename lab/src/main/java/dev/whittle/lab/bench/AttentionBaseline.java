package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;
import jdk.incubator.vector.IntVector;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention kernel of engine.tensor.Attention as it was before the issue-15 rework (main at 6d68306), frozen
 * here only so that {@link AttentionBench} can time old and new alternately in one JVM on a shared machine.
 * Not used by anything else.
 */
final class AttentionBaseline {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a work item on the lanes path: two vectors. */
    static final int LANE_ROWS = 2 * L;
    /** Items with fewer rows than this take the dot-product path. */
    static final int LANE_PATH_MIN_ROWS = 8;
    /** Keys per step of the online softmax (a multiple of 4, the key width of the score tile). */
    static final int KEY_BLOCK = 64;

    /** engine.tensor.VectorMath.expNonPositive, copied as it was (that class is package-private). */
    private static FloatVector expNonPositive(FloatVector x) {
        FloatVector xc = x.max(-87.33654f);
        FloatVector n = xc.fma(FloatVector.broadcast(S, 1.44269504088896341f), FloatVector.broadcast(S, 12582912f)).sub(12582912f);
        FloatVector r = n.fma(FloatVector.broadcast(S, -0.693359375f), xc);
        r = n.fma(FloatVector.broadcast(S, 2.12194440e-4f), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(FloatVector.broadcast(S, 0x1.0e4020p-7f), FloatVector.broadcast(S, 0x1.573e2ep-5f));
        FloatVector q = r.fma(FloatVector.broadcast(S, 0x1.555e66p-3f), FloatVector.broadcast(S, 0x1.fffdb6p-2f));
        q = p.fma(r2, q);
        FloatVector poly = q.fma(r2, r.mul(0x1.ffffecp-1f));
        FloatVector scale = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return poly.fma(scale, scale).blend(0f, x.compare(VectorOperators.LT, -87.33654f));
    }

    private AttentionBaseline() {
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
        Shape shape = new Shape(T, past, nHeads, nKvHeads, headDim, q, qOff, k, kOff, v, vOff, out, outOff, lse);
        int group = nHeads / nKvHeads;
        boolean lanes = group * Math.min(T, Math.max(1, LANE_ROWS / group)) >= LANE_PATH_MIN_ROWS;
        int positions = lanes ? Math.max(1, LANE_ROWS / group) : 1;
        int blocks = (T + positions - 1) / positions;
        // The items of one kv head run together, so its keys and values stay in cache while the threads share
        // them; within a head later blocks see more keys and go first, so the last items to claim are short.
        Parallel.forChunks(nKvHeads * blocks, 1, (i0, i1) -> {
            Item item = lanes ? new LaneItem(shape, positions) : new DotItem(shape);
            for (int i = i0; i < i1; i++) {
                int block = blocks - 1 - i % blocks;
                item.run(i / blocks, block * positions, Math.min(T, (block + 1) * positions));
            }
        });
    }

    /** The call's arguments. */
    private record Shape(int T, int past, int nHeads, int nKvHeads, int headDim,
                         float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                         float[] out, int outOff, float[] lse) {
        int group() {
            return nHeads / nKvHeads;
        }

        int qStride() {
            return nHeads * headDim;
        }

        int kvStride() {
            return nKvHeads * headDim;
        }

        float scale() {
            return (float) (1.0 / Math.sqrt(headDim));
        }

        /** Where row r of an item of {@code positions} positions from {@code start} reads q and writes out. */
        int rowAt(int kvHead, int start, int positions, int r) {
            int head = kvHead * group() + r / positions;
            return (start + r % positions) * qStride() + head * headDim;
        }

        void writeLse(int kvHead, int start, int positions, int r, float value) {
            if (lse != null) {
                lse[(start + r % positions) * nHeads + kvHead * group() + r / positions] = value;
            }
        }
    }

    /** Scratch for the work items of one thread. */
    private interface Item {
        /** Query positions {@code start..end} of every head reading kv head {@code kvHead}. */
        void run(int kvHead, int start, int end);
    }

    /** Rows across vector lanes: scores {@code [key][row]}, output {@code [dim][row]}. */
    private static final class LaneItem implements Item {
        final Shape shape;
        final int headDim;
        final int capacity;   // rows, a whole number of vectors
        final float[] qt;     // [headDim x capacity]: queries transposed and scaled
        final float[] st;     // [KEY_BLOCK x capacity]: scores, then probabilities
        final float[] acc;    // [headDim x capacity]: unnormalised output, transposed
        final float[] limit;  // [capacity]: the last key each row sees
        final float[] blockMax; // [capacity]: the largest score of the current key block, masked or not
        final float[] max;
        final float[] sum;
        final float[] correction;

        LaneItem(Shape shape, int positions) {
            this.shape = shape;
            this.headDim = shape.headDim();
            this.capacity = (shape.group() * positions + L - 1) / L * L;
            this.qt = new float[headDim * capacity];
            this.st = new float[KEY_BLOCK * capacity];
            this.acc = new float[headDim * capacity];
            this.limit = new float[capacity];
            this.blockMax = new float[capacity];
            this.max = new float[capacity];
            this.sum = new float[capacity];
            this.correction = new float[capacity];
        }

        @Override
        public void run(int kvHead, int start, int end) {
            int positions = end - start;
            int rows = shape.group() * positions;
            int vectors = (rows + L - 1) / L;
            int width = vectors * L; // the row stride of qt, st and acc for this item
            float scale = shape.scale();
            for (int r = 0; r < width; r++) {
                // Padding rows repeat the last row, so every lane stays finite; their results are dropped.
                int src = shape.qOff() + shape.rowAt(kvHead, start, positions, Math.min(r, rows - 1));
                for (int d = 0; d < headDim; d++) {
                    qt[d * width + r] = shape.q()[src + d] * scale;
                }
                limit[r] = shape.past() + start + Math.min(r, rows - 1) % positions;
            }
            Arrays.fill(max, 0, width, Float.NEGATIVE_INFINITY);
            Arrays.fill(sum, 0, width, 0f);
            Arrays.fill(acc, 0, headDim * width, 0f);
            int kvStride = shape.kvStride();
            int kvBase = kvHead * headDim;
            int keyEnd = shape.past() + end; // exclusive: the last position sees keys up to past + end - 1
            for (int j0 = 0; j0 < keyEnd; j0 += KEY_BLOCK) {
                int keys = Math.min(KEY_BLOCK, keyEnd - j0);
                int kBase = shape.kOff() + j0 * kvStride + kvBase;
                Arrays.fill(blockMax, 0, width, Float.NEGATIVE_INFINITY);
                for (int j = 0; j < keys; j += 4) {
                    for (int x = 0; x < vectors; x += 2) {
                        scores(width, kBase, kvStride, j, keys, x * L, Math.min(x + 1, vectors - 1) * L);
                    }
                }
                // Row 0 sits at the item's first position and sees the fewest keys: below it nothing is masked.
                boolean visible = j0 + keys - 1 <= shape.past() + start;
                for (int x = 0; x < vectors; x++) {
                    softmaxStep(width, x * L, j0, keys, visible);
                }
                int vBase = shape.vOff() + j0 * kvStride + kvBase;
                for (int x = 0; x < vectors; x += 2) {
                    accumulate(width, vBase, kvStride, keys, x * L, Math.min(x + 1, vectors - 1) * L);
                }
            }
            for (int r = 0; r < rows; r++) {
                float inv = 1f / sum[r];
                int o = shape.outOff() + shape.rowAt(kvHead, start, positions, r);
                for (int d = 0; d < headDim; d++) {
                    shape.out()[o + d] = acc[d * width + r] * inv;
                }
                shape.writeLse(kvHead, start, positions, r, max[r] + (float) Math.log(sum[r]));
            }
        }

        /**
         * st[j..j+4)[rows a and b] = q . k for four keys (the last key repeated past {@code keys}; those columns
         * are never read) and two vectors of rows (b may equal a).
         */
        private void scores(int width, int kBase, int kvStride, int j, int keys, int a, int b) {
            float[] k = shape.k();
            int k0 = kBase + j * kvStride;
            int k1 = kBase + Math.min(j + 1, keys - 1) * kvStride;
            int k2 = kBase + Math.min(j + 2, keys - 1) * kvStride;
            int k3 = kBase + Math.min(j + 3, keys - 1) * kvStride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int d = 0, row = 0; d < headDim; d++, row += width) {
                FloatVector qa = FloatVector.fromArray(S, qt, row + a);
                FloatVector qb = FloatVector.fromArray(S, qt, row + b);
                FloatVector x = FloatVector.broadcast(S, k[k0 + d]);
                s0 = qa.fma(x, s0);
                t0 = qb.fma(x, t0);
                x = FloatVector.broadcast(S, k[k1 + d]);
                s1 = qa.fma(x, s1);
                t1 = qb.fma(x, t1);
                x = FloatVector.broadcast(S, k[k2 + d]);
                s2 = qa.fma(x, s2);
                t2 = qb.fma(x, t2);
                x = FloatVector.broadcast(S, k[k3 + d]);
                s3 = qa.fma(x, s3);
                t3 = qb.fma(x, t3);
            }
            int o = j * width;
            t0.intoArray(st, o + b); // b first: when it equals a, both hold the same values
            t1.intoArray(st, o + width + b);
            t2.intoArray(st, o + 2 * width + b);
            t3.intoArray(st, o + 3 * width + b);
            s0.intoArray(st, o + a);
            s1.intoArray(st, o + width + a);
            s2.intoArray(st, o + 2 * width + a);
            s3.intoArray(st, o + 3 * width + a);
            // The repeated last key changes no max.
            FloatVector.fromArray(S, blockMax, b).max(t0.max(t1).max(t2.max(t3))).intoArray(blockMax, b);
            FloatVector.fromArray(S, blockMax, a).max(s0.max(s1).max(s2.max(s3))).intoArray(blockMax, a);
        }

        /**
         * Online softmax for one vector of rows over keys {@code j0 .. j0+keys}: masks keys past each row's limit,
         * raises the running max, records how much the earlier sum and output shrink, and turns the scores into
         * {@code exp(score - max)}. Every row sees key 0, so after the first block every max is finite. A block that
         * every row sees whole ({@code visible}) needs no mask, and its max came with the scores.
         */
        private void softmaxStep(int width, int a, int j0, int keys, boolean visible) {
            FloatVector blockMax;
            if (visible) {
                blockMax = FloatVector.fromArray(S, this.blockMax, a);
            } else {
                FloatVector lim = FloatVector.fromArray(S, limit, a);
                blockMax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int j = 0, o = a; j < keys; j++, o += width) {
                    VectorMask<Float> hidden = lim.compare(VectorOperators.LT, (float) (j0 + j));
                    FloatVector s = FloatVector.fromArray(S, st, o).blend(Float.NEGATIVE_INFINITY, hidden);
                    s.intoArray(st, o);
                    blockMax = blockMax.max(s);
                }
            }
            FloatVector oldMax = FloatVector.fromArray(S, max, a);
            FloatVector newMax = oldMax.max(blockMax);
            FloatVector shrink = expNonPositive(oldMax.sub(newMax));
            FloatVector total = FloatVector.fromArray(S, sum, a).mul(shrink);
            for (int j = 0, o = a; j < keys; j++, o += width) {
                FloatVector p = expNonPositive(FloatVector.fromArray(S, st, o).sub(newMax));
                p.intoArray(st, o);
                total = total.add(p);
            }
            newMax.intoArray(max, a);
            total.intoArray(sum, a);
            shrink.intoArray(correction, a);
        }

        /** acc[d][rows a, b] = acc * correction + sum over keys of v[j][d] * p[j][rows], four dims at a time. */
        private void accumulate(int width, int vBase, int kvStride, int keys, int a, int b) {
            float[] v = shape.v();
            FloatVector ca = FloatVector.fromArray(S, correction, a);
            FloatVector cb = FloatVector.fromArray(S, correction, b);
            int d = 0;
            for (; d + 4 <= headDim; d += 4) {
                int o = d * width;
                FloatVector x0 = FloatVector.fromArray(S, acc, o + a).mul(ca);
                FloatVector x1 = FloatVector.fromArray(S, acc, o + width + a).mul(ca);
                FloatVector x2 = FloatVector.fromArray(S, acc, o + 2 * width + a).mul(ca);
                FloatVector x3 = FloatVector.fromArray(S, acc, o + 3 * width + a).mul(ca);
                FloatVector y0 = FloatVector.fromArray(S, acc, o + b).mul(cb);
                FloatVector y1 = FloatVector.fromArray(S, acc, o + width + b).mul(cb);
                FloatVector y2 = FloatVector.fromArray(S, acc, o + 2 * width + b).mul(cb);
                FloatVector y3 = FloatVector.fromArray(S, acc, o + 3 * width + b).mul(cb);
                for (int j = 0, vj = vBase + d, p = 0; j < keys; j++, vj += kvStride, p += width) {
                    FloatVector pa = FloatVector.fromArray(S, st, p + a);
                    FloatVector pb = FloatVector.fromArray(S, st, p + b);
                    FloatVector e = FloatVector.broadcast(S, v[vj]);
                    x0 = pa.fma(e, x0);
                    y0 = pb.fma(e, y0);
                    e = FloatVector.broadcast(S, v[vj + 1]);
                    x1 = pa.fma(e, x1);
                    y1 = pb.fma(e, y1);
                    e = FloatVector.broadcast(S, v[vj + 2]);
                    x2 = pa.fma(e, x2);
                    y2 = pb.fma(e, y2);
                    e = FloatVector.broadcast(S, v[vj + 3]);
                    x3 = pa.fma(e, x3);
                    y3 = pb.fma(e, y3);
                }
                y0.intoArray(acc, o + b); // b first, as in scores
                y1.intoArray(acc, o + width + b);
                y2.intoArray(acc, o + 2 * width + b);
                y3.intoArray(acc, o + 3 * width + b);
                x0.intoArray(acc, o + a);
                x1.intoArray(acc, o + width + a);
                x2.intoArray(acc, o + 2 * width + a);
                x3.intoArray(acc, o + 3 * width + a);
            }
            for (; d < headDim; d++) {
                int o = d * width;
                FloatVector x = FloatVector.fromArray(S, acc, o + a).mul(ca);
                FloatVector y = FloatVector.fromArray(S, acc, o + b).mul(cb);
                for (int j = 0, vj = vBase + d, p = 0; j < keys; j++, vj += kvStride, p += width) {
                    FloatVector e = FloatVector.broadcast(S, v[vj]);
                    x = FloatVector.fromArray(S, st, p + a).fma(e, x);
                    y = FloatVector.fromArray(S, st, p + b).fma(e, y);
                }
                y.intoArray(acc, o + b);
                x.intoArray(acc, o + a);
            }
        }
    }

    /** A few rows (decoding): each score a dot product of the query with a key row, keys across lanes. */
    private static final class DotItem implements Item {
        final Shape shape;
        final int headDim;
        final float[] qs;      // one query row, scaled
        final float[] scores;  // [KEY_BLOCK], then probabilities
        final float[] acc;     // [headDim]
        final float[] lanes = new float[4 * L];

        DotItem(Shape shape) {
            this.shape = shape;
            this.headDim = shape.headDim();
            this.qs = new float[headDim];
            this.scores = new float[KEY_BLOCK];
            this.acc = new float[headDim];
        }

        @Override
        public void run(int kvHead, int start, int end) {
            int positions = end - start;
            int rows = shape.group() * positions;
            float scale = shape.scale();
            int kvStride = shape.kvStride();
            for (int r = 0; r < rows; r++) {
                int at = shape.rowAt(kvHead, start, positions, r);
                for (int d = 0; d < headDim; d++) {
                    qs[d] = shape.q()[shape.qOff() + at + d] * scale;
                }
                Arrays.fill(acc, 0f);
                float max = Float.NEGATIVE_INFINITY;
                float sum = 0;
                int seen = shape.past() + start + r % positions + 1;
                for (int j0 = 0; j0 < seen; j0 += KEY_BLOCK) {
                    int keys = Math.min(KEY_BLOCK, seen - j0);
                    int kBase = shape.kOff() + j0 * kvStride + kvHead * headDim;
                    for (int j = 0; j < keys; j += 4) {
                        dot4(kBase, kvStride, j, keys);
                    }
                    float newMax = Math.max(max, Ops.max(scores, 0, keys));
                    float shrink = (float) Math.exp(max - newMax);
                    max = newMax;
                    sum = sum * shrink + Ops.expShiftInPlace(scores, 0, keys, newMax);
                    accumulate(shape.vOff() + j0 * kvStride + kvHead * headDim, kvStride, keys, shrink);
                }
                float inv = 1f / sum;
                int o = shape.outOff() + at;
                for (int d = 0; d < headDim; d++) {
                    shape.out()[o + d] = acc[d] * inv;
                }
                shape.writeLse(kvHead, start, positions, r, max + (float) Math.log(sum));
            }
        }

        /** scores[j..j+4) = qs . k for four keys (the last repeated past {@code keys}), lane sums in lane order. */
        private void dot4(int kBase, int kvStride, int j, int keys) {
            float[] k = shape.k();
            int k0 = kBase + j * kvStride;
            int k1 = kBase + Math.min(j + 1, keys - 1) * kvStride;
            int k2 = kBase + Math.min(j + 2, keys - 1) * kvStride;
            int k3 = kBase + Math.min(j + 3, keys - 1) * kvStride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int d = 0;
            for (int bound = S.loopBound(headDim); d < bound; d += L) {
                FloatVector x = FloatVector.fromArray(S, qs, d);
                s0 = FloatVector.fromArray(S, k, k0 + d).fma(x, s0);
                s1 = FloatVector.fromArray(S, k, k1 + d).fma(x, s1);
                s2 = FloatVector.fromArray(S, k, k2 + d).fma(x, s2);
                s3 = FloatVector.fromArray(S, k, k3 + d).fma(x, s3);
            }
            // Through memory in lane order: the same bits whether or not C2 compiled this.
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            float d0 = 0, d1 = 0, d2 = 0, d3 = 0;
            for (int l = 0; l < L; l++) {
                d0 += lanes[l];
                d1 += lanes[L + l];
                d2 += lanes[2 * L + l];
                d3 += lanes[3 * L + l];
            }
            for (; d < headDim; d++) {
                float x = qs[d];
                d0 += x * k[k0 + d];
                d1 += x * k[k1 + d];
                d2 += x * k[k2 + d];
                d3 += x * k[k3 + d];
            }
            scores[j] = d0;
            if (j + 1 < keys) {
                scores[j + 1] = d1;
            }
            if (j + 2 < keys) {
                scores[j + 2] = d2;
            }
            if (j + 3 < keys) {
                scores[j + 3] = d3;
            }
        }

        /** acc = acc * shrink + sum over keys of p_j v_j. */
        private void accumulate(int vBase, int kvStride, int keys, float shrink) {
            float[] v = shape.v();
            int d = 0;
            for (int bound = S.loopBound(headDim); d < bound; d += L) {
                FloatVector x = FloatVector.fromArray(S, acc, d).mul(shrink);
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    x = FloatVector.fromArray(S, v, vj).fma(FloatVector.broadcast(S, scores[j]), x);
                }
                x.intoArray(acc, d);
            }
            for (; d < headDim; d++) {
                float x = acc[d] * shrink;
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    x += scores[j] * v[vj];
                }
                acc[d] = x;
            }
        }
    }
}
