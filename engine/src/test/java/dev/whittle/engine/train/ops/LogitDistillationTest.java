package dev.whittle.engine.train.ops;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static dev.whittle.engine.train.ops.CrossEntropy.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LogitDistillationTest {

    /** The summed loss written out in double: alpha CE + (1 - alpha) T^2 sum_i pT_i log(pT_i / pS_i). */
    static double reference(int rows, int vocab, double[] s, double[] t, int[] targets, double temperature,
                            double alpha) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == IGNORE) {
                continue;
            }
            double zs = 0, zsT = 0, ztT = 0;
            for (int i = 0; i < vocab; i++) {
                zs += Math.exp(s[r * vocab + i]);
                zsT += Math.exp(s[r * vocab + i] / temperature);
                ztT += Math.exp(t[r * vocab + i] / temperature);
            }
            double kl = 0;
            for (int i = 0; i < vocab; i++) {
                double pT = Math.exp(t[r * vocab + i] / temperature) / ztT;
                double pS = Math.exp(s[r * vocab + i] / temperature) / zsT;
                kl += pT * Math.log(pT / pS);
            }
            double ce = Math.log(zs) - s[r * vocab + targets[r]];
            sum += alpha * ce + (1 - alpha) * temperature * temperature * kl;
        }
        return sum;
    }

    @ParameterizedTest(name = "rows={0} vocab={1} T={2} alpha={3}")
    @CsvSource({"1,2,1,0", "5,17,1,0", "6,33,2,0", "4,40,4,0.5", "7,9,0.5,0.3", "3,20,3,1"})
    void lossAndGradientMatchAScalarDoubleReference(int rows, int vocab, double temperature, double alpha) {
        Random random = new Random(rows * 100 + vocab);
        float[] student = random(random, rows * vocab, 3);
        float[] teacher = random(random, rows * vocab, 3);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            targets[r] = r % 3 == 1 ? IGNORE : random.nextInt(vocab);
        }
        LogitDistillation.Config config = new LogitDistillation.Config(temperature, alpha);
        double loss = LogitDistillation.forward(rows, vocab, student, 0, teacher, 0, targets, 0, config);
        float scale = 0.5f;
        float[] dStudent = student.clone();
        // In place, as the decoder's backward runs it.
        LogitDistillation.backward(rows, vocab, dStudent, 0, teacher, 0, targets, 0, config, scale, dStudent, 0);

        double[] S = toDouble(student);
        double[] T = toDouble(teacher);
        double expected = reference(rows, vocab, S, T, targets, temperature, alpha);
        assertThat(loss).isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
        assertGradient("dStudent", dStudent,
                scaled(scale, gradient(S, () -> reference(rows, vocab, S, T, targets, temperature, alpha))));
    }

    @ParameterizedTest(name = "T={0}")
    @CsvSource({"1", "2.5"})
    void aStudentEqualToItsTeacherHasNoDistillationLossNorGradient(double temperature) {
        Random random = new Random(3);
        int rows = 4, vocab = 12;
        float[] logits = random(random, rows * vocab, 2);
        int[] targets = {1, 2, 3, 4};
        LogitDistillation.Config config = new LogitDistillation.Config(temperature, 0);
        assertThat(LogitDistillation.forward(rows, vocab, logits, 0, logits, 0, targets, 0, config))
                .isCloseTo(0, within(1e-6));
        float[] d = new float[logits.length];
        LogitDistillation.backward(rows, vocab, logits, 0, logits.clone(), 0, targets, 0, config, 1f, d, 0);
        for (float g : d) {
            assertThat(g).isCloseTo(0f, within(1e-6f));
        }
    }

    private static double[] scaled(double scale, double[] g) {
        for (int i = 0; i < g.length; i++) {
            g[i] *= scale;
        }
        return g;
    }
}
