package dev.whittle.engine.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of a few new query rows (decoding, a speculative draft, a short continuation) over a key/value cache
 * laid out per kv head: each kv head's keys one contiguous run (so a decode step streams them front to back) of
 * blocks of {@link #keysPerBlock()} positions, each block transposed ({@code [block][dim][lane]}, lane j holding
 * position {@code block * L + j}), and its values another of blocks of {@link #valuesPerBlock()} positions (the
 * last of a capacity holding what remains), each {@code [dim vector][position][lane]} (a head's dims padded to
 * whole vectors, {@link #valueWidth}).
 * <p>
 * Why transposed keys: a GQA group of g query heads reads each key g times. Here one vector load of a block's dim
 * feeds g FMAs (a broadcast query element each), and the block's L scores land in one register, lane j the score
 * of key j: no horizontal sum per score, and the online softmax (max, exp, sum) runs on whole vectors of scores.
 * Why blocked values: the value step ({@code out += p * v}) keeps a register tile of rows x dim vectors and walks
 * the tile's positions; in a value block one dim vector of consecutive positions lies L floats apart, a stride C2
 * knows, so it drops the loads' range checks, and the pass reads memory in order.
 * <p>
 * A work item is one kv head, all rows that read it and one split of the keys ({@link #SPLIT_KEYS}); the splits'
 * partial outputs are merged in a fixed order, so the result does not depend on the thread count (or on whether
 * C2 compiled the loops: no {@code reduceLanes(ADD)}, exp from {@link VectorMath}).
 */
public final class DecodeAttention {

    private static final VectorSpecies<Float> S = Ops.S;
    private static final int L = S.length();
    /**
     * Key blocks per step of the online softmax: each step's max, rescale and register-tile loads and stores are
     * spread over 128 keys (measured a few percent faster than 64).
     */
    static final int TILE_BLOCKS = 16;
    private static final int TILE = TILE_BLOCKS * L;
    /**
     * Keys per split of a long cache (a multiple of the tile): splits are work items of their own, merged by
     * log-sum-exp, so a few kv heads still spread over the threads. Fixed, not chosen from the thread count, so
     * the result has the same bits on any number of threads.
     */
    static final int SPLIT_KEYS = 512;

    private DecodeAttention() {
    }

    /** Positions per transposed key block: the vector width. */
    public static int keysPerBlock() {
        return L;
    }

    /** Floats of one kv head's keys for {@code positions} positions in the blocked layout (whole blocks). */
    public static long keyFloats(int positions, int headDim) {
        return (long) blocks(positions) * L * headDim;
    }

    private static int blocks(int positions) {
        return (positions + L - 1) / L;
    }

    /** Positions per value block (the tile of the online softmax), all but the last of a capacity. */
    public static int valuesPerBlock() {
        return TILE;
    }

    /** Floats of one kv head's values laid out for {@code capacity} positions. */
    public static long valueFloats(int capacity, int headDim) {
        return (long) capacity * valueWidth(headDim);
    }

    /** Floats per position of a kv head's values: its dims in whole vectors, as a value block stores them. */
    public static int valueWidth(int headDim) {
        return (headDim + L - 1) / L * L;
    }

    /**
     * Positions of the value block from {@code start} of a layout for {@code capacity} positions: a whole block but
     * the last, which holds what remains, so the values take no room past the capacity.
     */
    private static int blockRows(int start, int capacity) {
        return Math.min(TILE, capacity - start);
    }

    /** Where value dim d of position pos sits in its kv head's blocks: vector d / L of its block, row pos % TILE. */
    private static int valueAt(int pos, int d, int headDim, int capacity) {
        int start = pos / TILE * TILE;
        return start * valueWidth(headDim) + (d / L) * blockRows(start, capacity) * L + (pos - start) * L + d % L;
    }

    /**
     * Writes row-major keys {@code k[rows x nKvHeads*headDim]} from {@code kOff} as positions {@code from..} of
     * {@code kt}, kv head h's blocks from {@code h * headStride}.
     */
    public static void packKeys(int from, int rows, int nKvHeads, int headDim, float[] k, int kOff,
                                float[] kt, int headStride) {
        for (int r = 0; r < rows; r++) {
            int pos = from + r;
            int src = kOff + r * nKvHeads * headDim;
            for (int h = 0; h < nKvHeads; h++) {
                int dst = h * headStride + (pos / L) * L * headDim + pos % L;
                for (int d = 0; d < headDim; d++) {
                    kt[dst + d * L] = k[src + h * headDim + d];
                }
            }
        }
    }

    /** The inverse of {@link #packKeys}: positions {@code 0..positions} as row-major rows of k from {@code kOff}. */
    public static void unpackKeys(int positions, int nKvHeads, int headDim, float[] kt, int headStride,
                                  float[] k, int kOff) {
        for (int pos = 0; pos < positions; pos++) {
            int dst = kOff + pos * nKvHeads * headDim;
            for (int h = 0; h < nKvHeads; h++) {
                int src = h * headStride + (pos / L) * L * headDim + pos % L;
                for (int d = 0; d < headDim; d++) {
                    k[dst + h * headDim + d] = kt[src + d * L];
                }
            }
        }
    }

    /**
     * Writes row-major values {@code v[rows x nKvHeads*headDim]} from {@code vOff} as positions {@code from..} of
     * {@code vt}, laid out for {@code capacity} positions (kv head h's blocks from {@code h * valueFloats(capacity)});
     * the padding of a last partial vector of dims is left as it was.
     */
    public static void packValues(int from, int rows, int nKvHeads, int headDim, float[] v, int vOff,
                                  float[] vt, int capacity) {
        long headStride = valueFloats(capacity, headDim);
        for (int r = 0; r < rows; r++) {
            int src = vOff + r * nKvHeads * headDim;
            for (int h = 0; h < nKvHeads; h++) {
                for (int d = 0; d < headDim; d++) {
                    vt[(int) (h * headStride) + valueAt(from + r, d, headDim, capacity)] = v[src + h * headDim + d];
                }
            }
        }
    }

    /** The inverse of {@link #packValues}: positions {@code 0..positions} as row-major rows of v from {@code vOff}. */
    public static void unpackValues(int positions, int nKvHeads, int headDim, float[] vt, int capacity,
                                    float[] v, int vOff) {
        long headStride = valueFloats(capacity, headDim);
        for (int pos = 0; pos < positions; pos++) {
            int dst = vOff + pos * nKvHeads * headDim;
            for (int h = 0; h < nKvHeads; h++) {
                for (int d = 0; d < headDim; d++) {
                    v[dst + h * headDim + d] = vt[(int) (h * headStride) + valueAt(pos, d, headDim, capacity)];
                }
            }
        }
    }

    /**
     * Copies positions {@code 0..positions} of values laid out for {@code fromCapacity} positions into a layout for
     * {@code toCapacity}: the blocks are the same but the last, whose rows (and so its vectors' places) follow the
     * capacity.
     */
    public static void copyValues(int positions, int nKvHeads, int headDim, float[] from, int fromCapacity,
                                  float[] to, int toCapacity) {
        int width = valueWidth(headDim);
        for (int h = 0; h < nKvHeads; h++) {
            int src = (int) (h * valueFloats(fromCapacity, headDim));
            int dst = (int) (h * valueFloats(toCapacity, headDim));
            for (int start = 0; start < positions; start += TILE) {
                int fromRows = blockRows(start, fromCapacity), toRows = blockRows(start, toCapacity);
                int rows = Math.min(TILE, positions - start);
                for (int x = 0; x < width / L; x++) {
                    System.arraycopy(from, src + start * width + x * fromRows * L,
                            to, dst + start * width + x * toRows * L, rows * L);
                }
            }
        }
    }

    /**
     * {@code out = softmax(q k^T / sqrt(headDim) + causal mask) v} per head, as {@link Attention#causal} computes
     * it, over keys in the blocked layout: row i of {@code T} sits at position {@code past + i} and sees keys
     * {@code 0 .. past + i}; head h reads kv head {@code h / (nHeads / nKvHeads)}.
     *
     * @param q           {@code [T x nHeads*headDim]} from {@code qOff}
     * @param kt          {@code past + T} positions per kv head in the blocked layout (see {@link #packKeys})
     * @param kHeadStride floats from one kv head's key blocks to the next's
     * @param vt          values in the blocked layout for {@code vCapacity >= past + T} positions (see
     *                    {@link #packValues})
     * @param out         {@code [T x nHeads*headDim]} from {@code outOff}
     * @param lse         nullable; receives {@code log(sum(exp(scores)))} of row i, head h at {@code i * nHeads + h}
     */
    public static void decode(int T, int past, int nHeads, int nKvHeads, int headDim,
                              float[] q, int qOff, float[] kt, int kHeadStride,
                              float[] vt, int vCapacity, float[] out, int outOff, float[] lse) {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("attention: nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if (T < 0 || past < 0 || headDim <= 0) {
            throw new IllegalArgumentException("attention: bad shape T=" + T + " past=" + past + " headDim=" + headDim);
        }
        int positions = past + T;
        long qFloats = (long) T * nHeads * headDim;
        if (qOff < 0 || qOff + qFloats > q.length || outOff < 0 || outOff + qFloats > out.length
                || kHeadStride < keyFloats(positions, headDim)
                || (long) (nKvHeads - 1) * kHeadStride + keyFloats(positions, headDim) > kt.length
                || vCapacity < positions || nKvHeads * valueFloats(vCapacity, headDim) > vt.length
                || (lse != null && (long) T * nHeads > lse.length)) {
            throw new IllegalArgumentException("attention: arrays too small for T=" + T + " past=" + past
                    + " heads=" + nHeads + "/" + nKvHeads + " headDim=" + headDim);
        }
        if (T == 0) {
            return;
        }
        Shape shape = new Shape(T, past, nHeads, nKvHeads, headDim, q, qOff, kt, kHeadStride, vt, vCapacity,
                out, outOff, lse);
        int splits = shape.splits();
        int rows = shape.group() * T;
        Partials partials = new Partials(nKvHeads * splits * rows, headDim);
        // Items are (kv head, split) pairs, a kv head's splits next to each other so they share its queries.
        Parallel.forChunks(nKvHeads * splits, 1, (i0, i1) -> {
            Item item = new Item(shape);
            for (int i = i0; i < i1; i++) {
                item.run(i / splits, i % splits, partials);
            }
        });
        for (int h = 0; h < nKvHeads; h++) {
            for (int r = 0; r < rows; r++) {
                merge(shape, partials, h, r, splits);
            }
        }
    }

    /**
     * Each (kv head, split, row)'s running max, sum and unnormalised output over the split's keys (a split the
     * row sees none of has max minus infinity, sum and output 0).
     */
    private record Partials(float[] max, float[] sum, float[] acc) {
        Partials(int count, int headDim) {
            this(new float[count], new float[count], new float[count * headDim]);
        }
    }

    /**
     * Row r of kv head h from its splits' partials, in split order (flash-decoding's log-sum-exp merge): each split
     * scales by {@code exp(its max - the overall max)}. With one split the factor is exactly 1.
     */
    private static void merge(Shape shape, Partials partials, int h, int r, int splits) {
        int rows = shape.group() * shape.T();
        int headDim = shape.headDim();
        int first = h * splits * rows + r; // the row's partial in split s is at first + s * rows
        float top = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < splits; s++) {
            top = Math.max(top, partials.max()[first + s * rows]);
        }
        float[] factor = new float[splits];
        float sum = 0f;
        for (int s = 0; s < splits; s++) {
            factor[s] = VectorMath.expNonPositive(FloatVector.broadcast(S, partials.max()[first + s * rows] - top)).lane(0);
            sum += partials.sum()[first + s * rows] * factor[s];
        }
        float inv = 1f / sum;
        int o = shape.outOff() + shape.rowAt(h, r);
        for (int d = 0; d < headDim; d++) {
            float x = 0f;
            for (int s = 0; s < splits; s++) {
                x += partials.acc()[(first + s * rows) * headDim + d] * factor[s];
            }
            shape.out()[o + d] = x * inv;
        }
        if (shape.lse() != null) {
            shape.lse()[(r % shape.T()) * shape.nHeads() + h * shape.group() + r / shape.T()] =
                    top + (float) Math.log(sum);
        }
    }

    /** The call's arguments. */
    private record Shape(int T, int past, int nHeads, int nKvHeads, int headDim, float[] q, int qOff, float[] kt,
                         int kHeadStride, float[] vt, int vCapacity, float[] out, int outOff, float[] lse) {
        int group() {
            return nHeads / nKvHeads;
        }

        int splits() {
            return (past + T + SPLIT_KEYS - 1) / SPLIT_KEYS;
        }

        /** Where row r of kv head {@code kvHead} (rows head-major, positions within a head) reads q and writes out. */
        int rowAt(int kvHead, int r) {
            return (r % T) * nHeads * headDim + (kvHead * group() + r / T) * headDim;
        }
    }

    /**
     * One thread's scratch for an item: per row the scaled query, the tile's scores (then probabilities), the
     * unnormalised output, the running max and the running sum (per lane, summed in a fixed order at the end).
     */
    private static final class Item {
        final Shape shape;
        final int headDim;
        final int width;      // headDim in whole vectors, as a value block stores it
        final int rows;
        final float[] qs;     // [rows x headDim]
        final float[] p;      // [rows x TILE]
        final float[] acc;    // [rows x width]
        final float[] sums;   // [rows x L]
        final float[] max;    // [rows]
        final float[] shrink; // [rows]: how much the output so far shrinks at this tile
        int queriesOf = -1;   // the kv head whose rows qs holds

        Item(Shape shape) {
            this.shape = shape;
            this.headDim = shape.headDim();
            this.width = valueWidth(headDim);
            this.rows = shape.group() * shape.T();
            this.qs = new float[rows * headDim];
            this.p = new float[rows * TILE];
            this.acc = new float[rows * width];
            this.sums = new float[rows * L];
            this.max = new float[rows];
            this.shrink = new float[rows];
        }

        /** The partials of kv head {@code kvHead}'s rows over the keys of split {@code split}. */
        void run(int kvHead, int split, Partials partials) {
            if (kvHead != queriesOf) {
                float scale = (float) (1.0 / Math.sqrt(headDim));
                for (int r = 0; r < rows; r++) {
                    int at = shape.qOff() + shape.rowAt(kvHead, r);
                    for (int d = 0; d < headDim; d++) {
                        qs[r * headDim + d] = shape.q()[at + d] * scale;
                    }
                }
                queriesOf = kvHead;
            }
            Arrays.fill(acc, 0f);
            Arrays.fill(sums, 0f);
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            int keyEnd = Math.min(shape.past() + shape.T(), (split + 1) * SPLIT_KEYS);
            int blockStride = L * headDim;
            for (int t0 = split * SPLIT_KEYS; t0 < keyEnd; t0 += TILE) {
                int keys = Math.min(TILE, keyEnd - t0);
                int blocks = blocks(keys);
                int kBase = kvHead * shape.kHeadStride() + t0 * headDim; // the tile's first block
                int r = 0;
                for (; r + 4 <= rows; r += 4) {
                    for (int b = 0; b < blocks; b += 2) {
                        scores4(r, kBase, blockStride, b, Math.min(b + 1, blocks - 1));
                    }
                }
                for (; r + 2 <= rows; r += 2) {
                    for (int b = 0; b < blocks; b += 4) {
                        scores2(r, kBase, blockStride, b, blocks);
                    }
                }
                for (; r < rows; r++) {
                    for (int b = 0; b < blocks; b += 8) {
                        scores1(r, kBase, blockStride, b, blocks);
                    }
                }
                for (r = 0; r < rows; r++) {
                    softmaxStep(r, t0, keys, blocks);
                }
                int vBase = (int) (kvHead * valueFloats(shape.vCapacity(), headDim)) + t0 * width; // the tile's block
                accumulate(vBase, blockRows(t0, shape.vCapacity()), keys);
            }
            int first = (kvHead * shape.splits() + split) * rows;
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                for (int i = 0; i < L; i++) {
                    sum += sums[r * L + i];
                }
                partials.max()[first + r] = max[r];
                partials.sum()[first + r] = sum;
                System.arraycopy(acc, r * width, partials.acc(), (first + r) * headDim, headDim);
            }
        }

        /** Scores of rows {@code r..r+4} for blocks a and b of the tile (b may equal a: it is stored first). */
        private void scores4(int r, int kBase, int blockStride, int a, int b) {
            float[] kt = shape.kt();
            int ka = kBase + a * blockStride;
            int kb = kBase + b * blockStride;
            int q0 = r * headDim, q1 = q0 + headDim, q2 = q1 + headDim, q3 = q2 + headDim;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int d = 0; d < headDim; d++) {
                FloatVector x = FloatVector.fromArray(S, kt, ka + d * L);
                FloatVector y = FloatVector.fromArray(S, kt, kb + d * L);
                FloatVector e = FloatVector.broadcast(S, qs[q0 + d]);
                s0 = x.fma(e, s0);
                t0 = y.fma(e, t0);
                e = FloatVector.broadcast(S, qs[q1 + d]);
                s1 = x.fma(e, s1);
                t1 = y.fma(e, t1);
                e = FloatVector.broadcast(S, qs[q2 + d]);
                s2 = x.fma(e, s2);
                t2 = y.fma(e, t2);
                e = FloatVector.broadcast(S, qs[q3 + d]);
                s3 = x.fma(e, s3);
                t3 = y.fma(e, t3);
            }
            int o = r * TILE;
            t0.intoArray(p, o + b * L);
            t1.intoArray(p, o + TILE + b * L);
            t2.intoArray(p, o + 2 * TILE + b * L);
            t3.intoArray(p, o + 3 * TILE + b * L);
            s0.intoArray(p, o + a * L);
            s1.intoArray(p, o + TILE + a * L);
            s2.intoArray(p, o + 2 * TILE + a * L);
            s3.intoArray(p, o + 3 * TILE + a * L);
        }

        /** Scores of rows {@code r, r+1} for blocks {@code b..b+4} of the tile (past the last, the last again). */
        private void scores2(int r, int kBase, int blockStride, int b, int blocks) {
            float[] kt = shape.kt();
            int b1 = Math.min(b + 1, blocks - 1), b2 = Math.min(b + 2, blocks - 1), b3 = Math.min(b + 3, blocks - 1);
            int k0 = kBase + b * blockStride, k1 = kBase + b1 * blockStride;
            int k2 = kBase + b2 * blockStride, k3 = kBase + b3 * blockStride;
            int q0 = r * headDim, q1 = q0 + headDim;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int d = 0; d < headDim; d++) {
                FloatVector e = FloatVector.broadcast(S, qs[q0 + d]);
                FloatVector f = FloatVector.broadcast(S, qs[q1 + d]);
                FloatVector x = FloatVector.fromArray(S, kt, k0 + d * L);
                s0 = x.fma(e, s0);
                t0 = x.fma(f, t0);
                x = FloatVector.fromArray(S, kt, k1 + d * L);
                s1 = x.fma(e, s1);
                t1 = x.fma(f, t1);
                x = FloatVector.fromArray(S, kt, k2 + d * L);
                s2 = x.fma(e, s2);
                t2 = x.fma(f, t2);
                x = FloatVector.fromArray(S, kt, k3 + d * L);
                s3 = x.fma(e, s3);
                t3 = x.fma(f, t3);
            }
            // Highest block first: a repeated block is overwritten by the same values.
            int o = r * TILE;
            s3.intoArray(p, o + b3 * L);
            t3.intoArray(p, o + TILE + b3 * L);
            s2.intoArray(p, o + b2 * L);
            t2.intoArray(p, o + TILE + b2 * L);
            s1.intoArray(p, o + b1 * L);
            t1.intoArray(p, o + TILE + b1 * L);
            s0.intoArray(p, o + b * L);
            t0.intoArray(p, o + TILE + b * L);
        }

        /**
         * Scores of row r for blocks {@code b..b+8} of the tile: eight accumulators (blocks past the last repeat
         * it).
         */
        private void scores1(int r, int kBase, int blockStride, int b, int blocks) {
            float[] kt = shape.kt();
            int last = blocks - 1 - b; // counted from b
            int step = blockStride;
            kBase += b * step;
            int k0 = kBase, k1 = kBase + Math.min(1, last) * step, k2 = kBase + Math.min(2, last) * step;
            int k3 = kBase + Math.min(3, last) * step, k4 = kBase + Math.min(4, last) * step;
            int k5 = kBase + Math.min(5, last) * step, k6 = kBase + Math.min(6, last) * step;
            int k7 = kBase + Math.min(7, last) * step;
            int q0 = r * headDim;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int d = 0; d < headDim; d++) {
                FloatVector e = FloatVector.broadcast(S, qs[q0 + d]);
                int o = d * L;
                s0 = FloatVector.fromArray(S, kt, k0 + o).fma(e, s0);
                s1 = FloatVector.fromArray(S, kt, k1 + o).fma(e, s1);
                s2 = FloatVector.fromArray(S, kt, k2 + o).fma(e, s2);
                s3 = FloatVector.fromArray(S, kt, k3 + o).fma(e, s3);
                s4 = FloatVector.fromArray(S, kt, k4 + o).fma(e, s4);
                s5 = FloatVector.fromArray(S, kt, k5 + o).fma(e, s5);
                s6 = FloatVector.fromArray(S, kt, k6 + o).fma(e, s6);
                s7 = FloatVector.fromArray(S, kt, k7 + o).fma(e, s7);
            }
            int o = r * TILE + b * L;
            s7.intoArray(p, o + Math.min(7, last) * L);
            s6.intoArray(p, o + Math.min(6, last) * L);
            s5.intoArray(p, o + Math.min(5, last) * L);
            s4.intoArray(p, o + Math.min(4, last) * L);
            s3.intoArray(p, o + Math.min(3, last) * L);
            s2.intoArray(p, o + Math.min(2, last) * L);
            s1.intoArray(p, o + Math.min(1, last) * L);
            s0.intoArray(p, o);
        }

        /**
         * Online softmax of row r over the tile's keys {@code t0 .. t0+keys}: hides the keys past the row's
         * position, raises the running max, shrinks the sum (and, later, the output) and turns the scores into
         * {@code exp(score - max)}. Key 0 is always seen, so after the first tile the max is finite.
         */
        private void softmaxStep(int r, int t0, int keys, int blocks) {
            int seen = Math.min(keys, shape.past() + r % shape.T() + 1 - t0); // keys of this tile the row sees
            int o = r * TILE;
            FloatVector hidden = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            FloatVector top = hidden;
            for (int b = 0; b < blocks; b++) {
                FloatVector s = FloatVector.fromArray(S, p, o + b * L);
                if ((b + 1) * L > seen) {
                    VectorMask<Float> visible = S.indexInRange(b * L, seen);
                    s = hidden.blend(s, visible);
                    s.intoArray(p, o + b * L);
                }
                top = top.max(s);
            }
            float newMax = Math.max(max[r], top.reduceLanes(VectorOperators.MAX));
            if (newMax == Float.NEGATIVE_INFINITY) { // the row sees none of the split's keys yet
                Arrays.fill(p, o, o + blocks * L, 0f);
                shrink[r] = 1f;
                return;
            }
            FloatVector m = FloatVector.broadcast(S, newMax);
            FloatVector shrinkV = VectorMath.expNonPositive(FloatVector.broadcast(S, max[r]).sub(m));
            FloatVector total = FloatVector.fromArray(S, sums, r * L).mul(shrinkV);
            for (int b = 0; b < blocks; b++) {
                FloatVector e = VectorMath.expNonPositive(FloatVector.fromArray(S, p, o + b * L).sub(m));
                e.intoArray(p, o + b * L);
                total = total.add(e);
            }
            total.intoArray(sums, r * L);
            max[r] = newMax;
            shrink[r] = shrinkV.lane(0);
        }

        /**
         * acc[row] = acc * shrink + sum over the tile's keys of p[row][j] v[j], in register tiles of rows x dim
         * vectors, each loading a value vector once for its rows. {@code vBase}: the tile's value block, of
         * {@code blockRows} positions.
         */
        private void accumulate(int vBase, int blockRows, int keys) {
            for (int r = 0; r < rows; r++) {
                FloatVector c = FloatVector.broadcast(S, shrink[r]);
                for (int d = r * width; d < (r + 1) * width; d += L) {
                    FloatVector.fromArray(S, acc, d).mul(c).intoArray(acc, d);
                }
            }
            int vectors = width / L;
            int step = blockRows * L; // from one dim vector of the block to the next
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                for (int x = 0; x < vectors; x += 2) {
                    values4(r, vBase, step, keys, x, Math.min(x + 1, vectors - 1));
                }
            }
            for (; r + 2 <= rows; r += 2) {
                for (int x = 0; x < vectors; x += 4) {
                    values2(r, vBase, step, keys, x, vectors);
                }
            }
            for (; r < rows; r++) {
                for (int x = 0; x < vectors; x += 8) {
                    values1(r, vBase, step, keys, x, vectors);
                }
            }
        }

        /** Rows {@code r..r+4}, dim vectors x and y (y may equal x: it is stored first). */
        private void values4(int r, int vBase, int step, int keys, int x, int y) {
            float[] v = shape.vt();
            int a = x * L, b = y * L;
            int a0 = r * width, a1 = a0 + width, a2 = a1 + width, a3 = a2 + width;
            FloatVector x0 = FloatVector.fromArray(S, acc, a0 + a);
            FloatVector x1 = FloatVector.fromArray(S, acc, a1 + a);
            FloatVector x2 = FloatVector.fromArray(S, acc, a2 + a);
            FloatVector x3 = FloatVector.fromArray(S, acc, a3 + a);
            FloatVector y0 = FloatVector.fromArray(S, acc, a0 + b);
            FloatVector y1 = FloatVector.fromArray(S, acc, a1 + b);
            FloatVector y2 = FloatVector.fromArray(S, acc, a2 + b);
            FloatVector y3 = FloatVector.fromArray(S, acc, a3 + b);
            int va = vBase + x * step, vb = vBase + y * step;
            int p0 = r * TILE;
            for (int j = 0; j < keys; j++) {
                FloatVector wa = FloatVector.fromArray(S, v, va + j * L);
                FloatVector wb = FloatVector.fromArray(S, v, vb + j * L);
                FloatVector e = FloatVector.broadcast(S, p[p0 + j]);
                x0 = wa.fma(e, x0);
                y0 = wb.fma(e, y0);
                e = FloatVector.broadcast(S, p[p0 + TILE + j]);
                x1 = wa.fma(e, x1);
                y1 = wb.fma(e, y1);
                e = FloatVector.broadcast(S, p[p0 + 2 * TILE + j]);
                x2 = wa.fma(e, x2);
                y2 = wb.fma(e, y2);
                e = FloatVector.broadcast(S, p[p0 + 3 * TILE + j]);
                x3 = wa.fma(e, x3);
                y3 = wb.fma(e, y3);
            }
            y0.intoArray(acc, a0 + b);
            y1.intoArray(acc, a1 + b);
            y2.intoArray(acc, a2 + b);
            y3.intoArray(acc, a3 + b);
            x0.intoArray(acc, a0 + a);
            x1.intoArray(acc, a1 + a);
            x2.intoArray(acc, a2 + a);
            x3.intoArray(acc, a3 + a);
        }

        /** Rows r and r+1, dim vectors {@code x..x+4} (past the last, the last again). */
        private void values2(int r, int vBase, int step, int keys, int x, int vectors) {
            float[] v = shape.vt();
            int last = vectors - 1;
            int x1 = Math.min(x + 1, last), x2 = Math.min(x + 2, last), x3 = Math.min(x + 3, last);
            int a0 = r * width, b0 = a0 + width;
            FloatVector s0 = FloatVector.fromArray(S, acc, a0 + x * L);
            FloatVector s1 = FloatVector.fromArray(S, acc, a0 + x1 * L);
            FloatVector s2 = FloatVector.fromArray(S, acc, a0 + x2 * L);
            FloatVector s3 = FloatVector.fromArray(S, acc, a0 + x3 * L);
            FloatVector t0 = FloatVector.fromArray(S, acc, b0 + x * L);
            FloatVector t1 = FloatVector.fromArray(S, acc, b0 + x1 * L);
            FloatVector t2 = FloatVector.fromArray(S, acc, b0 + x2 * L);
            FloatVector t3 = FloatVector.fromArray(S, acc, b0 + x3 * L);
            int v0 = vBase + x * step, v1 = vBase + x1 * step, v2 = vBase + x2 * step, v3 = vBase + x3 * step;
            int p0 = r * TILE, p1 = p0 + TILE;
            for (int j = 0; j < keys; j++) {
                FloatVector e = FloatVector.broadcast(S, p[p0 + j]);
                FloatVector f = FloatVector.broadcast(S, p[p1 + j]);
                FloatVector w = FloatVector.fromArray(S, v, v0 + j * L);
                s0 = w.fma(e, s0);
                t0 = w.fma(f, t0);
                w = FloatVector.fromArray(S, v, v1 + j * L);
                s1 = w.fma(e, s1);
                t1 = w.fma(f, t1);
                w = FloatVector.fromArray(S, v, v2 + j * L);
                s2 = w.fma(e, s2);
                t2 = w.fma(f, t2);
                w = FloatVector.fromArray(S, v, v3 + j * L);
                s3 = w.fma(e, s3);
                t3 = w.fma(f, t3);
            }
            // Highest first: repeated dims hold the same values.
            t3.intoArray(acc, b0 + x3 * L);
            t2.intoArray(acc, b0 + x2 * L);
            t1.intoArray(acc, b0 + x1 * L);
            t0.intoArray(acc, b0 + x * L);
            s3.intoArray(acc, a0 + x3 * L);
            s2.intoArray(acc, a0 + x2 * L);
            s1.intoArray(acc, a0 + x1 * L);
            s0.intoArray(acc, a0 + x * L);
        }

        /** Row r, dim vectors {@code x..x+8} (past the last, the last again): eight accumulators. */
        private void values1(int r, int vBase, int step, int keys, int x, int vectors) {
            float[] v = shape.vt();
            int last = vectors - 1;
            int x1 = Math.min(x + 1, last), x2 = Math.min(x + 2, last), x3 = Math.min(x + 3, last);
            int x4 = Math.min(x + 4, last), x5 = Math.min(x + 5, last), x6 = Math.min(x + 6, last);
            int x7 = Math.min(x + 7, last);
            int a = r * width;
            FloatVector s0 = FloatVector.fromArray(S, acc, a + x * L);
            FloatVector s1 = FloatVector.fromArray(S, acc, a + x1 * L);
            FloatVector s2 = FloatVector.fromArray(S, acc, a + x2 * L);
            FloatVector s3 = FloatVector.fromArray(S, acc, a + x3 * L);
            FloatVector s4 = FloatVector.fromArray(S, acc, a + x4 * L);
            FloatVector s5 = FloatVector.fromArray(S, acc, a + x5 * L);
            FloatVector s6 = FloatVector.fromArray(S, acc, a + x6 * L);
            FloatVector s7 = FloatVector.fromArray(S, acc, a + x7 * L);
            int v0 = vBase + x * step, v1 = vBase + x1 * step, v2 = vBase + x2 * step, v3 = vBase + x3 * step;
            int v4 = vBase + x4 * step, v5 = vBase + x5 * step, v6 = vBase + x6 * step, v7 = vBase + x7 * step;
            int p0 = r * TILE;
            for (int j = 0; j < keys; j++) {
                FloatVector e = FloatVector.broadcast(S, p[p0 + j]);
                int o = j * L;
                s0 = FloatVector.fromArray(S, v, v0 + o).fma(e, s0);
                s1 = FloatVector.fromArray(S, v, v1 + o).fma(e, s1);
                s2 = FloatVector.fromArray(S, v, v2 + o).fma(e, s2);
                s3 = FloatVector.fromArray(S, v, v3 + o).fma(e, s3);
                s4 = FloatVector.fromArray(S, v, v4 + o).fma(e, s4);
                s5 = FloatVector.fromArray(S, v, v5 + o).fma(e, s5);
                s6 = FloatVector.fromArray(S, v, v6 + o).fma(e, s6);
                s7 = FloatVector.fromArray(S, v, v7 + o).fma(e, s7);
            }
            s7.intoArray(acc, a + x7 * L);
            s6.intoArray(acc, a + x6 * L);
            s5.intoArray(acc, a + x5 * L);
            s4.intoArray(acc, a + x4 * L);
            s3.intoArray(acc, a + x3 * L);
            s2.intoArray(acc, a + x2 * L);
            s1.intoArray(acc, a + x1 * L);
            s0.intoArray(acc, a + x * L);
        }
    }
}
