package dev.whittle.engine.prune;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MagnitudePruningTest {

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) random.nextGaussian();
        }
        return w;
    }

    @Test
    void perMatrixPruningZeroesExactlyTheFloorOfNumelTimesSparsitySmallestMagnitudes() {
        for (int[] shape : new int[][] {{1, 1}, {1, 7}, {7, 1}, {13, 29}, {64, 96}}) {
            for (double sparsity : new double[] {0.0, 0.1, 0.5, 0.73, 0.999}) {
                float[] original = gaussian(shape[0] * shape[1], shape[0] * 31L + shape[1]);
                float[] w = original.clone();
                MagnitudePruning.prune(w, shape[0], shape[1], sparsity, null);
                long k = (long) Math.floor(original.length * sparsity);
                assertThat(zeros(w)).isEqualTo(k);
                float largestPruned = 0;
                float smallestKept = Float.MAX_VALUE;
                for (int i = 0; i < w.length; i++) {
                    if (w[i] == 0) {
                        largestPruned = Math.max(largestPruned, Math.abs(original[i]));
                    } else {
                        assertThat(w[i]).isEqualTo(original[i]);
                        smallestKept = Math.min(smallestKept, Math.abs(original[i]));
                    }
                }
                assertThat(largestPruned).isLessThanOrEqualTo(smallestKept);
            }
        }
    }

    @Test
    void sparsityZeroLeavesTheMatrixBitIdentical() {
        float[] original = gaussian(40 * 24, 3);
        float[] w = original.clone();
        MagnitudePruning.prune(w, 40, 24, 0.0, null);
        assertThat(w).containsExactly(original);
    }

    @Test
    void globalScopeUsesOneThresholdAcrossMatricesAndIsExact() {
        List<float[]> originals = List.of(gaussian(300, 1), scaled(gaussian(200, 2), 0.3f), gaussian(1, 3),
                scaled(gaussian(500, 4), 3f));
        List<float[]> weights = new ArrayList<>();
        originals.forEach(o -> weights.add(o.clone()));
        MagnitudePruning.pruneGlobal(weights, 0.6);
        float[] all = concat(originals);
        float[] magnitudes = new float[all.length];
        for (int i = 0; i < all.length; i++) {
            magnitudes[i] = Math.abs(all[i]);
        }
        Arrays.sort(magnitudes);
        int k = (int) Math.floor(all.length * 0.6);
        float threshold = magnitudes[k - 1];
        long zeros = 0;
        for (int m = 0; m < originals.size(); m++) {
            for (int i = 0; i < originals.get(m).length; i++) {
                float before = originals.get(m)[i];
                float after = weights.get(m)[i];
                if (after == 0) {
                    zeros++;
                    assertThat(Math.abs(before)).isLessThanOrEqualTo(threshold);
                } else {
                    assertThat(Math.abs(before)).isGreaterThanOrEqualTo(threshold);
                }
            }
        }
        assertThat(zeros).isEqualTo(k);
        // The small-valued matrix loses far more than its share, the large-valued one far less.
        assertThat(sparsity(weights.get(1))).isGreaterThan(0.9);
        assertThat(sparsity(weights.get(3))).isLessThan(0.4);
    }

    @Test
    void globalScopeBreaksExactTiesByOrder() {
        float[] a = {1, 1, 1, 1};
        float[] b = {1, 1, 1, 1};
        MagnitudePruning.pruneGlobal(List.of(a, b), 0.5);
        assertThat(a).containsOnly(0f);
        assertThat(b).containsOnly(1f);
    }

    @Test
    void nmPruningLeavesExactlyNZerosInEveryGroupOfMAndKeepsTheLargest() {
        for (NmSparsity nm : List.of(new NmSparsity(2, 4), new NmSparsity(4, 8), new NmSparsity(1, 3))) {
            int rows = 9;
            int cols = nm.m() * 6;
            float[] original = gaussian(rows * cols, nm.m());
            float[] w = original.clone();
            MagnitudePruning.prune(w, rows, cols, 0, nm);
            NmChecks.assertNm(w, rows, cols, nm);
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < cols; g += nm.m()) {
                    float largestPruned = 0;
                    float smallestKept = Float.MAX_VALUE;
                    for (int i = g; i < g + nm.m(); i++) {
                        float v = Math.abs(original[r * cols + i]);
                        if (w[r * cols + i] == 0) {
                            largestPruned = Math.max(largestPruned, v);
                        } else {
                            smallestKept = Math.min(smallestKept, v);
                        }
                    }
                    assertThat(largestPruned).isLessThanOrEqualTo(smallestKept);
                }
            }
        }
    }

    @Test
    void nmNeedsWholeGroups() {
        assertThatThrownBy(() -> MagnitudePruning.prune(new float[10], 2, 5, 0, new NmSparsity(2, 4)))
                .hasMessageContaining("divisible by 4");
    }

    static long zeros(float[] w) {
        long n = 0;
        for (float v : w) {
            if (v == 0) {
                n++;
            }
        }
        return n;
    }

    static double sparsity(float[] w) {
        return (double) zeros(w) / w.length;
    }

    private static float[] scaled(float[] w, float s) {
        for (int i = 0; i < w.length; i++) {
            w[i] *= s;
        }
        return w;
    }

    private static float[] concat(List<float[]> arrays) {
        int n = arrays.stream().mapToInt(a -> a.length).sum();
        float[] all = new float[n];
        int off = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, all, off, a.length);
            off += a.length;
        }
        return all;
    }
}
