package dev.whittle.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Conversions between fp32 and the 16-bit float formats checkpoints are stored in (bfloat16 and IEEE half),
 * over {@code float[]}/{@code short[]} and over little-endian {@link MemorySegment}s (mapped safetensors data).
 *
 * <p>Widening is exact. Narrowing rounds to nearest, ties to even, as PyTorch does; a NaN stays a NaN (its
 * payload kept where the narrow format can hold it, so a NaN read from a 16-bit file is written back bit for
 * bit), and values beyond the narrow range become infinities.
 */
public final class Convert {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts with as many lanes as {@link #F}, so one short vector widens into one float vector. */
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Elements converted per scratch buffer on the scalar f16 paths over segments. */
    private static final int CHUNK = 4096;

    private Convert() {
    }

    // ---- scalars -------------------------------------------------------------------------------------------

    /** bfloat16 bits to fp32 (exact: bf16 is the upper half of an fp32). */
    public static float bf16ToF32(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** fp32 to bfloat16 bits, rounding to nearest even. */
    public static short f32ToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return nanToBf16(bits);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** Truncates a NaN, forcing the quiet bit only if truncation would otherwise leave an infinity. */
    private static short nanToBf16(int bits) {
        int upper = bits >>> 16;
        return (short) ((upper & 0x7F) == 0 ? upper | 0x40 : upper);
    }

    /** IEEE half bits to fp32 (exact; a NaN keeps its payload, signalling or not). */
    public static float f16ToF32(short bits) {
        if ((bits & 0x7FFF) > 0x7C00) {
            return f16NanToF32(bits);
        }
        return Float.float16ToFloat(bits);
    }

    /** fp32 to IEEE half bits, rounding to nearest even. */
    public static short f32ToF16(float value) {
        if (value != value) {
            return nanToF16(Float.floatToRawIntBits(value));
        }
        return Float.floatToFloat16(value);
    }

    // The JDK's conversions (F16C instructions) quiet signalling NaNs; these keep the payload bits instead, so
    // that every 16-bit pattern survives a round trip through fp32.
    private static float f16NanToF32(short bits) {
        return Float.intBitsToFloat(((bits & 0x8000) << 16) | 0x7F80_0000 | ((bits & 0x3FF) << 13));
    }

    private static short nanToF16(int bits) {
        int payload = (bits >>> 13) & 0x3FF;
        return (short) (((bits >>> 16) & 0x8000) | 0x7C00 | (payload == 0 ? 0x200 : payload));
    }

    // ---- arrays --------------------------------------------------------------------------------------------

    public static void bf16ToF32(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            widenBf16(ShortVector.fromArray(S, src, srcOff + i)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = bf16ToF32(src[srcOff + i]);
        }
    }

    public static void f32ToBf16(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            narrowBf16(FloatVector.fromArray(F, src, srcOff + i)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = f32ToBf16(src[srcOff + i]);
        }
    }

    // The JDK intrinsifies Float.float16ToFloat/floatToFloat16 (F16C) and C2 vectorises these plain loops; NaNs,
    // which the hardware would quiet, are rare, so one vector scan finds whether any need their payload restored.
    public static void f16ToF32(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(src[srcOff + i]);
        }
        if (containsF16Nan(src, srcOff, n)) {
            for (int i = 0; i < n; i++) {
                if ((src[srcOff + i] & 0x7FFF) > 0x7C00) {
                    dst[dstOff + i] = f16NanToF32(src[srcOff + i]);
                }
            }
        }
    }

    public static void f32ToF16(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.floatToFloat16(src[srcOff + i]);
        }
        if (containsNan(src, srcOff, n)) {
            for (int i = 0; i < n; i++) {
                float v = src[srcOff + i];
                if (v != v) {
                    dst[dstOff + i] = nanToF16(Float.floatToRawIntBits(v));
                }
            }
        }
    }

    private static boolean containsF16Nan(short[] src, int srcOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            ShortVector v = ShortVector.fromArray(S, src, srcOff + i);
            if (v.and((short) 0x7FFF).compare(VectorOperators.GT, (short) 0x7C00).anyTrue()) {
                return true;
            }
        }
        for (; i < n; i++) {
            if ((src[srcOff + i] & 0x7FFF) > 0x7C00) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsNan(float[] src, int srcOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            if (FloatVector.fromArray(F, src, srcOff + i).test(VectorOperators.IS_NAN).anyTrue()) {
                return true;
            }
        }
        for (; i < n; i++) {
            if (Float.isNaN(src[srcOff + i])) {
                return true;
            }
        }
        return false;
    }

