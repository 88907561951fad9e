package dev.whittle.engine.quant;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.tensor.Convert;

/**
 * Integer weight quantization as compressed-tensors defines it: signed codes in {@code [-2^(b-1), 2^(b-1) - 1]},
 * one scale (and, asymmetric, one zero point) per output row and group of {@code groupSize} consecutive inputs
 * ({@code -1}: one group spanning the row, "channel" strategy). A weight is {@code q = clamp(round(w / s + z))} and
 * reads back as {@code (q - z) s}; rounding is half to even, as {@code torch.round}. Scales are rounded to the dtype
 * they are stored in before any weight is quantized with them, so what the engine computes with is what the file
 * holds.
 *
 * <p>The parameters of a group follow compressed-tensors' {@code calculate_qparams}: the range is widened to hold
 * 0; symmetric {@code s = max|w| / ((2^b - 1) / 2)}, {@code z = 0}; asymmetric {@code s = (max - min) / (2^b - 1)},
 * {@code z = clamp(round(qmin - min / s))}; {@code s} at least fp32 epsilon.
 */
public record QuantizationScheme(int bits, int groupSize, boolean symmetric, DType scaleDtype) {

    /** One group over the whole row. */
    public static final int PER_CHANNEL = -1;
    private static final float EPSILON = Math.ulp(1f);

    public QuantizationScheme {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("bits must be 2 to 8, not " + bits);
        }
        if (groupSize != PER_CHANNEL && groupSize < 1) {
            throw new IllegalArgumentException("group size must be positive or -1, not " + groupSize);
        }
    }

    public int qmin() {
        return -(1 << (bits - 1));
    }

    public int qmax() {
        return (1 << (bits - 1)) - 1;
    }

    /** Inputs per group in a row of {@code cols}. */
    public int groupWidth(int cols) {
        return groupSize == PER_CHANNEL ? cols : groupSize;
    }

    /** Groups per row of {@code cols} inputs (the last may be narrower). */
    public int groups(int cols) {
        int width = groupWidth(cols);
        return (cols + width - 1) / width;
    }

    /** The scale of the values {@code min..max} of one group, rounded to {@link #scaleDtype}. */
    public float scale(float min, float max) {
        min = Math.min(min, 0f);
        max = Math.max(max, 0f);
        float range = (1 << bits) - 1;
        float s = symmetric ? Math.max(Math.abs(min), Math.abs(max)) / (range / 2) : (max - min) / range;
        return stored(Math.max(s, EPSILON));
    }

    /** The zero point for a group of values {@code min..max} with scale {@code scale}: 0 when symmetric. */
    public int zero(float min, float scale) {
        if (symmetric) {
            return 0;
        }
        float z = qmin() - Math.min(min, 0f) / scale;
        return (int) Math.max(qmin(), Math.min(qmax(), Math.rint(z)));
    }

    public int quantize(float w, float scale, int zero) {
        double q = Math.rint(w / scale + zero);
        return (int) Math.max(qmin(), Math.min(qmax(), q));
    }

    public static float dequantize(int q, float scale, int zero) {
        return (q - zero) * scale;
    }

    /** The value {@code v} as {@link #scaleDtype} holds it. */
    private float stored(float v) {
        return switch (scaleDtype) {
            case BF16 -> Convert.bf16ToF32(Convert.f32ToBf16(v));
            case F16 -> Convert.f16ToF32(Convert.f32ToF16(v));
            default -> v;
        };
    }
}
