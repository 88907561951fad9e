package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane functions whose results do not depend on how the JIT compiled the caller. The Vector API's own
 * {@code lanewise(EXP)} and {@code reduceLanes(ADD)} are not: before C2 compiles a loop they run a per-lane
 * {@code Math.exp} and a lane-order sum, after it a vector math library and a tree of adds, which differ in the
 * last bits. Training must repeat a run bit for bit after a restart in a fresh JVM, so the kernels use these,
 * built only from IEEE operations (add, mul, fma, bit moves) that give the same result on every path.
 */
final class VectorMath {

    private static final VectorSpecies<Float> S = Ops.S;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HI} is exact for the n that occur (Cody and Waite). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5 * 2^23 rounds a float below 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;
    /** Below this exp underflows to zero; above {@link #SATURATE} 2^n would leave the exponent range. */
    private static final float UNDERFLOW = -87.33654f;
    private static final float SATURATE = 88.37626f;
    private static final float OVERFLOW = 88.72284f;
    /** {@link #exp2NonPositive}'s polynomial: the coefficients of e^r - 1 times (ln 2)^k. */
    private static final float EXP2_C1 = exp2Coefficient(0x1.ffffecp-1f, 1);
    private static final float EXP2_C2 = exp2Coefficient(0x1.fffdb6p-2f, 2);
    private static final float EXP2_C3 = exp2Coefficient(0x1.555e66p-3f, 3);
    private static final float EXP2_C4 = exp2Coefficient(0x1.573e2ep-5f, 4);
    private static final float EXP2_C5 = exp2Coefficient(0x1.0e4020p-7f, 5);

    private VectorMath() {
    }

    private static float exp2Coefficient(float c, int k) {
        return (float) (c * Math.pow(Math.log(2), k));
    }

    /**
     * {@code e^x} per lane within one ulp of {@code Math.exp} on {@code [-87.3, 88.37]} (Cephes' expf polynomial
     * after range reduction); 0 below, {@code +inf} above 88.72 (where fp32 overflows), {@code e^88.37} in
     * between; NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(UNDERFLOW).min(SATURATE);
        FloatVector n = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND)).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector exponent = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = p.mul(exponent.reinterpretAsFloats());
        result = result.blend(0f, x.compare(VectorOperators.LT, UNDERFLOW));
        return result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, OVERFLOW));
    }

    /**
     * {@code e^x} per lane for {@code x <= 0}, for softmax arguments kept in natural units (decode attention's
     * scores): {@link #exp2NonPositive} of {@code x log2(e)}, whose product's rounding adds a relative error of
     * about {@code |x| 6e-8} to the result (within a few ulp where softmax weights matter, near the max).
     */
    static FloatVector expNonPositive(FloatVector x) {
        return exp2NonPositive(x.mul(LOG2_E));
    }

    private static final float LOG2_E = (float) (1 / Math.log(2));

    /**
     * {@code 2^x} per lane for {@code x <= 0}, the arguments of a softmax kept in base 2 (scores scaled by
     * {@code log2(e)}, minus their max), within two ulp of the correctly rounded value on {@code [-126, 0]} and 0
     * below (minus infinity included). Base 2 makes the range reduction exact and cheap, {@code r = x - round(x)}
     * with no {@code ln 2} to split, which spares the FMA ports three of their ten operations per vector; the
     * polynomial is the degree-5 minimax fit of {@code e^r - 1} (ARM's optimized-routines expf, 1.5 ulp) with its
     * coefficients scaled to {@code 2^r - 1}.
     */
    static FloatVector exp2NonPositive(FloatVector x) {
        // A compare and a blend rather than max: max's NaN and signed-zero rules cost x86 five instructions.
        // Below -126 the argument becomes -127, whose 2^n has a zero exponent field: the product is exactly 0.
        FloatVector xc = x.blend(-127f, x.compare(VectorOperators.LT, -126f));
        FloatVector n = xc.add(ROUND).sub(ROUND);
        FloatVector r = xc.sub(n);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(FloatVector.broadcast(S, EXP2_C5), FloatVector.broadcast(S, EXP2_C4));
        FloatVector q = r.fma(FloatVector.broadcast(S, EXP2_C3), FloatVector.broadcast(S, EXP2_C2));
        q = p.fma(r2, q);
        FloatVector poly = q.fma(r2, r.mul(EXP2_C1)); // 2^r - 1
        FloatVector scale = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return poly.fma(scale, scale);
    }

    /** The sum of the lanes, added in lane order. */
    static float sum(FloatVector v) {
        float[] lanes = new float[S.length()];
        v.intoArray(lanes, 0);
        float sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        return sum;
    }
}
