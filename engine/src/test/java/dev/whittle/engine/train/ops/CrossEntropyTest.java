package dev.whittle.engine.train.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static dev.whittle.engine.train.ops.CrossEntropy.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CrossEntropyTest {

    /** Mean of -log softmax(logits)[target] over rows whose target is not IGNORE. */
    static double meanLoss(int rows, int vocab, double[] logits, int[] targets) {
        double sum = 0;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == IGNORE) {
                continue;
            }
            double z = 0;
            for (int j = 0; j < vocab; j++) {
                z += Math.exp(logits[r * vocab + j]);
            }
            sum += Math.log(z) - logits[r * vocab + targets[r]];
            count++;
        }
        return sum / count;
    }

    @ParameterizedTest(name = "rows={0} vocab={1}")
    @CsvSource({"1,1", "1,5", "6,33", "9,259"})
    void onlySelectedRowsCarryLossAndGradient(int rows, int vocab) {
        Random random = new Random(rows * 1000 + vocab);
        float[] logits = random(random, rows * vocab, 4);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            // Every third row is a prompt token; the first row is always scored.
            targets[r] = r % 3 == 2 ? IGNORE : random.nextInt(vocab);
        }
        int selected = CrossEntropy.countSelected(rows, targets, 0);
        double loss = CrossEntropy.forward(rows, vocab, logits, 0, targets, 0, null) / selected;
        float[] dLogits = new float[logits.length];
        CrossEntropy.backward(rows, vocab, logits, 0, targets, 0, 1f / selected, dLogits, 0);

        double[] L = toDouble(logits);
        assertThat(loss).isCloseTo(meanLoss(rows, vocab, L, targets), within(1e-5));
        assertGradient("dLogits", dLogits, gradient(L, () -> meanLoss(rows, vocab, L, targets)));
        for (int r = 0; r < rows; r++) {
            if (targets[r] == IGNORE) {
                for (int j = 0; j < vocab; j++) {
                    assertThat(dLogits[r * vocab + j]).isZero();
                }
            }
        }

        float[] inPlace = logits.clone();
        CrossEntropy.backward(rows, vocab, inPlace, 0, targets, 0, 1f / selected, inPlace, 0);
        assertThat(inPlace).containsExactly(dLogits);
    }

    @Test
    void largeLogitsDoNotOverflow() {
        float[] logits = {1000f, 0f, -1000f};
        double loss = CrossEntropy.forward(1, 3, logits, 0, new int[]{1}, 0, null);
        assertThat(loss).isCloseTo(1000, within(1e-3));
        float[] d = new float[3];
        CrossEntropy.backward(1, 3, logits, 0, new int[]{1}, 0, 1f, d, 0);
        assertThat(d).containsExactly(1f, -1f, 0f);
    }

    @Test
    void aTargetOutsideTheVocabularyIsRefusedWithItsRow() {
        assertThatThrownBy(() -> CrossEntropy.forward(2, 4, new float[8], 0, new int[]{0, 4}, 0, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target id 4 at row 1");
    }
}
