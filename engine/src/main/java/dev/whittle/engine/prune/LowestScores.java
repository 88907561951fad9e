package dev.whittle.engine.prune;

import dev.whittle.engine.tensor.Parallel;

/**
 * Chooses what to prune: the {@code k} lowest scores of a range, a row or an N:M group. Ties at the threshold go
 * to the earlier position, so exactly {@code k} are chosen (the official code's {@code score <= sort(score)[k]}
 * takes one more, and every tie). Scores are non-negative; a NaN (from a NaN weight) ranks as +infinity.
 */
final class LowestScores {

    private LowestScores() {
    }

    /**
     * Sets {@code mask[maskOff + i]} (true: prune) for the {@code k} lowest of {@code scores[off, off + len)}, and
     * clears it for the others. {@code scratch} holds at least {@code len} values and is overwritten.
     */
    static void mark(float[] scores, int off, int len, int k, boolean[] mask, int maskOff, float[] scratch) {
        if (k <= 0) {
            java.util.Arrays.fill(mask, maskOff, maskOff + len, false);
            return;
        }
        if (k >= len) {
            java.util.Arrays.fill(mask, maskOff, maskOff + len, true);
            return;
        }
        for (int i = 0; i < len; i++) {
            float v = scores[off + i];
            scratch[i] = v != v ? Float.POSITIVE_INFINITY : v;
        }
        float threshold = kthSmallest(scratch, len, k - 1);
        int below = 0;
        for (int i = 0; i < len; i++) {
            if (scores[off + i] < threshold) {
                below++;
            }
        }
        int ties = k - below;
        for (int i = 0; i < len; i++) {
            float v = scores[off + i];
            if (v != v) {
                v = Float.POSITIVE_INFINITY;
            }
            mask[maskOff + i] = v < threshold || (v == threshold && ties-- > 0);
        }
    }

    /** {@link #mark} on each row of a {@code [rows x cols]} score matrix: {@code k} per row. */
    static void markPerRow(float[] scores, int rows, int cols, int k, boolean[] mask) {
        Parallel.forRange(rows, (r0, r1) -> {
            float[] scratch = new float[cols];
            for (int r = r0; r < r1; r++) {
                mark(scores, r * cols, cols, k, mask, r * cols, scratch);
            }
        });
    }

    /** The {@code nm.n()} lowest of every group of {@code nm.m()} consecutive columns of each row; cols % m == 0. */
    static void markPerGroup(float[] scores, int rows, int cols, NmSparsity nm, boolean[] mask) {
        requireWhole(cols, nm);
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                for (int g = 0; g < cols; g += nm.m()) {
                    markGroup(scores, r * cols + g, nm, mask, r * cols + g);
                }
            }
        });
    }

    /** Marks the {@code nm.n()} lowest of {@code scores[off, off + m)} (earlier first on ties), clears the rest. */
    static void markGroup(float[] scores, int off, NmSparsity nm, boolean[] mask, int maskOff) {
        int m = nm.m();
        java.util.Arrays.fill(mask, maskOff, maskOff + m, false);
        for (int chosen = 0; chosen < nm.n(); chosen++) {
            int best = -1;
            for (int i = 0; i < m; i++) {
                if (!mask[maskOff + i] && (best < 0 || Float.compare(scores[off + i], scores[off + best]) < 0)) {
                    best = i;
                }
            }
            mask[maskOff + best] = true;
        }
    }

    static void requireWhole(int cols, NmSparsity nm) {
        if (cols % nm.m() != 0) {
            throw new IllegalArgumentException(nm + " sparsity needs an input width divisible by " + nm.m()
                    + ", got " + cols);
        }
    }

    /** The value of rank {@code k} (0-based) among {@code a[0, n)} (no NaN); reorders {@code a}. Quickselect, median of three. */
    static float kthSmallest(float[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            float pivot = median(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** How many of {@code count} items a fraction {@code sparsity} prunes: {@code floor(count * sparsity)}, as {@code int(numel * sparsity)}. */
    static long count(long count, double sparsity) {
        return (long) Math.floor(count * sparsity);
    }
}
