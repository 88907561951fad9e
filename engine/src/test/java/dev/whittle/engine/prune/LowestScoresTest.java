package dev.whittle.engine.prune;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LowestScoresTest {

    @Test
    void quickselectFindsTheSameValueAsSorting() {
        SplittableRandom random = new SplittableRandom(1);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(200);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values in some trials, so ties are common.
                values[i] = trial % 3 == 0 ? random.nextInt(5) : (float) random.nextDouble();
            }
            float[] sorted = values.clone();
            Arrays.sort(sorted);
            int k = random.nextInt(n);
            assertThat(LowestScores.kthSmallest(values.clone(), n, k)).isEqualTo(sorted[k]);
        }
    }

    @Test
    void markChoosesExactlyKWithTiesGoingToTheEarlierPosition() {
        float[] scores = {3, 1, 2, 2, 2, 0, 5};
        boolean[] mask = new boolean[scores.length];
        LowestScores.mark(scores, 0, scores.length, 3, mask, 0, new float[scores.length]);
        // 0 and 1 are below the threshold 2; one of the three 2s is taken: the first.
        assertThat(mask).containsExactly(false, true, true, false, false, true, false);
    }

    @Test
    void markHandlesNothingAndEverything() {
        float[] scores = {1, 2, 3};
        boolean[] mask = {true, false, true};
        LowestScores.mark(scores, 0, 3, 0, mask, 0, new float[3]);
        assertThat(mask).containsOnly(false);
        LowestScores.mark(scores, 0, 3, 3, mask, 0, new float[3]);
        assertThat(mask).containsOnly(true);
    }

    @Test
    void everyGroupOfMLosesExactlyItsNLowest() {
        SplittableRandom random = new SplittableRandom(2);
        NmSparsity nm = new NmSparsity(3, 8);
        int rows = 5;
        int cols = 24;
        float[] scores = new float[rows * cols];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) random.nextDouble();
        }
        boolean[] mask = new boolean[scores.length];
        LowestScores.markPerGroup(scores, rows, cols, nm, mask);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += 8) {
                float[] group = Arrays.copyOfRange(scores, r * cols + g, r * cols + g + 8);
                float[] sorted = group.clone();
                Arrays.sort(sorted);
                int pruned = 0;
                for (int i = 0; i < 8; i++) {
                    if (mask[r * cols + g + i]) {
                        pruned++;
                        assertThat(group[i]).isLessThanOrEqualTo(sorted[2]);
                    }
                }
                assertThat(pruned).isEqualTo(3);
            }
        }
    }
}
