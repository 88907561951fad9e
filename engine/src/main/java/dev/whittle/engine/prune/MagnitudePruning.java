package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Locale;

/**
 * Magnitude pruning as in the Wanda repository's {@code prune_magnitude}: the score of a weight is {@code |w|}.
 * Unstructured, the {@code floor(numel * sparsity)} smallest of each matrix are zeroed (a per-matrix threshold), or
 * with {@link Scope#GLOBAL} the {@code floor(total * sparsity)} smallest of all the matrices together (one
 * threshold for the model); N:M zeroes the N smallest of every group of M inputs of a row. No calibration.
 */
public final class MagnitudePruning {

    /** Where magnitudes are compared. */
    public enum Scope {
        /** Each matrix gets its own threshold and exactly its share of zeros (the papers' baseline). */
        LAYER,
        /** One threshold across every pruned matrix: layers with small weights lose more. */
        GLOBAL;

        /** The name users give. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private MagnitudePruning() {
    }

    /** Prunes one {@code [rows x cols]} weight in place: unstructured at {@code sparsity}, or N:M when nm is given. */
    public static void prune(float[] weight, int rows, int cols, double sparsity, NmSparsity nm) {
        if (nm == null) {
            pruneGlobal(List.of(weight), sparsity);
            return;
        }
        float[] scores = new float[weight.length];
        for (int i = 0; i < weight.length; i++) {
            scores[i] = Math.abs(weight[i]);
        }
        boolean[] mask = new boolean[weight.length];
        LowestScores.markPerGroup(scores, rows, cols, nm, mask);
        Masks.zero(weight, mask);
    }

    /**
     * Prunes the {@code floor(total * sparsity)} smallest magnitudes across all {@code weights} together, ties going
     * to the earlier matrix and position. Works without copying the weights: a two-pass radix selection on the
     * bits of {@code |w|} (for non-negative floats the bit patterns order like the values) finds the threshold.
     */
    public static void pruneGlobal(List<float[]> weights, double sparsity) {
        long total = 0;
        for (float[] w : weights) {
            total += w.length;
        }
        long k = LowestScores.count(total, sparsity);
        if (k <= 0) {
            return;
        }
        // Rank k - 1 (0-based) is the largest pruned magnitude: find its 31-bit key, high 16 bits first.
        long rank = k - 1;
        long[] high = new long[1 << 16];
        for (float[] w : weights) {
            for (float v : w) {
                high[key(v) >>> 15]++;
            }
        }
        int bin = 0;
        long before = 0;
        while (before + high[bin] <= rank) {
            before += high[bin++];
        }
        long[] low = new long[1 << 15];
        for (float[] w : weights) {
            for (float v : w) {
                int key = key(v);
                if (key >>> 15 == bin) {
                    low[key & 0x7fff]++;
                }
            }
        }
        int sub = 0;
        while (before + low[sub] <= rank) {
            before += low[sub++];
        }
        int threshold = bin << 15 | sub;
        long ties = k - before;
        for (float[] w : weights) {
            for (int i = 0; i < w.length; i++) {
                int key = key(w[i]);
                if (key < threshold || (key == threshold && ties-- > 0)) {
                    w[i] = 0f;
                }
            }
        }
    }

    /** {@code |v|} as its bit pattern without the sign: ordered like the magnitudes, NaN above infinity. */
    private static int key(float v) {
        return Float.floatToRawIntBits(v) & 0x7fffffff;
    }
}
