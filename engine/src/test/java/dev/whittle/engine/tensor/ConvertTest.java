package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conversions against an independent reference: 16-bit patterns decoded arithmetically in double precision
 * (sign, exponent, mantissa), and narrowing by searching the sorted table of all representable values for the
 * nearest one, ties to the even pattern.
 */
class ConvertTest {

    /** Value of a 16-bit float with {@code exponentBits} exponent bits and {@code mantissaBits} mantissa bits. */
    private static double decode(int bits, int exponentBits, int mantissaBits) {
        int sign = (bits >>> (exponentBits + mantissaBits)) & 1;
        int exponent = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
        int mantissa = bits & ((1 << mantissaBits) - 1);
        int bias = (1 << (exponentBits - 1)) - 1;
        double magnitude;
        if (exponent == (1 << exponentBits) - 1) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = mantissa * Math.pow(2, 1 - bias - mantissaBits);
        } else {
            magnitude = (1 + mantissa / Math.pow(2, mantissaBits)) * Math.pow(2, exponent - bias);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    private static double bf16Value(int bits) {
        return decode(bits, 8, 7);
    }

    private static double f16Value(int bits) {
        return decode(bits, 5, 10);
    }

    /**
     * Nearest representable pattern to {@code x} (finite or infinite; not NaN), ties to the even pattern. The
     * positive patterns 0..maxFinite+1 are increasing in value, and the infinity pattern sits where the next
     * binade would start, which is exactly IEEE's overflow threshold.
     */
    private static int nearest(double x, int exponentBits, int mantissaBits) {
        int infinity = ((1 << exponentBits) - 1) << mantissaBits;
        double ulpAtTop = decode(infinity - 1, exponentBits, mantissaBits) - decode(infinity - 2, exponentBits, mantissaBits);
        double magnitude = Math.abs(x);
        int lo = 0;
        int hi = infinity;
        double infinityValue = decode(infinity - 1, exponentBits, mantissaBits) + ulpAtTop;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (decode(mid, exponentBits, mantissaBits) <= magnitude) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double below = decode(lo, exponentBits, mantissaBits);
        double above = hi == infinity ? infinityValue : decode(hi, exponentBits, mantissaBits);
        int pattern;
        if (magnitude >= infinityValue) {
            pattern = infinity;
        } else if (magnitude - below < above - magnitude) {
            pattern = lo;
        } else if (magnitude - below > above - magnitude) {
            pattern = hi;
        } else {
            pattern = (lo & 1) == 0 ? lo : hi;
        }
        int signBit = 1 << (exponentBits + mantissaBits);
        return (x < 0 || (x == 0 && 1 / x < 0)) ? pattern | signBit : pattern;
    }

    /** Floats that stress rounding: random bits, halfway points, subnormals, the overflow edge, zeros, infinities. */
    private static float[] hardFloats(int n, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (i % 8) {
                case 0 -> Float.intBitsToFloat(random.nextInt());
                case 1 -> Float.intBitsToFloat((random.nextInt() & 0xFFFF0000) | 0x8000); // bf16 tie
                case 2 -> Float.intBitsToFloat((random.nextInt() & 0xFFFFE000) | 0x1000); // f16 tie (normal range)
                case 3 -> (float) (random.nextGaussian() * 1e-6); // f16 subnormals
                case 4 -> (float) (random.nextGaussian() * 65520); // f16 overflow edge
                case 5 -> Float.intBitsToFloat(random.nextInt() & 0x807FFFFF); // f32 subnormals
                case 6 -> new float[] {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 65504f, 65520f,
                        3.3895314e38f, Float.MAX_VALUE}[random.nextInt(8)];
                default -> (float) random.nextGaussian();
            };
        }
        return v;
    }

    @Test
    void everyBf16PatternWidensToItsArithmeticValue() {
        for (int bits = 0; bits < 65536; bits++) {
            float widened = Convert.bf16ToF32((short) bits);
            double expected = bf16Value(bits);
            if (Double.isNaN(expected)) {
                assertThat(Float.floatToRawIntBits(widened)).isEqualTo(bits << 16);
            } else {
                assertThat((double) widened).as("bf16 %04x", bits).isEqualTo(expected);
            }
        }
    }

    @Test
    void everyF16PatternWidensToItsArithmeticValue() {
        for (int bits = 0; bits < 65536; bits++) {
            float widened = Convert.f16ToF32((short) bits);
            double expected = f16Value(bits);
            if (Double.isNaN(expected)) {
                assertThat(widened).isNaN();
            } else {
                assertThat((double) widened).as("f16 %04x", bits).isEqualTo(expected);
            }
        }
    }

