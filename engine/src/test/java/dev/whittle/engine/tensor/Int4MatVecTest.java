package dev.whittle.engine.tensor;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.quant.PackedInt32;
import dev.whittle.engine.quant.QuantizationScheme;
import dev.whittle.engine.quant.QuantizedMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The packed int4 product against the dequantised weights multiplied in double. */
class Int4MatVecTest {

    @Test
    void equalsTheDequantisedProductOnTheVectorPath() {
        check(37, 512, 128); // groups of 128 are whole vectors of words at 256 and 512 bits
    }

    @Test
    void equalsTheDequantisedProductOnTheScalarPath() {
        check(5, 96, 32);
    }

    @Test
    void refusesInputsThatAreNotWholeWordsAndGroups() {
        assertThatThrownBy(() -> new Int4MatVec.Matrix(1, 100, new int[13], new float[1], 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole words");
    }

    private static void check(int rows, int cols, int group) {
        SplittableRandom random = new SplittableRandom(rows * 31L + cols);
        QuantizationScheme scheme = new QuantizationScheme(4, group, true, DType.F32);
        byte[] codes = new byte[rows * cols];
        int[] ints = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) random.nextInt(-8, 8);
            ints[i] = codes[i];
        }
        float[] scales = new float[rows * (cols / group)];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = (float) random.nextDouble(0.001, 0.05);
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextDouble(-2, 2);
        }
        float[] w = new QuantizedMatrix(rows, cols, scheme, codes, scales, new int[scales.length]).dequantize();
        float[] y = new float[rows + 3];
        float[] shifted = new float[cols + 5]; // offsets into larger arrays, as a layer's rows lie in its activations
        System.arraycopy(x, 0, shifted, 5, cols);
        Int4MatVec.multiply(new Int4MatVec.Matrix(rows, cols, PackedInt32.packRows(ints, rows, cols, 4), scales, group),
                shifted, 5, y, 3);
        for (int r = 0; r < rows; r++) {
            double expected = 0;
            double magnitude = 0;
            for (int c = 0; c < cols; c++) {
                expected += (double) w[r * cols + c] * x[c];
                magnitude += Math.abs((double) w[r * cols + c] * x[c]) + 8 * Math.abs(scales[r * (cols / group) + c / group] * x[c]);
            }
            // fp32 sums: the error grows with the summed magnitudes the kernel adds, the offset's included
            assertThat((double) y[3 + r]).as("row %d", r).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * magnitude));
        }
    }
}
