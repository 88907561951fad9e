package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RopeTest {

    static float[] invFreq(int headDim, double theta) {
        float[] f = new float[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (1.0 / Math.pow(theta, 2.0 * i / headDim));
        }
        return f;
    }

    @ParameterizedTest(name = "rows={0} heads={1} headDim={2} start={3}")
    @CsvSource({"1, 1, 2, 0", "3, 2, 8, 5", "4, 3, 34, 17", "7, 4, 64, 100", "2, 2, 128, 0", "5, 1, 80, 250"})
    void rotatesEachHeadsHalvesAsRotateHalfDoes(int rows, int nHeads, int headDim, int startPos) {
        float[] invFreq = invFreq(headDim, 10000);
        Rope rope = new Rope(invFreq, 512);
        Random32 random = new Random32(rows * 31L + headDim);
        int off = 3;
        float[] x = random.floats(off + rows * nHeads * headDim);
        float[] original = x.clone();

        rope.apply(x, off, rows, nHeads, headDim, startPos);

        int half = headDim / 2;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < nHeads; h++) {
                int base = off + (r * nHeads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    // transformers: q * cos + rotate_half(q) * sin, rotate_half(q) = cat(-q2, q1); angle in fp32
                    double angle = (float) ((startPos + r) * invFreq[i]);
                    double x1 = original[base + i], x2 = original[base + half + i];
                    assertThat((double) x[base + i]).isCloseTo(x1 * Math.cos(angle) - x2 * Math.sin(angle), offset(1e-6));
                    assertThat((double) x[base + half + i]).isCloseTo(x2 * Math.cos(angle) + x1 * Math.sin(angle), offset(1e-6));
                }
            }
        }
        assertThat(x[0]).isEqualTo(original[0]);
    }

    @Test
    void inverseUndoesTheRotation() {
        Rope rope = new Rope(invFreq(48, 500000), 64);
        float[] x = new Random32(3).floats(6 * 2 * 48);
        float[] original = x.clone();
        rope.apply(x, 0, 6, 2, 48, 30);
        rope.applyInverse(x, 0, 6, 2, 48, 30);
        for (int i = 0; i < x.length; i++) {
            assertThat((double) x[i]).isCloseTo(original[i], offset(1e-6));
        }
    }

    @Test
    void refusesAWrongHeadSizeOrPositionsPastTheTable() {
        Rope rope = new Rope(invFreq(8, 10000), 10);
        float[] x = new float[64];
        assertThatThrownBy(() -> rope.apply(x, 0, 1, 1, 16, 0)).hasMessageContaining("head size 8");
        assertThatThrownBy(() -> rope.apply(x, 0, 2, 1, 8, 9)).hasMessageContaining("outside the rope table");
    }
}
