package dev.whittle.engine.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention, blocked in the flash-attention manner: query rows walk the key blocks with an
 * online softmax (running max and sum), so a long prompt never materialises a {@code T x T} score matrix per head.
 * One sequence per call; a batch of sequences is the caller's loop.
 * <p>
 * With enough rows (prefill) the rows lie across vector lanes: a tile is the rows of a few query positions for
 * every query head that reads one kv head (a larger group than a tile holds is cut into slices of heads), two
 * vectors of them, transposed once; every score and output update
 * is a broadcast of a key or value element times a vector of rows, so keys and values are read where they lie and
 * never transposed. A work item is a span of tiles that walk each key block together, so a key block is fetched
 * from memory once per span rather than once per tile (a long prompt's keys and values outgrow the cache).
 * With a few rows (decoding) a work item is a kv head and all its rows: each key block is read once for every
 * query head of the group, and each score is a dot product whose lane sums are folded for four keys at once.
 * Items are spread over {@link Parallel}; each output element is computed by one item in a fixed order, so the
 * result does not depend on the thread count.
 */
public final class Attention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Rows of a tile on the lanes path: two vectors, so the register tiles (six or four keys, or four dims, by two
     * vectors of rows) hold twelve or eight accumulators, at least as many as hide the FMA latency. Three vectors
     * (twelve accumulators with four keys, all sixteen AVX2 registers) measured slower: C2 spills.
     */
    static final int TILE_ROWS = 2 * L;
    /** Items with fewer rows than this take the dot-product path. */
    static final int LANE_PATH_MIN_ROWS = 8;
    /** Keys per step of the online softmax (a multiple of 4, the key width of the score tile). */
    static final int KEY_BLOCK = 64;
    /** Tiles of a work item on the lanes path: they share each key block while it is in cache. */
    static final int SPAN = 4;

    /** Lane permutations for the dot path's lane sums: each lane swapped with the one {@code 2^i} away. */
    private static final VectorShuffle<Float> SWAP_1 = VectorShuffle.fromOp(S, i -> i ^ 1);
    private static final VectorShuffle<Float> SWAP_2 = VectorShuffle.fromOp(S, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP_4 = VectorShuffle.fromOp(S, i -> (i ^ 4) & (L - 1));
    private static final VectorShuffle<Float> SWAP_8 = VectorShuffle.fromOp(S, i -> (i ^ 8) & (L - 1));
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL);
    private static final VectorMask<Float> LANES_2_3 = VectorMask.fromLong(S, 0xCCCCCCCCCCCCCCCCL);

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
        Shape shape = new Shape(T, past, nHeads, nKvHeads, headDim, q, qOff, k, kOff, v, vOff, out, outOff, lse);
        int group = nHeads / nKvHeads;
        int positions = Math.max(1, TILE_ROWS / group);
        if (group * Math.min(T, positions) < LANE_PATH_MIN_ROWS) {
            // Then T <= positions (a tile holds at least 8 rows), so fewer than 8 rows per kv head: one item each.
            Parallel.forChunks(nKvHeads, 1, (h0, h1) -> {
                DotItem item = new DotItem(shape);
                for (int h = h0; h < h1; h++) {
                    item.run(h);
                }
            });
            return;
        }
        // A tile holds at most TILE_ROWS rows: a group larger than that (multi-query attention) is cut into slices
        // of TILE_ROWS query heads, each a tile per position.
        int slices = (group + TILE_ROWS - 1) / TILE_ROWS;
        int span = SPAN * positions;
        int spans = (T + span - 1) / span;
        // The items of one kv head run together, so its keys and values stay in cache while the threads share
        // them; within a head later spans see more keys and go first, so the last items to claim are short.
        Parallel.forChunks(nKvHeads * slices * spans, 1, (i0, i1) -> {
            LaneItem item = new LaneItem(shape, positions);
            for (int i = i0; i < i1; i++) {
                int block = spans - 1 - i % spans;
                int slice = i / spans;
                item.run(slice / slices, slice % slices * TILE_ROWS, block * span, Math.min(T, (block + 1) * span));
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


    /**
     * Rows across vector lanes, for a span of tiles of {@code positions} positions each: per tile the queries
     * {@code [dim][row]}, the output {@code [dim][row]} and the running max and sum; scores {@code [key][row]} of
     * the tile being stepped. Scores, max and sum are kept in base 2 (the queries carry a factor {@code log2(e)}),
     * where {@link VectorMath#exp2NonPositive} is cheaper than e^x; the log-sum-exp is written in natural log.
     * <p>
     * Every per-tile array has rows {@link #W} apart, a constant, and every tile is two whole vectors of rows (short
     * tiles padded): so C2 proves the inner loops' indices in bounds once and drops their range checks, and the
     * row offsets are constants that free registers. With the masking rows of {@link #hidden} this took the
     * bench's single-thread prefill from 0.44-0.66 to 0.55-0.79 of the FMA ceiling (d=32 to 128), bit for bit the
     * same results.
     */
    private static final class LaneItem {
        /** Rows of a tile and the stride of every per-tile array. */
        private static final int W = TILE_ROWS;
        final Shape shape;
        final int headDim;
        final int positions;
        final float[] qt;       // [SPAN][headDim x W]: queries transposed and scaled
        final float[] acc;      // [SPAN][headDim x W]: unnormalised output, transposed
        final float[] st;       // [KEY_BLOCK x W]: scores, then probabilities
        final float[] hidden;   // [SPAN][W+1][W]: row c of a tile is -inf in the rows that key (tile start + c) is
                                //   past, 0 in the rest: added to a diagonal block's scores, it masks them
        final float[] max;      // [SPAN][W]
        final float[] sum;      // [SPAN][W]
        final float[] blockMax; // [W]: the largest score of the current key block, masked or not
        final float[] correction; // [W]: how much the stepped tile's earlier output shrinks
        int firstHead;          // the query head of the item's first row
        int heads;              // query heads of the item (a slice of a group larger than W)

        LaneItem(Shape shape, int positions) {
            this.shape = shape;
            this.headDim = shape.headDim();
            this.positions = positions;
            this.qt = new float[SPAN * headDim * W];
            this.acc = new float[SPAN * headDim * W];
            this.st = new float[KEY_BLOCK * W];
            this.hidden = new float[SPAN * (W + 1) * W];
            this.max = new float[SPAN * W];
            this.sum = new float[SPAN * W];
            this.blockMax = new float[W];
            this.correction = new float[W];
        }

        /**
         * Query positions {@code start..end} (at most a span) of the query heads reading kv head {@code kvHead}
         * from its {@code slice}-th one, at most {@link #W} of them.
         */
        void run(int kvHead, int slice, int start, int end) {
            firstHead = kvHead * shape.group() + slice;
            heads = Math.min(W, shape.group() - slice);
            int tiles = (end - start + positions - 1) / positions;
            for (int t = 0; t < tiles; t++) {
                int from = start + t * positions;
                load(t, from, Math.min(end, from + positions));
            }
            // Key block outermost: each block is fetched once and then stepped by every tile that sees it.
            for (int j0 = 0; j0 < shape.past() + end; j0 += KEY_BLOCK) {
                for (int t = 0; t < tiles; t++) {
                    int from = start + t * positions;
                    int to = Math.min(end, from + positions);
                    int keyEnd = shape.past() + to; // exclusive: the tile's last position sees keys up to here - 1
                    if (j0 < keyEnd) {
                        step(t, kvHead, from, j0, Math.min(KEY_BLOCK, keyEnd - j0));
                    }
                }
            }
            for (int t = 0; t < tiles; t++) {
                int from = start + t * positions;
                store(t, from, Math.min(end, from + positions));
            }
        }

        /** Transposes and scales tile t's queries (head-major rows, positions within a head) and resets its state. */
        private void load(int t, int from, int to) {
            int positions = to - from;
            int rows = heads * positions;
            int q0 = t * headDim * W;
            int r0 = t * W;
            float scale = (float) (1 / (Math.log(2) * Math.sqrt(headDim)));
            float[] q = shape.q();
            int h0 = t * (W + 1) * W;
            int r = 0;
            for (int h = 0; h < heads; h++) {
                for (int p = 0; p < positions; p++, r++) {
                    int src = shape.qOff() + (from + p) * shape.qStride() + (firstHead + h) * headDim;
                    for (int d = 0, o = q0 + r; d < headDim; d++, o += W) {
                        qt[o] = q[src + d] * scale;
                    }
                    for (int c = 0; c <= W; c++) {
                        hidden[h0 + c * W + r] = p < c ? Float.NEGATIVE_INFINITY : 0f;
                    }
                }
            }
            // Padding rows repeat the last row, so every lane stays finite; their results are dropped.
            for (; r < W; r++) {
                for (int d = 0, o = q0 + r; d < headDim; d++, o += W) {
                    qt[o] = qt[o - (r - rows + 1)];
                }
                for (int c = 0; c <= W; c++) {
                    hidden[h0 + c * W + r] = hidden[h0 + c * W + rows - 1];
                }
            }
            Arrays.fill(max, r0, r0 + W, Float.NEGATIVE_INFINITY);
            Arrays.fill(sum, r0, r0 + W, 0f);
            Arrays.fill(acc, q0, q0 + headDim * W, 0f);
        }

        private void store(int t, int from, int to) {
            int positions = to - from;
            int a0 = t * headDim * W;
            int r0 = t * W;
            float[] out = shape.out();
            float[] lse = shape.lse();
            int r = 0;
            for (int h = 0; h < heads; h++) {
                int head = firstHead + h;
                for (int p = 0; p < positions; p++, r++) {
                    float inv = 1f / sum[r0 + r];
                    int o = shape.outOff() + (from + p) * shape.qStride() + head * headDim;
                    for (int d = 0, x = a0 + r; d < headDim; d++, x += W) {
                        out[o + d] = acc[x] * inv;
                    }
                    if (lse != null) {
                        lse[(from + p) * shape.nHeads() + head] = (float) (max[r0 + r] * Math.log(2) + Math.log(sum[r0 + r]));
                    }
                }
            }
        }

        /** Tile t (from position {@code from}) over keys {@code j0 .. j0+keys}. */
        private void step(int t, int kvHead, int from, int j0, int keys) {
            int q0 = t * headDim * W;
            int r0 = t * W;
            int kvStride = shape.kvStride();
            int kBase = shape.kOff() + j0 * kvStride + kvHead * headDim;
            Arrays.fill(blockMax, 0, W, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j + 6 <= keys; j += 6) {
                scores6(q0, kBase, kvStride, j);
            }
            for (; j < keys; j += 4) {
                scores(q0, kBase, kvStride, j, keys);
            }
            // Row 0 sits at the tile's first position and sees the fewest keys: below it nothing is masked.
            boolean visible = j0 + keys - 1 <= shape.past() + from;
            if (!visible) {
                int h0 = t * (W + 1) * W;
                mask(h0, 0, j0 - shape.past() - from, keys);
                mask(h0, L, j0 - shape.past() - from, keys);
            }
            softmaxStep(r0, 0, keys);
            softmaxStep(r0, L, keys);
            int vBase = shape.vOff() + j0 * kvStride + kvHead * headDim;
            accumulate(q0, vBase, kvStride, keys);
        }

        /**
         * Masks, in one vector of rows of a diagonal key block, the keys past each row's position, and takes the
         * block's max afresh: a row of {@link #hidden} is added to the scores ({@code rel}: the block's first key,
         * relative to the tile's first position). An add where a compare and a blend per key measured slower (the
         * compare's virtual call was not always inlined); a method of its own, so that {@link #softmaxStep} has no
         * branch for C2 to compile one way in one run and another in the next.
         */
        private void mask(int h0, int a, int rel, int keys) {
            FloatVector top = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < keys; j++) {
                int o = a + j * W;
                int c = Math.max(0, Math.min(W, rel + j));
                FloatVector s = FloatVector.fromArray(S, st, o).add(FloatVector.fromArray(S, hidden, h0 + c * W + a));
                s.intoArray(st, o);
                top = larger(top, s);
            }
            top.intoArray(blockMax, a);
        }

        /**
         * Online softmax for one vector of rows over the block's {@code keys} keys, their max in {@link #blockMax}:
         * raises the running max, records how much the earlier sum and output shrink, and turns the scores into
         * {@code 2^(score - max)}. Every row sees key 0, so after the first block every max is finite.
         */
        private void softmaxStep(int r0, int a, int keys) {
            FloatVector oldMax = FloatVector.fromArray(S, max, r0 + a);
            FloatVector newMax = larger(oldMax, FloatVector.fromArray(S, blockMax, a));
            FloatVector shrink = VectorMath.exp2NonPositive(oldMax.sub(newMax));
            FloatVector total = FloatVector.fromArray(S, sum, r0 + a).mul(shrink);
            for (int j = 0; j < keys; j++) {
                int o = a + j * W;
                FloatVector p = VectorMath.exp2NonPositive(FloatVector.fromArray(S, st, o).sub(newMax));
                p.intoArray(st, o);
                total = total.add(p);
            }
            newMax.intoArray(max, r0 + a);
            total.intoArray(sum, r0 + a);
            shrink.intoArray(correction, a);
        }

        /**
         * st[j..j+4)[the tile's rows] = q . k for four keys (the last key repeated past {@code keys}; those
         * columns are never read).
         */
        private void scores(int q0, int kBase, int kvStride, int j, int keys) {
            final int a = 0, b = L; // the tile's two vectors of rows
            float[] k = shape.k();
            int k0 = kBase + j * kvStride;
            int k1 = kBase + Math.min(j + 1, keys - 1) * kvStride;
            int k2 = kBase + Math.min(j + 2, keys - 1) * kvStride;
            int k3 = kBase + Math.min(j + 3, keys - 1) * kvStride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int d = 0; d < headDim; d++) {
                int row = q0 + d * W;
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
            int o = j * W;
            t0.intoArray(st, o + b);
            t1.intoArray(st, o + W + b);
            t2.intoArray(st, o + 2 * W + b);
            t3.intoArray(st, o + 3 * W + b);
            s0.intoArray(st, o + a);
            s1.intoArray(st, o + W + a);
            s2.intoArray(st, o + 2 * W + a);
            s3.intoArray(st, o + 3 * W + a);
            // The repeated last key changes no max.
            larger(FloatVector.fromArray(S, blockMax, b), larger(larger(t0, t1), larger(t2, t3))).intoArray(blockMax, b);
            larger(FloatVector.fromArray(S, blockMax, a), larger(larger(s0, s1), larger(s2, s3))).intoArray(blockMax, a);
        }

        /**
         * As {@link #scores} for six keys, all of them within the block: twelve accumulators (fifteen of the
         * sixteen AVX2 registers) where eight sat exactly at the FMA latency, and the stores and max per call spread
         * over more work. At d=32 the kernel measured 6-28% faster at T=512 and mostly a few percent at 2048, on a
         * shared machine; the same six for the output's dims measured slower.
         */
        private void scores6(int q0, int kBase, int kvStride, int j) {
            final int a = 0, b = L; // the tile's two vectors of rows
            float[] k = shape.k();
            int k0 = kBase + j * kvStride;
            int k1 = k0 + kvStride;
            int k2 = k1 + kvStride;
            int k3 = k2 + kvStride;
            int k4 = k3 + kvStride;
            int k5 = k4 + kvStride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
            FloatVector t0 = s0, t1 = s0, t2 = s0, t3 = s0, t4 = s0, t5 = s0;
            for (int d = 0; d < headDim; d++) {
                int row = q0 + d * W;
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
                x = FloatVector.broadcast(S, k[k4 + d]);
                s4 = qa.fma(x, s4);
                t4 = qb.fma(x, t4);
                x = FloatVector.broadcast(S, k[k5 + d]);
                s5 = qa.fma(x, s5);
                t5 = qb.fma(x, t5);
            }
            int o = j * W;
            t0.intoArray(st, o + b);
            t1.intoArray(st, o + W + b);
            t2.intoArray(st, o + 2 * W + b);
            t3.intoArray(st, o + 3 * W + b);
            t4.intoArray(st, o + 4 * W + b);
            t5.intoArray(st, o + 5 * W + b);
            s0.intoArray(st, o + a);
            s1.intoArray(st, o + W + a);
            s2.intoArray(st, o + 2 * W + a);
            s3.intoArray(st, o + 3 * W + a);
            s4.intoArray(st, o + 4 * W + a);
            s5.intoArray(st, o + 5 * W + a);
            larger(FloatVector.fromArray(S, blockMax, b), larger(larger(t0, t1), larger(larger(t2, t3), larger(t4, t5))))
                    .intoArray(blockMax, b);
            larger(FloatVector.fromArray(S, blockMax, a), larger(larger(s0, s1), larger(larger(s2, s3), larger(s4, s5))))
                    .intoArray(blockMax, a);
        }

        /**
         * The lane-wise larger of two vectors without NaNs: a compare and a blend, where {@code max} (NaN and
         * signed-zero rules) costs x86 five instructions, three of them on the FMA ports.
         */
        private static FloatVector larger(FloatVector x, FloatVector y) {
            return x.blend(y, x.compare(VectorOperators.LT, y));
        }

        /** acc[d][rows] = acc * correction + sum over keys of v[j][d] * p[j][rows], four dims at a time. */
        private void accumulate(int a0, int vBase, int kvStride, int keys) {
            final int a = 0, b = L; // the tile's two vectors of rows
            float[] v = shape.v();
            FloatVector ca = FloatVector.fromArray(S, correction, a);
            FloatVector cb = FloatVector.fromArray(S, correction, b);
            int d = 0;
            for (; d + 4 <= headDim; d += 4) {
                int o = a0 + d * W;
                FloatVector x0 = FloatVector.fromArray(S, acc, o + a).mul(ca);
                FloatVector x1 = FloatVector.fromArray(S, acc, o + W + a).mul(ca);
                FloatVector x2 = FloatVector.fromArray(S, acc, o + 2 * W + a).mul(ca);
                FloatVector x3 = FloatVector.fromArray(S, acc, o + 3 * W + a).mul(ca);
                FloatVector y0 = FloatVector.fromArray(S, acc, o + b).mul(cb);
                FloatVector y1 = FloatVector.fromArray(S, acc, o + W + b).mul(cb);
                FloatVector y2 = FloatVector.fromArray(S, acc, o + 2 * W + b).mul(cb);
                FloatVector y3 = FloatVector.fromArray(S, acc, o + 3 * W + b).mul(cb);
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    int p = j * W;
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
                y0.intoArray(acc, o + b);
                y1.intoArray(acc, o + W + b);
                y2.intoArray(acc, o + 2 * W + b);
                y3.intoArray(acc, o + 3 * W + b);
                x0.intoArray(acc, o + a);
                x1.intoArray(acc, o + W + a);
                x2.intoArray(acc, o + 2 * W + a);
                x3.intoArray(acc, o + 3 * W + a);
            }
            for (; d < headDim; d++) {
                int o = a0 + d * W;
                FloatVector x = FloatVector.fromArray(S, acc, o + a).mul(ca);
                FloatVector y = FloatVector.fromArray(S, acc, o + b).mul(cb);
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    int p = j * W;
                    FloatVector e = FloatVector.broadcast(S, v[vj]);
                    x = FloatVector.fromArray(S, st, p + a).fma(e, x);
                    y = FloatVector.fromArray(S, st, p + b).fma(e, y);
                }
                y.intoArray(acc, o + b);
                x.intoArray(acc, o + a);
            }
        }
    }

    /**
     * Fewer than eight rows per kv head (decoding): all of them step each key block together, so the block is
     * read from memory once for the whole group and then from cache. Each score is a dot product of a query row
     * with a key row, lanes along the head dim; four keys' lane sums are folded into one vector.
     */
    private static final class DotItem {
        final Shape shape;
        final int headDim;
        final int rows;
        final float[] qs;      // [rows x headDim]: queries, scaled
        final float[] scores;  // [rows x KEY_BLOCK] (plus a vector of slack), then probabilities
        final float[] acc;     // [rows x headDim]
        final float[] max;
        final float[] sum;

        DotItem(Shape shape) {
            this.shape = shape;
            this.headDim = shape.headDim();
            this.rows = shape.group() * shape.T();
            this.qs = new float[rows * headDim];
            this.scores = new float[rows * KEY_BLOCK + 4 + L];
            this.acc = new float[rows * headDim];
            this.max = new float[rows];
            this.sum = new float[rows];
        }

        /** Every query position of every head reading kv head {@code kvHead}. */
        void run(int kvHead) {
            int positions = shape.T();
            float scale = shape.scale();
            for (int r = 0; r < rows; r++) {
                int at = shape.qOff() + shape.rowAt(kvHead, 0, positions, r);
                for (int d = 0; d < headDim; d++) {
                    qs[r * headDim + d] = shape.q()[at + d] * scale;
                }
            }
            Arrays.fill(acc, 0f);
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            Arrays.fill(sum, 0f);
            int kvStride = shape.kvStride();
            int keyEnd = shape.past() + positions;
            for (int j0 = 0; j0< keyEnd; j0 += KEY_BLOCK) {
                int kBase = shape.kOff() + j0 * kvStride + kvHead * headDim;
                int vBase = shape.vOff() + j0 * kvStride + kvHead * headDim;
                for (int r = 0; r < rows; r++) {
                    int seen = shape.past() + r % positions + 1;
                    int keys = Math.min(KEY_BLOCK, seen - j0);
                    if (keys <= 0) {
                        continue;
                    }
                    int p = r * KEY_BLOCK;
                    for (int j = 0; j < keys; j += 8) {
                        dot8(r * headDim, kBase, kvStride, j, keys, p + j);
                    }
                    float newMax = Math.max(max[r], Ops.max(scores, p, keys));
                    float shrink = (float) Math.exp(max[r] - newMax);
                    max[r] = newMax;
                    sum[r] = sum[r] * shrink + Ops.expShiftInPlace(scores, p, keys, newMax);
                    accumulate(r * headDim, p, vBase, kvStride, keys, shrink);
                }
            }
            for (int r = 0; r < rows; r++) {
                float inv = 1f / sum[r];
                int o = shape.outOff() + shape.rowAt(kvHead, 0, positions, r);
                for (int d = 0; d < headDim; d++) {
                    shape.out()[o + d] = acc[r * headDim + d] * inv;
                }
                shape.writeLse(kvHead, 0, positions, r, max[r] + (float) Math.log(sum[r]));
            }
        }

        /**
         * scores[at..at+8) = qs[q0..] . k for eight keys (the last repeated past {@code keys}); lanes past those are
         * written too and overwritten by the next call or never read. Eight accumulators hide the FMA latency.
         */
        private void dot8(int q0, int kBase, int kvStride, int j, int keys, int at) {
            float[] k = shape.k();
            int last = keys - 1;
            int k0 = kBase + j * kvStride;
            int k1 = kBase + Math.min(j + 1, last) * kvStride;
            int k2 = kBase + Math.min(j + 2, last) * kvStride;
            int k3 = kBase + Math.min(j + 3, last) * kvStride;
            int k4 = kBase + Math.min(j + 4, last) * kvStride;
            int k5 = kBase + Math.min(j + 5, last) * kvStride;
            int k6 = kBase + Math.min(j + 6, last) * kvStride;
            int k7 = kBase + Math.min(j + 7, last) * kvStride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            int d = 0;
            for (int bound = S.loopBound(headDim); d < bound; d += L) {
                FloatVector x = FloatVector.fromArray(S, qs, q0 + d);
                s0 = FloatVector.fromArray(S, k, k0 + d).fma(x, s0);
                s1 = FloatVector.fromArray(S, k, k1 + d).fma(x, s1);
                s2 = FloatVector.fromArray(S, k, k2 + d).fma(x, s2);
                s3 = FloatVector.fromArray(S, k, k3 + d).fma(x, s3);
                s4 = FloatVector.fromArray(S, k, k4 + d).fma(x, s4);
                s5 = FloatVector.fromArray(S, k, k5 + d).fma(x, s5);
                s6 = FloatVector.fromArray(S, k, k6 + d).fma(x, s6);
                s7 = FloatVector.fromArray(S, k, k7 + d).fma(x, s7);
            }
            laneSums(s0, s1, s2, s3).intoArray(scores, at);
            laneSums(s4, s5, s6, s7).intoArray(scores, at + 4);
            for (; d < headDim; d++) {
                float x = qs[q0 + d];
                scores[at] += x * k[k0 + d];
                scores[at + 1] += x * k[k1 + d];
                scores[at + 2] += x * k[k2 + d];
                scores[at + 3] += x * k[k3 + d];
                scores[at + 4] += x * k[k4 + d];
                scores[at + 5] += x * k[k5 + d];
                scores[at + 6] += x * k[k6 + d];
                scores[at + 7] += x * k[k7 + d];
            }
        }

        /**
         * The lane sums of four vectors in lanes 0..3: a fixed tree of adds (lanes 1 apart, then 2, 4, ...), the
         * same bits whether or not C2 compiled this. Pairs of vectors interleave, then pairs of pairs.
         */
        private static FloatVector laneSums(FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3) {
            FloatVector s01 = s0.add(s0.rearrange(SWAP_1)).blend(s1.add(s1.rearrange(SWAP_1)), ODD_LANES);
            FloatVector s23 = s2.add(s2.rearrange(SWAP_1)).blend(s3.add(s3.rearrange(SWAP_1)), ODD_LANES);
            FloatVector all = s01.add(s01.rearrange(SWAP_2)).blend(s23.add(s23.rearrange(SWAP_2)), LANES_2_3);
            if (L > 4) {
                all = all.add(all.rearrange(SWAP_4));
            }
            if (L > 8) {
                all = all.add(all.rearrange(SWAP_8));
            }
            return all;
        }

        /**
         * acc[a0..] = acc * shrink + sum over keys of p_j v_j: eight vectors of dims at a time where the head has
         * them (independent chains hide the FMA latency), then four, then one.
         */
        private void accumulate(int a0, int p, int vBase, int kvStride, int keys, float shrink) {
            float[] v = shape.v();
            int d = 0;
            for (int bound = headDim - 8 * L; d <= bound; d += 8 * L) {
                int o = a0 + d;
                FloatVector x0 = FloatVector.fromArray(S, acc, o).mul(shrink);
                FloatVector x1 = FloatVector.fromArray(S, acc, o + L).mul(shrink);
                FloatVector x2 = FloatVector.fromArray(S, acc, o + 2 * L).mul(shrink);
                FloatVector x3 = FloatVector.fromArray(S, acc, o + 3 * L).mul(shrink);
                FloatVector x4 = FloatVector.fromArray(S, acc, o + 4 * L).mul(shrink);
                FloatVector x5 = FloatVector.fromArray(S, acc, o + 5 * L).mul(shrink);
                FloatVector x6 = FloatVector.fromArray(S, acc, o + 6 * L).mul(shrink);
                FloatVector x7 = FloatVector.fromArray(S, acc, o + 7 * L).mul(shrink);
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    FloatVector e = FloatVector.broadcast(S, scores[p + j]);
                    x0 = FloatVector.fromArray(S, v, vj).fma(e, x0);
                    x1 = FloatVector.fromArray(S, v, vj + L).fma(e, x1);
                    x2 = FloatVector.fromArray(S, v, vj + 2 * L).fma(e, x2);
                    x3 = FloatVector.fromArray(S, v, vj + 3 * L).fma(e, x3);
                    x4 = FloatVector.fromArray(S, v, vj + 4 * L).fma(e, x4);
                    x5 = FloatVector.fromArray(S, v, vj + 5 * L).fma(e, x5);
                    x6 = FloatVector.fromArray(S, v, vj + 6 * L).fma(e, x6);
                    x7 = FloatVector.fromArray(S, v, vj + 7 * L).fma(e, x7);
                }
                x0.intoArray(acc, o);
                x1.intoArray(acc, o + L);
                x2.intoArray(acc, o + 2 * L);
                x3.intoArray(acc, o + 3 * L);
                x4.intoArray(acc, o + 4 * L);
                x5.intoArray(acc, o + 5 * L);
                x6.intoArray(acc, o + 6 * L);
                x7.intoArray(acc, o + 7 * L);
            }
            for (int bound = headDim - 4 * L; d <= bound; d += 4 * L) {
                FloatVector x0 = FloatVector.fromArray(S, acc, a0 + d).mul(shrink);
                FloatVector x1 = FloatVector.fromArray(S, acc, a0 + d + L).mul(shrink);
                FloatVector x2 = FloatVector.fromArray(S, acc, a0 + d + 2 * L).mul(shrink);
                FloatVector x3 = FloatVector.fromArray(S, acc, a0 + d + 3 * L).mul(shrink);
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    FloatVector e = FloatVector.broadcast(S, scores[p + j]);
                    x0 = FloatVector.fromArray(S, v, vj).fma(e, x0);
                    x1 = FloatVector.fromArray(S, v, vj + L).fma(e, x1);
                    x2 = FloatVector.fromArray(S, v, vj + 2 * L).fma(e, x2);
                    x3 = FloatVector.fromArray(S, v, vj + 3 * L).fma(e, x3);
                }
                x0.intoArray(acc, a0 + d);
                x1.intoArray(acc, a0 + d + L);
                x2.intoArray(acc, a0 + d + 2 * L);
                x3.intoArray(acc, a0 + d + 3 * L);
            }
            for (int bound = S.loopBound(headDim); d < bound; d += L) {
                FloatVector x = FloatVector.fromArray(S, acc, a0 + d).mul(shrink);
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    x = FloatVector.fromArray(S, v, vj).fma(FloatVector.broadcast(S, scores[p + j]), x);
                }
                x.intoArray(acc, a0 + d);
            }
            for (; d < headDim; d++) {
                float x = acc[a0 + d] * shrink;
                for (int j = 0, vj = vBase + d; j < keys; j++, vj += kvStride) {
                    x += scores[p + j] * v[vj];
                }
                acc[a0 + d] = x;
            }
        }
    }
}
