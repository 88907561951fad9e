package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * Causal attention computed directly in double (scores, their max, the softmax and the weighted values, one query
 * row and head at a time): what every attention kernel's output and log-sum-exp are checked against.
 */
final class AttentionReference {

    private AttentionReference() {
    }

    /**
     * Asserts that {@code out} ({@code [T x nHeads*headDim]} from {@code outOff}) and {@code lse}
     * ({@code [T x nHeads]}) are the attention of the T query rows, the last of {@code past + T} positions, over
     * row-major keys and values ({@code [positions x nKvHeads*headDim]} from {@code kOff} and {@code vOff}).
     */
    static void assertMatches(int T, int past, int nHeads, int nKvHeads, int headDim, float[] q, int qOff, float[] k,
                              int kOff, float[] v, int vOff, float[] out, int outOff, float[] lse) {
        int group = nHeads / nKvHeads;
        double scale = 1 / Math.sqrt(headDim);
        for (int i = 0; i < T; i++) {
            for (int h = 0; h < nHeads; h++) {
                int g = h / group;
                int seen = past + i + 1;
                double[] s = new double[seen];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < seen; j++) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += (double) q[qOff + (i * nHeads + h) * headDim + d] * k[kOff + (j * nKvHeads + g) * headDim + d];
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < seen; j++) {
                    sum += Math.exp(s[j] - max);
                }
                for (int d = 0; d < headDim; d++) {
                    double expected = 0;
                    for (int j = 0; j < seen; j++) {
                        expected += Math.exp(s[j] - max) / sum * v[vOff + (j * nKvHeads + g) * headDim + d];
                    }
                    assertThat((double) out[outOff + (i * nHeads + h) * headDim + d])
                            .as("row %d head %d dim %d", i, h, d).isCloseTo(expected, offset(2e-5));
                }
                assertThat((double) lse[i * nHeads + h]).as("lse row %d head %d", i, h)
                        .isCloseTo(max + Math.log(sum), offset(2e-5 * (1 + Math.abs(max))));
            }
        }
    }
}