    public static float[] bf16ToF32(short[] src) {
        float[] dst = new float[src.length];
        bf16ToF32(src, 0, dst, 0, src.length);
        return dst;
    }

    public static short[] f32ToBf16(float[] src) {
        short[] dst = new short[src.length];
        f32ToBf16(src, 0, dst, 0, src.length);
        return dst;
    }

    public static float[] f16ToF32(short[] src) {
        float[] dst = new float[src.length];
        f16ToF32(src, 0, dst, 0, src.length);
        return dst;
    }

    public static short[] f32ToF16(float[] src) {
        short[] dst = new short[src.length];
        f32ToF16(src, 0, dst, 0, src.length);
        return dst;
    }

    // ---- little-endian segments ----------------------------------------------------------------------------

    /** Widens {@code n} bf16 values starting at byte {@code srcOffset} of {@code src}. */
    public static void bf16ToF32(MemorySegment src, long srcOffset, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            ShortVector bits = ShortVector.fromMemorySegment(S, src, srcOffset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            widenBf16(bits).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = bf16ToF32(src.get(SHORT_LE, srcOffset + 2L * i));
        }
    }

    /** Narrows {@code n} floats to bf16 at byte {@code dstOffset} of {@code dst}. */
    public static void f32ToBf16(float[] src, int srcOff, MemorySegment dst, long dstOffset, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            narrowBf16(FloatVector.fromArray(F, src, srcOff + i))
                    .intoMemorySegment(dst, dstOffset + 2L * i, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) {
            dst.set(SHORT_LE, dstOffset + 2L * i, f32ToBf16(src[srcOff + i]));
        }
    }

    /** Widens {@code n} IEEE half values starting at byte {@code srcOffset} of {@code src}. */
    public static void f16ToF32(MemorySegment src, long srcOffset, float[] dst, int dstOff, int n) {
        short[] scratch = new short[Math.min(n, CHUNK)];
        for (int done = 0; done < n; done += scratch.length) {
            int len = Math.min(scratch.length, n - done);
            MemorySegment.copy(src, SHORT_LE, srcOffset + 2L * done, scratch, 0, len);
            f16ToF32(scratch, 0, dst, dstOff + done, len);
        }
    }

    /** Narrows {@code n} floats to IEEE half at byte {@code dstOffset} of {@code dst}. */
    public static void f32ToF16(float[] src, int srcOff, MemorySegment dst, long dstOffset, int n) {
        short[] scratch = new short[Math.min(n, CHUNK)];
        for (int done = 0; done < n; done += scratch.length) {
            int len = Math.min(scratch.length, n - done);
            f32ToF16(src, srcOff + done, scratch, 0, len);
            MemorySegment.copy(scratch, 0, dst, SHORT_LE, dstOffset + 2L * done, len);
        }
    }

    /** Copies {@code n} little-endian fp32 values starting at byte {@code srcOffset}. */
    public static void f32ToF32(MemorySegment src, long srcOffset, float[] dst, int dstOff, int n) {
        MemorySegment.copy(src, FLOAT_LE, srcOffset, dst, dstOff, n);
    }

    /** Writes {@code n} floats as little-endian fp32 at byte {@code dstOffset}. */
    public static void f32ToF32(float[] src, int srcOff, MemorySegment dst, long dstOffset, int n) {
        MemorySegment.copy(src, srcOff, dst, FLOAT_LE, dstOffset, n);
    }

    // ---- vector bodies -------------------------------------------------------------------------------------

    private static FloatVector widenBf16(ShortVector bits) {
        // Sign-extending is harmless: the shift pushes the extension bits out.
        IntVector wide = (IntVector) bits.convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static ShortVector narrowBf16(FloatVector values) {
        IntVector bits = values.reinterpretAsInts();
        IntVector upper = bits.lanewise(VectorOperators.LSHR, 16);
        IntVector rounded = bits.add(upper.and(1)).add(0x7FFF).lanewise(VectorOperators.LSHR, 16);
        VectorMask<Integer> nan = bits.and(0x7FFF_FFFF).compare(VectorOperators.GT, 0x7F80_0000);
        if (nan.anyTrue()) {
            VectorMask<Integer> emptyPayload = upper.and(0x7F).compare(VectorOperators.EQ, 0);
            IntVector nanBits = upper.blend(upper.or(0x40), emptyPayload);
            rounded = rounded.blend(nanBits, nan);
        }
        return (ShortVector) rounded.convertShape(VectorOperators.I2S, S, 0);
    }
}
