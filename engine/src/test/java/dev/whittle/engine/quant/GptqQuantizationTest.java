package dev.whittle.engine.quant;

import dev.whittle.engine.testing.DenseMath;

import dev.whittle.engine.io.DType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPTQ against the paper's algorithm written naively in double (Frantar et al., Eq. 2-3 as in OBQ): for each column
 * j in order, {@code q_j = quant(w_j)}, every later column updated at once by
 * {@code w_F -= (w_j - q_j) / [H_F^-1]_jj [H_F^-1]_j,F}, then j removed from the inverse by Gaussian elimination,
 * {@code H^-1 -= H^-1_:,j H^-1_j,: / H^-1_jj}. No Cholesky factor, no lazy blocks; group parameters taken as the
 * engine documents (lazily from the current weights at each group's first column, or fixed before any update with
 * activation order and per channel).
 */
class GptqQuantizationTest {

    private static final int ROWS = 6;
    private static final int COLS = 48;

    @Test
    void equalsTheNaiveAlgorithmForGroupsBlocksAndOrders() {
        float[] h = hessian(COLS, 200, 11);
        float[] w = gaussian(ROWS * COLS, 12);
        for (boolean actOrder : new boolean[] {false, true}) {
            for (int group : new int[] {8, 12, 20, QuantizationScheme.PER_CHANNEL}) { // 20: a narrower last group
                for (int blockSize : new int[] {5, 16, 128}) {
                    for (boolean symmetric : new boolean[] {true, false}) {
                        QuantizationScheme scheme = new QuantizationScheme(3, group, symmetric, DType.F32);
                        float[] engine = w.clone();
                        GptqQuantization.Result result = GptqQuantization.quantize(engine, ROWS, COLS,
                                GptqQuantization.prepare(h, COLS, 0.01, actOrder), scheme, blockSize);
                        int[] naive = naive(w, h, scheme, 0.01, actOrder);
                        String setting = "actOrder " + actOrder + ", group " + group + ", block " + blockSize
                                + ", symmetric " + symmetric;
                        int[] codes = new int[naive.length];
                        for (int i = 0; i < codes.length; i++) {
                            codes[i] = result.matrix().codes()[i];
                        }
                        assertThat(codes).as(setting).containsExactly(naive);
                        assertThat(engine).as(setting).containsExactly(result.matrix().dequantize());
                    }
                }
            }
        }
    }

    /** The codes of the naive algorithm. */
    private static int[] naive(float[] weights, float[] hessian, QuantizationScheme scheme, double dampening,
                               boolean actOrder) {
        int n = COLS;
        Integer[] boxed = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        if (actOrder) {
            Arrays.sort(boxed, Comparator.comparingDouble((Integer j) -> -hessian[j * n + j]));
        }
        int[] order = Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
        double mean = 0;
        for (int j = 0; j < n; j++) {
            mean += hessian[j * n + j] / (double) n;
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                inverse[i][j] = hessian[order[i] * n + order[j]] + (i == j ? dampening * mean : 0);
            }
        }
        inverse = DenseMath.inverse(inverse);
        double[][] w = new double[ROWS][n];
        for (int r = 0; r < ROWS; r++) {
            for (int p = 0; p < n; p++) {
                w[r][p] = weights[r * n + order[p]];
            }
        }
        int width = scheme.groupWidth(n);
        int groups = scheme.groups(n);
        boolean fixed = actOrder || scheme.groupSize() == QuantizationScheme.PER_CHANNEL;
        float[] scales = new float[ROWS * groups];
        int[] zeros = new int[ROWS * groups];
        if (fixed) {
            for (int r = 0; r < ROWS; r++) {
                for (int g = 0; g < groups; g++) {
                    fit(weights, r * n + g * width, Math.min(width, n - g * width), scheme, scales, zeros,
                            r * groups + g);
                }
            }
        }
        int[] codes = new int[ROWS * n];
        for (int p = 0; p < n; p++) {
            for (int r = 0; r < ROWS; r++) {
                int g = r * groups + order[p] / width;
                if (!fixed && p % width == 0) {
                    int count = Math.min(width, n - p);
                    float[] current = new float[count];
                    for (int k = 0; k < count; k++) {
                        current[k] = (float) w[r][p + k];
                    }
                    fit(current, 0, count, scheme, scales, zeros, g);
                }
                int code = scheme.quantize((float) w[r][p], scales[g], zeros[g]);
                codes[r * n + order[p]] = code;
                double q = QuantizationScheme.dequantize(code, scales[g], zeros[g]);
                double err = (w[r][p] - q) / inverse[p][p];
                for (int k = p + 1; k < n; k++) {
                    w[r][k] -= err * inverse[p][k];
                }
                w[r][p] = q;
            }
            double pivot = inverse[p][p];
            double[] column = new double[n];
            for (int i = 0; i < n; i++) {
                column[i] = inverse[i][p];
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    inverse[i][j] -= column[i] * column[j] / pivot;
                }
            }
        }
        return codes;
    }

    /** Min-max parameters of {@code count} values, as compressed-tensors' observer gives them. */
    private static void fit(float[] v, int off, int count, QuantizationScheme scheme, float[] scales, int[] zeros,
                            int at) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, v[off + i]);
            max = Math.max(max, v[off + i]);
        }
        scales[at] = scheme.scale(min, max);
        zeros[at] = scheme.zero(min, scales[at]);
    }

    /** {@code 2 X^T X / tokens} of correlated inputs whose features differ in scale (so activation order matters). */
    static float[] hessian(int cols, int tokens, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] featureScale = new double[cols];
        for (int j = 0; j < cols; j++) {
            featureScale[j] = Math.exp(random.nextGaussian());
        }
        double[][] x = new double[tokens][cols];
        for (int t = 0; t < tokens; t++) {
            double shared = random.nextGaussian();
            for (int j = 0; j < cols; j++) {
                x[t][j] = featureScale[j] * (0.6 * shared + random.nextGaussian());
            }
        }
        float[] h = new float[cols * cols];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int t = 0; t < tokens; t++) {
                    s += x[t][i] * x[t][j];
                }
                h[i * cols + j] = (float) (2 * s / tokens);
            }
        }
        return h;
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.1 * random.nextGaussian());
        }
        return v;
    }
}