    @Test
    void narrowingToBf16RoundsToNearestEven() {
        for (float x : hardFloats(200_000, 1)) {
            if (!Float.isNaN(x)) {
                assertThat(Convert.f32ToBf16(x) & 0xFFFF).as("%s (%08x)", x, Float.floatToRawIntBits(x))
                        .isEqualTo(nearest(x, 8, 7));
            }
        }
    }

    @Test
    void narrowingToF16RoundsToNearestEven() {
        for (float x : hardFloats(200_000, 2)) {
            if (!Float.isNaN(x)) {
                assertThat(Convert.f32ToF16(x) & 0xFFFF).as("%s (%08x)", x, Float.floatToRawIntBits(x))
                        .isEqualTo(nearest(x, 5, 10));
            }
        }
    }

    @Test
    void every16BitPatternSurvivesARoundTripBitForBit() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        assertThat(Convert.f32ToBf16(Convert.bf16ToF32(all))).containsExactly(all);
        assertThat(Convert.f32ToF16(Convert.f16ToF32(all))).containsExactly(all);
    }

    @Test
    void aNanWhosePayloadLiesBelowBf16PrecisionStaysNan() {
        float lowPayloadNan = Float.intBitsToFloat(0x7F800001);
        assertThat(Convert.bf16ToF32(Convert.f32ToBf16(lowPayloadNan))).isNaN();
        float[] many = new float[37];
        Arrays.fill(many, lowPayloadNan);
        for (short s : Convert.f32ToBf16(many)) {
            assertThat(Convert.bf16ToF32(s)).isNaN();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 16, 17, 33, 1027})
    void vectorArrayPathsMatchTheScalarPathAtEveryLengthAndOffset(int n) {
        float[] src = hardFloats(n + 5, n);
        short[] bf = new short[n + 3];
        short[] hf = new short[n + 3];
        Convert.f32ToBf16(src, 5, bf, 3, n);
        Convert.f32ToF16(src, 5, hf, 3, n);
        float[] bfBack = new float[n + 2];
        float[] hfBack = new float[n + 2];
        Convert.bf16ToF32(bf, 3, bfBack, 2, n);
        Convert.f16ToF32(hf, 3, hfBack, 2, n);
        for (int i = 0; i < n; i++) {
            assertThat(bf[3 + i]).isEqualTo(Convert.f32ToBf16(src[5 + i]));
            assertThat(hf[3 + i]).isEqualTo(Convert.f32ToF16(src[5 + i]));
            assertThat(Float.floatToRawIntBits(bfBack[2 + i])).isEqualTo(Float.floatToRawIntBits(Convert.bf16ToF32(bf[3 + i])));
            assertThat(Float.floatToRawIntBits(hfBack[2 + i])).isEqualTo(Float.floatToRawIntBits(Convert.f16ToF32(hf[3 + i])));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 9, 31, 4099, 9000})
    void segmentPathsAtUnalignedOffsetsMatchTheArrayPaths(int n) {
        float[] src = hardFloats(n, 100 + n);
        MemorySegment bf = MemorySegment.ofArray(new byte[2 * n + 3]);
        MemorySegment hf = MemorySegment.ofArray(new byte[2 * n + 3]);
        MemorySegment f32 = MemorySegment.ofArray(new byte[4 * n + 1]);
        Convert.f32ToBf16(src, 0, bf, 3, n);
        Convert.f32ToF16(src, 0, hf, 1, n);
        Convert.f32ToF32(src, 0, f32, 1, n);
        float[] bfBack = new float[n];
        float[] hfBack = new float[n];
        float[] f32Back = new float[n];
        Convert.bf16ToF32(bf, 3, bfBack, 0, n);
        Convert.f16ToF32(hf, 1, hfBack, 0, n);
        Convert.f32ToF32(f32, 1, f32Back, 0, n);
        short[] bfExpected = Convert.f32ToBf16(src);
        short[] hfExpected = Convert.f32ToF16(src);
        for (int i = 0; i < n; i++) {
            // Little-endian: low byte first.
            assertThat((short) ((bf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 3 + 2L * i) & 0xFF)
                    | (bf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + 2L * i) << 8))).isEqualTo(bfExpected[i]);
            assertThat(Float.floatToRawIntBits(bfBack[i])).isEqualTo(Float.floatToRawIntBits(Convert.bf16ToF32(bfExpected[i])));
            assertThat(Float.floatToRawIntBits(hfBack[i])).isEqualTo(Float.floatToRawIntBits(Convert.f16ToF32(hfExpected[i])));
            assertThat(Float.floatToRawIntBits(f32Back[i])).isEqualTo(Float.floatToRawIntBits(src[i]));
        }
    }
}
