package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpsTest {

    /** Lengths around the vector length, and one large enough to be split across threads. */
    static final int[] LENGTHS = {1, 3, 15, 16, 17, 33, 100, 1000, 70_001};

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 64, 257})
    void rmsNormDividesEachRowByItsRootMeanSquareAndScalesByTheWeight(int dim) {
        Random32 random = new Random32(dim);
        int rows = dim == 257 ? 300 : 5;
        float eps = 1e-5f;
        float[] x = random.floats(2 + rows * dim);
        float[] weight = random.floats(1 + dim);
        float[] out = new float[3 + rows * dim];
        float[] invRms = new float[1 + rows];

        Ops.rmsNorm(rows, dim, x, 2, weight, 1, eps, out, 3, invRms, 1);

        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += (double) x[2 + r * dim + i] * x[2 + r * dim + i];
            }
            double inv = 1 / Math.sqrt(ss / dim + eps);
            assertThat((double) invRms[1 + r]).isCloseTo(inv, offset(1e-5 * inv));
            for (int i = 0; i < dim; i++) {
                double expected = x[2 + r * dim + i] * inv * weight[1 + i];
                assertThat((double) out[3 + r * dim + i]).isCloseTo(expected, offset(1e-5 * (1 + Math.abs(expected))));
            }
        }
    }

    @Test
    void rmsNormWorksInPlace() {
        float[] x = new Random32(1).floats(3 * 20);
        float[] weight = new Random32(2).floats(20);
        float[] separate = new float[x.length];
        Ops.rmsNorm(3, 20, x, 0, weight, 0, 1e-6f, separate, 0);
        Ops.rmsNorm(3, 20, x, 0, weight, 0, 1e-6f, x, 0);
        assertThat(x).containsExactly(separate);
    }

    @Test
    void softmaxIsStableForHugeLogitsAndSumsToOne() {
        for (int n : LENGTHS) {
            float[] x = new Random32(n).floats(n + 2);
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * 50 + 1000; // exp would overflow without the max shift
            }
            float[] original = x.clone();
            Ops.softmax(x, 2, n);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, original[2 + i]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(original[2 + i] - max);
            }
            for (int i = 0; i < n; i++) {
                double expected = Math.exp(original[2 + i] - max) / sum;
                assertThat((double) x[2 + i]).as("n=%d i=%d", n, i).isCloseTo(expected, offset(1e-6 + 1e-5 * expected));
            }
            assertThat(x[0]).isEqualTo(original[0]);
        }
    }

    @Test
    void logSoftmaxAndLogSumExpMatchTheDoubleFormula() {
        for (int n : LENGTHS) {
            float[] x = new Random32(n + 9).floats(n);
            for (int i = 0; i < n; i++) {
                x[i] *= 30;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (float v : x) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : x) {
                sum += Math.exp(v - max);
            }
            double lse = max + Math.log(sum);
            assertThat((double) Ops.logSumExp(x, 0, n)).isCloseTo(lse, offset(1e-5 * (1 + Math.abs(lse))));
            float[] out = new float[n + 1];
            Ops.logSoftmax(x, 0, n, out, 1);
            for (int i = 0; i < n; i++) {
                assertThat((double) out[1 + i]).isCloseTo(x[i] - lse, offset(1e-5 * (1 + Math.abs(x[i] - lse))));
            }
        }
    }

    @Test
    void firstNonFiniteFindsTheFirstNanOrInfinityAtAnyPosition() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n : LENGTHS) {
            float[] x = new Random32(n).floats(n);
            x[0] = Float.MAX_VALUE; // large but finite
            assertThat(Ops.firstNonFinite(x)).as("n=%d", n).isEqualTo(-1);
            for (int at : new int[] {0, n / 2, n - 1}) {
                for (float b : bad) {
                    float[] y = x.clone();
                    y[at] = b;
                    if (at + 1 < n) {
                        y[n - 1] = Float.NaN; // a later one does not win
                    }
                    assertThat(Ops.firstNonFinite(y)).as("n=%d, %s at %d", n, b, at).isEqualTo(at);
                }
            }
        }
    }

    @Test
    void argmaxFindsTheFirstLargest() {
        for (int n : LENGTHS) {
            float[] x = new Random32(n).floats(n);
            int expected = n / 3;
            x[expected] = 2f;
            if (expected + 1 < n) {
                x[n - 1] = 2f; // a later tie does not win
            }
            assertThat(Ops.argmax(x, 0, n)).isEqualTo(expected);
        }
    }

    @Test
    void siluMulGatesUpWithSiluOfGate() {
        for (int n : LENGTHS) {
            Random32 random = new Random32(n);
            float[] gate = random.floats(n + 1), up = random.floats(n + 2);
            for (int i = 0; i < gate.length; i++) {
                gate[i] *= 20; // both saturated ends of the sigmoid
            }
            float[] out = new float[n + 3];
            Ops.siluMul(n, gate, 1, up, 2, out, 3);
            for (int i = 0; i < n; i++) {
                double g = gate[1 + i];
                double expected = g / (1 + Math.exp(-g)) * up[2 + i];
                assertThat((double) out[3 + i]).isCloseTo(expected, offset(1e-5 * (1 + Math.abs(expected))));
            }
        }
    }

    @Test
    void elementwiseHelpersMatchTheirDefinitions() {
        for (int n : LENGTHS) {
            Random32 random = new Random32(n * 7L);
            float[] a = random.floats(n + 1), b = random.floats(n + 2);
            float[] sum = new float[n], product = new float[n];
            Ops.add(n, a, 1, b, 2, sum, 0);
            Ops.mul(n, a, 1, b, 2, product, 0);
            float[] y = b.clone();
            Ops.axpy(n, 0.5f, a, 1, y, 2);
            float[] scaled = a.clone();
            Ops.scale(n, -3f, scaled, 1);
            double dot = 0;
            for (int i = 0; i < n; i++) {
                assertThat(sum[i]).isEqualTo(a[1 + i] + b[2 + i]);
                assertThat(product[i]).isEqualTo(a[1 + i] * b[2 + i]);
                assertThat((double) y[2 + i]).isCloseTo(b[2 + i] + 0.5 * a[1 + i], offset(1e-6));
                assertThat(scaled[1 + i]).isEqualTo(-3f * a[1 + i]);
                dot += (double) a[1 + i] * b[2 + i];
            }
            assertThat(scaled[0]).isEqualTo(a[0]);
            assertThat((double) Ops.dot(n, a, 1, b, 2)).isCloseTo(dot, offset(1e-6 * n));
            assertThat((double) Ops.sumOfSquares(n, a, 1)).isCloseTo(Ops.dot(n, a, 1, a, 1), offset(0.0));
        }
    }

    @Test
    void addRowVectorAddsTheBiasToEveryRow() {
        float[] y = new Random32(1).floats(4 * 19), bias = new Random32(2).floats(19 + 1);
        float[] original = y.clone();
        Ops.addRowVector(4, 19, bias, 1, y, 0);
        for (int r = 0; r < 4; r++) {
            for (int i = 0; i < 19; i++) {
                assertThat(y[r * 19 + i]).isEqualTo(original[r * 19 + i] + bias[1 + i]);
            }
        }
    }

    @Test
    void embeddingGathersTableRowsByTokenId() {
        int vocab = 10, dim = 7;
        float[] table = new Random32(4).floats(1 + vocab * dim);
        int[] tokens = {0, 9, 3, 3, 5};
        float[] out = new float[2 + 4 * dim];
        Ops.embedding(4, tokens, 1, table, 1, vocab, dim, out, 2);
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < dim; i++) {
                assertThat(out[2 + t * dim + i]).isEqualTo(table[1 + tokens[1 + t] * dim + i]);
            }
        }
    }

    @Test
    void embeddingRefusesATokenOutsideTheVocabulary() {
        assertThatThrownBy(() -> Ops.embedding(2, new int[] {1, 10}, 0, new float[20], 0, 10, 2, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 10").hasMessageContaining("[0, 10)");
    }
}
