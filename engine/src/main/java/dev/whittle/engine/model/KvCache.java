package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Attention;
import dev.whittle.engine.tensor.DecodeAttention;

import java.util.Arrays;

/**
 * The keys and values (after RoPE) of the positions one sequence has already run through, per block, so the
 * next tokens attend to them without recomputing the prefix. Laid out for {@link DecodeAttention}, the kernel of a
 * decode step: the keys and the values of each kv head each in one run of blocks of positions (see
 * {@link DecodeAttention#packKeys} and {@link DecodeAttention#packValues}), so a decode step streams both front to
 * back; new rows are appended after the held ones.
 */
public final class KvCache {

    /**
     * New rows up to this many attend with {@link DecodeAttention}; more take the prefill kernel (row-major keys
     * unpacked first), which measured as fast at 8 rows after 1000 positions and faster beyond.
     */
    static final int DECODE_ROWS = 8;

    private final int kvHeads;
    private final int headDim;
    private final int valueWidth;   // floats per position of a kv head's values
    private final float[][] keys;   // per block: kv head h's key blocks from h * capacity * headDim
    private final float[][] values; // per block: kv head h's value blocks from h * valueFloats(capacity)
    private int capacity;           // positions, a whole number of key blocks
    private int length;

    public KvCache(int blocks, int kvHeads, int headDim, int initialCapacity) {
        if (blocks <= 0 || kvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("a cache needs blocks, kv heads and a head dim > 0, got " + blocks
                    + ", " + kvHeads + ", " + headDim);
        }
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.valueWidth = DecodeAttention.valueWidth(headDim);
        this.capacity = roundUp(Math.max(1, initialCapacity));
        this.keys = new float[blocks][(int) checkedSize(capacity, kvHeads * headDim)];
        this.values = new float[blocks][(int) checkedSize(capacity, kvHeads * valueWidth)];
    }

    /** Positions held. */
    public int length() {
        return length;
    }

    public int blocks() {
        return keys.length;
    }

    /** Forgets every position from {@code newLength} on, so a shared prefix can be reused. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + newLength);
        }
        length = newLength;
    }

    /** An independent copy of the held positions, with room for {@code extra} more. */
    public KvCache copy(int extra) {
        KvCache copy = new KvCache(keys.length, kvHeads, headDim, length + Math.max(0, extra));
        for (int b = 0; b < keys.length; b++) {
            copyInto(b, copy.keys[b], copy.capacity, copy.values[b]);
        }
        copy.length = length;
        return copy;
    }

    /**
     * Attention of the {@code T} new rows of {@code block} (appended already) over every position they see:
     * {@link Attention#causal}'s contract with the cache's keys and values, q and out {@code [T x nHeads*headDim]}.
     */
    void attend(int block, int T, int nHeads, float[] q, int qOff, float[] out, int outOff, float[] lse) {
        int kvDim = kvHeads * headDim;
        if (T <= DECODE_ROWS) {
            DecodeAttention.decode(T, length, nHeads, kvHeads, headDim, q, qOff, keys[block], capacity * headDim,
                    values[block], capacity, out, outOff, lse);
            return;
        }
        // The prefill kernel reads row-major keys and values: unpacking them costs one pass, small beside T rows of
        // attention (a copy per call rather than one kept per cache: a batch of generations holds many caches).
        int positions = length + T;
        float[] rowKeys = new float[positions * kvDim];
        float[] rowValues = new float[positions * kvDim];
        DecodeAttention.unpackKeys(positions, kvHeads, headDim, keys[block], capacity * headDim, rowKeys, 0);
        DecodeAttention.unpackValues(positions, kvHeads, headDim, values[block], capacity, rowValues, 0);
        Attention.causal(T, length, nHeads, kvHeads, headDim, q, qOff, rowKeys, 0, rowValues, 0, out, outOff, lse);
    }

    /** Makes room for {@code rows} positions after the held ones (before a forward writes them). */
    void reserve(int rows) {
        int needed = length + rows;
        if (needed > capacity) {
            int kvDim = kvHeads * valueWidth; // floats per position of the values, the wider array
            int block = DecodeAttention.keysPerBlock();
            long most = (Integer.MAX_VALUE - 8L) / kvDim / block * block; // positions one array holds
            int grown = (int) Math.min(most, (Math.max(needed, 2L * capacity) + block - 1) / block * block);
            if (grown < needed) {
                throw new IllegalArgumentException("a cache of " + needed + " positions x " + kvDim
                        + " does not fit in one array");
            }
            for (int b = 0; b < keys.length; b++) {
                float[] k = new float[grown * kvHeads * headDim];
                float[] v = new float[grown * kvDim];
                copyInto(b, k, grown, v);
                keys[b] = k;
                values[b] = v;
            }
            capacity = grown;
        }
    }

    /** Stores the new rows of {@code block} ({@code [rows x kvHeads*headDim]} each) after the held positions. */
    void append(int block, int rows, float[] k, int kOff, float[] v, int vOff) {
        DecodeAttention.packKeys(length, rows, kvHeads, headDim, k, kOff, keys[block], capacity * headDim);
        DecodeAttention.packValues(length, rows, kvHeads, headDim, v, vOff, values[block], capacity);
    }

    /** Counts the rows of a finished forward as held. */
    void advance(int rows) {
        length += rows;
    }

    /** Copies the held positions of {@code block} into arrays laid out for {@code toCapacity} positions. */
    private void copyInto(int block, float[] toKeys, int toCapacity, float[] toValues) {
        int keyRun = (int) DecodeAttention.keyFloats(length, headDim);
        for (int h = 0; h < kvHeads; h++) {
            System.arraycopy(keys[block], h * capacity * headDim, toKeys, h * toCapacity * headDim, keyRun);
        }
        DecodeAttention.copyValues(length, kvHeads, headDim, values[block], capacity, toValues, toCapacity);
    }

    /** Positions rounded up to whole key blocks. */
    private static int roundUp(int positions) {
        int block = DecodeAttention.keysPerBlock();
        return (positions + block - 1) / block * block;
    }

    private static long checkedSize(int rows, int cols) {
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a cache of " + rows + " positions x " + cols + " does not fit in one array");
        }
        return size;
    }
}
