package dev.whittle.engine.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingTest {

    static double[] reference(int[] tokens, double[] table, int dim) {
        double[] out = new double[tokens.length * dim];
        for (int t = 0; t < tokens.length; t++) {
            System.arraycopy(table, tokens[t] * dim, out, t * dim, dim);
        }
        return out;
    }

    @Test
    void repeatedTokensCollectTheGradientOfEveryOccurrence() {
        Random random = new Random(1);
        int vocab = 11, dim = 13;
        int[] tokens = {3, 0, 3, 10, 7, 3, 0};
        float[] table = random(random, vocab * dim, 1);
        float[] dOut = random(random, tokens.length * dim, 1);
        float[] out = new float[tokens.length * dim];
        Embedding.forward(tokens.length, tokens, 0, table, vocab, dim, out, 0);
        float[] dTable = new float[vocab * dim];
        Embedding.backward(tokens.length, tokens, 0, dim, dOut, 0, dTable);

        double[] T = toDouble(table);
        double[] R = toDouble(dOut);
        assertForward("out", out, reference(tokens, T, dim));
        assertGradient("dTable", dTable, gradient(T, () -> project(R, reference(tokens, T, dim))));
    }

    @Test
    void aTokenOutsideTheVocabularyIsRefusedByName() {
        assertThatThrownBy(() -> Embedding.forward(2, new int[]{1, 9}, 0, new float[8], 4, 2, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 9");
    }
}
