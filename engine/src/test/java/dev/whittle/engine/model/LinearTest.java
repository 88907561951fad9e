package dev.whittle.engine.model;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.quant.PackedInt32;
import dev.whittle.engine.quant.QuantizationScheme;
import dev.whittle.engine.quant.QuantizedMatrix;
import dev.whittle.engine.tensor.Int4MatVec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class LinearTest {

    /** y[r][o] = sum_i x[r][i] w[o][i] + b[o], in double. */
    static double[] reference(int rows, int in, int out, double[] x, double[] w, double[] b) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1,7,5", "13,33,17", "4,1,3", "3,5,1", "2,70,9"})
    void gradientsOfInputWeightAndBiasMatchFiniteDifferences(int rows, int in, int out) {
        Random random = new Random(rows * 31 + in * 7 + out);
        float[] x = random(random, rows * in, 1);
        float[] w = random(random, out * in, 0.5);
        float[] b = random(random, out, 0.5);
        float[] dy = random(random, rows * out, 1);

        Linear layer = new Linear("model.layers.0.mlp.up_proj", out, in, w, b);
        float[] y = new float[rows * out];
        layer.forward(rows, x, 0, y, 0, ForwardHooks.NONE);
        float[] dx = new float[rows * in];
        float[] dw = new float[out * in];
        float[] db = new float[out];
        layer.backward(rows, x, 0, dy, 0, dx, 0, false, dw, db);

        double[] X = toDouble(x);
        double[] W = toDouble(w);
        double[] B = toDouble(b);
        double[] R = toDouble(dy);
        assertForward("y", y, reference(rows, in, out, X, W, B));
        assertGradient("dX", dx, gradient(X, () -> project(R, reference(rows, in, out, X, W, B))));
        assertGradient("dW", dw, gradient(W, () -> project(R, reference(rows, in, out, X, W, B))));
        assertGradient("dBias", db, gradient(B, () -> project(R, reference(rows, in, out, X, W, B))));
    }

    @Test
    void weightGradientsAddUpAcrossCallsAndInputGradientAddsWhenAsked() {
        Random random = new Random(5);
        int rows = 6, in = 9, out = 4;
        float[] x = random(random, rows * in, 1);
        float[] w = random(random, out * in, 1);
        float[] dy = random(random, rows * out, 1);
        Linear layer = new Linear("layer", out, in, w, null);
        float[] dxOnce = new float[rows * in];
        float[] dwOnce = new float[out * in];
        layer.backward(rows, x, 0, dy, 0, dxOnce, 0, false, dwOnce, null);

        float[] dxTwice = new float[rows * in];
        float[] dwTwice = new float[out * in];
        layer.backward(rows, x, 0, dy, 0, dxTwice, 0, false, dwTwice, null);
        layer.backward(rows, x, 0, dy, 0, dxTwice, 0, true, dwTwice, null);

        for (int i = 0; i < dwOnce.length; i++) {
            assertThat(dwTwice[i]).isCloseTo(2 * dwOnce[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        for (int i = 0; i < dxOnce.length; i++) {
            assertThat(dxTwice[i]).isCloseTo(2 * dxOnce[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void aLinearDecodesOneRowOnItsInt4FormAndPrefillsOnItsWeights() {
        int out = 16;
        int in = 256;
        SplittableRandom random = new SplittableRandom(9);
        int[] codes = random.ints(out * in, -8, 8).toArray();
        byte[] small = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) {
            small[i] = (byte) codes[i];
        }
        float[] scales = new float[out * 2];
        Arrays.fill(scales, 0.02f);
        float[] w = new QuantizedMatrix(out, in, new QuantizationScheme(4, 128, true, DType.F32), small, scales,
                new int[scales.length]).dequantize();
        float[] bias = new float[out];
        Arrays.fill(bias, 0.5f);
        // the int4 form's scales are twice the weights': a one-row forward that read the fp32 weights would not match
        float[] doubled = scales.clone();
        for (int i = 0; i < doubled.length; i++) {
            doubled[i] *= 2;
        }
        Linear linear = new Linear("l", out, in, w, bias)
                .withInt4(new Int4MatVec.Matrix(out, in, PackedInt32.packRows(codes, out, in, 4), doubled, 128));
        float[] x = new float[2 * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        float[] one = new float[out];
        linear.forward(1, x, in, one, 0, ForwardHooks.NONE);
        float[] two = new float[2 * out];
        linear.forward(2, x, 0, two, 0, ForwardHooks.NONE);
        for (int r = 0; r < out; r++) {
            double expected = 0;
            for (int c = 0; c < in; c++) {
                expected += (double) w[r * in + c] * x[in + c];
            }
            assertThat((double) one[r]).isCloseTo(2 * expected + 0.5, offset(1e-4));
            assertThat((double) two[out + r]).isCloseTo(expected + 0.5, offset(1e-4));
        }
    }
}
