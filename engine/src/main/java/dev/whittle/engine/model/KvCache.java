package dev.whittle.engine.model;

import java.util.Arrays;

/**
 * The keys and values (after RoPE) of the positions one sequence has already run through, per block, so the
 * next tokens attend to them without recomputing the prefix. Rows are {@code [position x kvHeads*headDim]}, the
 * layout attention reads: cached rows first, new rows appended after them.
 */
public final class KvCache {

    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;
    private int length;

    public KvCache(int blocks, int kvDim, int initialCapacity) {
        if (blocks <= 0 || kvDim <= 0) {
            throw new IllegalArgumentException("a cache needs blocks > 0 and kvDim > 0, got " + blocks + ", " + kvDim);
        }
        this.kvDim = kvDim;
        this.capacity = Math.max(1, initialCapacity);
        this.keys = new float[blocks][(int) checkedSize(capacity, kvDim)];
        this.values = new float[blocks][keys[0].length];
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
        KvCache copy = new KvCache(keys.length, kvDim, length + Math.max(0, extra));
        for (int b = 0; b < keys.length; b++) {
            System.arraycopy(keys[b], 0, copy.keys[b], 0, length * kvDim);
            System.arraycopy(values[b], 0, copy.values[b], 0, length * kvDim);
        }
        copy.length = length;
        return copy;
    }

    /** Keys of {@code block}: rows {@code [0, length + pending)} are valid during a forward. */
    float[] keys(int block) {
        return keys[block];
    }

    float[] values(int block) {
        return values[block];
    }

    /** Makes room for {@code rows} positions after the held ones (before a forward writes them). */
    void reserve(int rows) {
        int needed = length + rows;
        if (needed > capacity) {
            int grown = (int) Math.min(Integer.MAX_VALUE / kvDim, Math.max(needed, 2L * capacity));
            if (grown < needed) {
                throw new IllegalArgumentException("a cache of " + needed + " positions x " + kvDim
                        + " does not fit in one array");
            }
            for (int b = 0; b < keys.length; b++) {
                keys[b] = Arrays.copyOf(keys[b], grown * kvDim);
                values[b] = Arrays.copyOf(values[b], grown * kvDim);
            }
            capacity = grown;
        }
    }

    /** Stores the new rows of {@code block} after the held positions. */
    void append(int block, int rows, float[] k, int kOff, float[] v, int vOff) {
        System.arraycopy(k, kOff, keys[block], length * kvDim, rows * kvDim);
        System.arraycopy(v, vOff, values[block], length * kvDim, rows * kvDim);
    }

    /** Counts the rows of a finished forward as held. */
    void advance(int rows) {
        length += rows;
    }

    private static long checkedSize(int rows, int cols) {
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a cache of " + rows + " positions x " + cols + " does not fit in one array");
        }
        return size;
    }
}
