package dev.whittle.engine.train.optim;

import java.util.Arrays;

/**
 * The positions of a tensor that were pruned to zero and must stay zero through training. Stored as the
 * sorted pruned indices, so applying it costs the pruned count, not the tensor size.
 */
public final class SparsityMask {

    private final int size;
    private final int[] pruned;

    private SparsityMask(int size, int[] pruned) {
        this.size = size;
        this.pruned = pruned;
    }

    /** The mask of every exact zero in {@code values}: what a pruned weight looks like. */
    public static SparsityMask ofZeros(float[] values) {
        int count = 0;
        for (float v : values) {
            if (v == 0f) {
                count++;
            }
        }
        int[] pruned = new int[count];
        int next = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] == 0f) {
                pruned[next++] = i;
            }
        }
        return new SparsityMask(values.length, pruned);
    }

    /** A mask over a tensor of {@code size} entries that prunes the given indices (any order, no duplicates). */
    public static SparsityMask ofIndices(int size, int[] prunedIndices) {
        int[] sorted = prunedIndices.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0 || sorted[i] >= size) {
                throw new IllegalArgumentException("pruned index " + sorted[i] + " outside a tensor of " + size);
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("pruned index " + sorted[i] + " given twice");
            }
        }
        return new SparsityMask(size, sorted);
    }

    /** The number of entries of the tensor this mask applies to. */
    public int size() {
        return size;
    }

    /** How many entries are pruned. */
    public int prunedCount() {
        return pruned.length;
    }

    /** True when entry {@code index} is pruned. */
    public boolean isPruned(int index) {
        return Arrays.binarySearch(pruned, index) >= 0;
    }

    /** Sets every pruned entry of {@code values} to zero. */
    public void zero(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("mask over " + size + " entries applied to " + values.length);
        }
        for (int i : pruned) {
            values[i] = 0f;
        }
    }
}
