package dev.whittle.engine.train.ops;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.whittle.engine.train.FiniteDifferences.assertForward;
import static dev.whittle.engine.train.FiniteDifferences.assertGradient;
import static dev.whittle.engine.train.FiniteDifferences.gradient;
import static dev.whittle.engine.train.FiniteDifferences.project;
import static dev.whittle.engine.train.FiniteDifferences.random;
import static dev.whittle.engine.train.FiniteDifferences.toDouble;

class CausalAttentionTest {

    /** Plain softmax attention per sequence and head, query i seeing keys 0..i; lse (when not null) per row, head. */
    static double[] reference(int batch, int T, int nHeads, int nKvHeads, int d, double[] q, double[] k, double[] v,
                              double[] lse) {
        int group = nHeads / nKvHeads;
        double scale = 1 / Math.sqrt(d);
        double[] out = new double[batch * T * nHeads * d];
        double[] scores = new double[T];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < nHeads; h++) {
                int kvh = h / group;
                for (int i = 0; i < T; i++) {
                    int qi = ((b * T + i) * nHeads + h) * d;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        int kj = ((b * T + j) * nKvHeads + kvh) * d;
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
                        lse[(b * T + i) * nHeads + h] = max + Math.log(z);
                    }
                    for (int j = 0; j <= i; j++) {
                        double p = Math.exp(scores[j] - max) / z;
                        int vj = ((b * T + j) * nKvHeads + kvh) * d;
                        for (int c = 0; c < d; c++) {
                            out[qi + c] += p * v[vj + c];
                        }
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "batch={0} T={1} heads={2} kvHeads={3} headDim={4}")
    @CsvSource({"1,1,1,1,4", "2,5,4,2,8", "1,70,2,1,6", "2,9,3,3,5", "1,131,1,1,3"})
    void gradientsOfQueriesKeysAndValuesMatchFiniteDifferences(int batch, int T, int nHeads, int nKvHeads, int d) {
        Random random = new Random(batch + 7L * T + 31L * nHeads + d);
        int rows = batch * T;
        float[] q = random(random, rows * nHeads * d, 1.5);
        float[] k = random(random, rows * nKvHeads * d, 1.5);
        float[] v = random(random, rows * nKvHeads * d, 1);
        float[] dOut = random(random, rows * nHeads * d, 1);
        float[] out = new float[q.length];
        float[] lse = new float[rows * nHeads];
        CausalAttention.forward(batch, T, nHeads, nKvHeads, d, q, k, v, out, lse);
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        CausalAttention.backward(batch, T, nHeads, nKvHeads, d, q, k, v, out, lse, dOut, dq, dk, dv);

        double[] Q = toDouble(q);
        double[] K = toDouble(k);
        double[] V = toDouble(v);
        double[] R = toDouble(dOut);
        double[] expectedLse = new double[lse.length];
        assertForward("out", out, reference(batch, T, nHeads, nKvHeads, d, Q, K, V, expectedLse));
        assertForward("lse", lse, expectedLse);
        assertGradient("dQ", dq, gradient(Q, () -> project(R, reference(batch, T, nHeads, nKvHeads, d, Q, K, V, null))));
        assertGradient("dK", dk, gradient(K, () -> project(R, reference(batch, T, nHeads, nKvHeads, d, Q, K, V, null))));
        assertGradient("dV", dv, gradient(V, () -> project(R, reference(batch, T, nHeads, nKvHeads, d, Q, K, V, null))));
    }
}
