package dev.whittle.engine.quant;

import dev.whittle.engine.io.DType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The parameters and rounding of compressed-tensors' calculate_qparams and quantize, on hand-worked values. */
class QuantizationSchemeTest {

    @Test
    void symmetricFourBitScaleIsTheLargestMagnitudeOverSevenAndAHalf() {
        QuantizationScheme s = new QuantizationScheme(4, 128, true, DType.F32);
        float scale = s.scale(-1.5f, 0.75f);
        assertThat((double) scale).isCloseTo(0.2, within(1e-7));
        assertThat(s.zero(-1.5f, scale)).isZero();
        assertThat(s.quantize(0.75f, scale, 0)).isEqualTo(4); // 3.75 -> 4
        assertThat(s.quantize(0.3f, 0.2f, 0)).isEqualTo(2); // 1.5 rounds half to even
        assertThat(s.quantize(-1.5f, scale, 0)).isEqualTo(-8); // -7.5 rounds to even -8, in range
        assertThat(s.quantize(5f, scale, 0)).isEqualTo(7); // clamped
    }

    @Test
    void asymmetricScaleSpansMinToMaxAndTheZeroPointMapsMinToTheLowestCode() {
        QuantizationScheme s = new QuantizationScheme(4, 128, false, DType.F32);
        float scale = s.scale(-0.5f, 2.5f);
        assertThat((double) scale).isCloseTo(0.2, within(1e-7)); // 3 / 15
        int zero = s.zero(-0.5f, scale);
        assertThat(zero).isEqualTo(-6); // round(-8 + 2.5)= round(-5.5) = -6 (half to even)
        assertThat(QuantizationScheme.dequantize(s.quantize(2.5f, scale, zero), scale, zero))
                .isCloseTo(2.4f, within(1e-6f)); // 2.5 / 0.2 - 6 = 6.5 rounds to even: (6 + 6) 0.2
    }

    @Test
    void theRangeAlwaysHoldsZero() {
        QuantizationScheme s = new QuantizationScheme(8, -1, false, DType.F32);
        float scale = s.scale(1f, 2.55f); // widened to [0, 2.55]
        assertThat((double) scale).isCloseTo(0.01, within(1e-7));
        assertThat(s.zero(1f, scale)).isEqualTo(-128);
    }

    @Test
    void scalesAreRoundedToTheirStoredDtype() {
        QuantizationScheme s = new QuantizationScheme(4, 128, true, DType.BF16);
        float scale = s.scale(-1f, 1f); // 1 / 7.5 = 0.1333.. -> nearest bfloat16 0.1333008
        assertThat(scale).isEqualTo(Float.intBitsToFloat(Float.floatToIntBits(1f / 7.5f) + 0x8000 & 0xFFFF0000));
    }
}
