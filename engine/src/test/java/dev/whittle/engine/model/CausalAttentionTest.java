package dev.whittle.engine.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.entries;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;

class CausalAttentionTest {

    /** Entries of each input checked by finite differences (every one in the short shapes). */
    private static final int CHECKED_ENTRIES = 1500;

    /** Plain softmax attention per sequence and head, query i seeing keys 0..i; lse (when not null) per row, head. */
    static double[] reference(int[] lengths, int nHeads, int nKvHeads, int d, double[] q, double[] k, double[] v,
                              double[] lse) {
        int group = nHeads / nKvHeads;
        double scale = 1 / Math.sqrt(d);
        double[] out = new double[q.length];
        int first = 0;
        for (int T : lengths) {
            double[] scores = new double[T];
            for (int h = 0; h < nHeads; h++) {
                int kvh = h / group;
                for (int i = 0; i < T; i++) {
                    int qi = ((first + i) * nHeads + h) * d;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        int kj = ((first + j) * nKvHeads + kvh) * d;
                        double s = 0;
                        for (int c = 0; c < d; c++) {
                            s += q[qi + c] * k[kj + c];
                        }
                        scores[j] = s * scale;
                        max = Math.max(max, scores[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= i; j++) {
                        z += Math.exp(scores[j] - max);
                    }
                    if (lse != null) {
                        lse[(first + i) * nHeads + h] = max + Math.log(z);
                    }
                    for (int j = 0; j <= i; j++) {
                        double p = Math.exp(scores[j] - max) / z;
                        int vj = ((first + j) * nKvHeads + kvh) * d;
                        for (int c = 0; c < d; c++) {
                            out[qi + c] += p * v[vj + c];
                        }
                    }
                }
            }
            first += T;
        }
        return out;
    }

    @ParameterizedTest(name = "lengths={0} heads={1} kvHeads={2} headDim={3}")
    @CsvSource({"1,1,1,4", "5 5,4,2,8", "70,2,1,6", "9 2 9,3,3,5", "131,1,1,3", "3 66,2,2,4", "150,2,1,32", "40 90,4,2,64"})
    void gradientsOfQueriesKeysAndValuesMatchFiniteDifferences(String lengthList, int nHeads, int nKvHeads, int d) {
        int[] lengths = java.util.Arrays.stream(lengthList.split(" ")).mapToInt(Integer::parseInt).toArray();
        int rows = java.util.Arrays.stream(lengths).sum();
        Random random = new Random(rows + 31L * nHeads + d);
        float[] q = random(random, rows * nHeads * d, 1.5);
        float[] k = random(random, rows * nKvHeads * d, 1.5);
        float[] v = random(random, rows * nKvHeads * d, 1);
        float[] dOut = random(random, rows * nHeads * d, 1);
        float[] out = new float[q.length];
        float[] lse = new float[rows * nHeads];
        // Sequence by sequence, as SelfAttention runs the forward.
        int first = 0;
        for (int T : lengths) {
            float[] sequenceLse = new float[T * nHeads];
            CausalAttention.forward(T, 0, nHeads, nKvHeads, d, q, first * nHeads * d, k, first * nKvHeads * d,
                    v, first * nKvHeads * d, out, first * nHeads * d, sequenceLse);
            System.arraycopy(sequenceLse, 0, lse, first * nHeads, T * nHeads);
            first += T;
        }
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        CausalAttention.backward(lengths, nHeads, nKvHeads, d, q, k, v, out, lse, dOut, dq, dk, dv);

        double[] Q = toDouble(q);
        double[] K = toDouble(k);
        double[] V = toDouble(v);
        double[] R = toDouble(dOut);
        double[] expectedLse = new double[lse.length];
        assertForward("out", out, reference(lengths, nHeads, nKvHeads, d, Q, K, V, expectedLse));
        assertForward("lse", lse, expectedLse);
        // Each perturbation reruns the quadratic reference: the long shapes check an even spread of entries.
        DoubleSupplier loss = () -> project(R, reference(lengths, nHeads, nKvHeads, d, Q, K, V, null));
        int[] inQ = entries(Q.length, CHECKED_ENTRIES);
        int[] inK = entries(K.length, CHECKED_ENTRIES);
        int[] inV = entries(V.length, CHECKED_ENTRIES);
        assertGradient("dQ", dq, inQ, gradient(Q, inQ, loss));
        assertGradient("dK", dk, inK, gradient(K, inK, loss));
        assertGradient("dV", dv, inV, gradient(V, inV, loss));
    }
}
