package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VectorMathTest {

    private static final int L = Ops.S.length();

    private static float[] exp(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            VectorMath.exp(FloatVector.fromArray(Ops.S, x, i)).intoArray(out, i);
        }
        return out;
    }

    @Test
    void expIsWithinOneUlpOfTheCorrectlyRoundedValueOverTheUsefulRange() {
        int n = 1 << 18;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -87.3f + (88.3f + 87.3f) * i / n;
        }
        float[] e = exp(x);
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]);
            assertThat(Math.abs(e[i] - exact) / Math.ulp((float) exact)).as("exp(%s)", x[i]).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void expUnderflowsToZeroOverflowsToInfinityAndKeepsNaN() {
        float[] x = new float[L];
        float[] special = {Float.NEGATIVE_INFINITY, -1000f, -87.4f, 0f, 89f, Float.POSITIVE_INFINITY, Float.NaN};
        System.arraycopy(special, 0, x, 0, Math.min(L, special.length));
        float[] e = exp(x);
        float[] expected = {0f, 0f, 0f, 1f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN};
        for (int i = 0; i < Math.min(L, expected.length); i++) {
            assertThat(Float.valueOf(e[i])).as("exp(%s)", x[i]).isEqualTo(Float.valueOf(expected[i]));
        }
    }

    @Test
    void exp2NonPositiveIsWithinTwoUlpOfTheCorrectlyRoundedValueAndUnderflowsToZero() {
        int n = 1 << 18;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -127f * i / n;
        }
        x[1] = Float.NEGATIVE_INFINITY;
        x[2] = -126.01f;
        x[3] = -1000f;
        float[] e = new float[n];
        for (int i = 0; i < n; i += L) {
            VectorMath.exp2NonPositive(FloatVector.fromArray(Ops.S, x, i)).intoArray(e, i);
        }
        for (int i = 0; i < n; i++) {
            double exact = x[i] < -126f ? 0 : Math.pow(2, x[i]);
            assertThat(Math.abs(e[i] - exact) / Math.ulp((float) Math.max(exact, Float.MIN_NORMAL)))
                    .as("2^%s", x[i]).isLessThanOrEqualTo(2.0);
        }
    }

    @Test
    void expNonPositiveIsCloseToMathExpAndUnderflowsToZero() {
        int n = 1 << 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -87f * i / n;
        }
        x[1] = Float.NEGATIVE_INFINITY;
        x[2] = -1000f;
        float[] e = new float[n];
        for (int i = 0; i < n; i += L) {
            VectorMath.expNonPositive(FloatVector.fromArray(Ops.S, x, i)).intoArray(e, i);
        }
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]);
            // Two ulp of the base-2 kernel, plus the rounding of x log2(e): relative 6e-8 |x| of the result.
            double allowed = 2 * Math.ulp((float) Math.max(exact, Float.MIN_NORMAL)) + (exact == 0 ? 0 : exact * 1.2e-7 * Math.abs(x[i]));
            assertThat(Math.abs(e[i] - exact)).as("exp(%s)", x[i]).isLessThanOrEqualTo(allowed);
        }
    }

    @Test
    void sumAddsTheLanesInOrder() {
        float[] x = new float[L];
        for (int i = 0; i < L; i++) {
            x[i] = (float) Math.scalb(1.0 + i / 7.0, (i * 13) % 40 - 20);
        }
        float expected = 0;
        for (float v : x) {
            expected += v;
        }
        assertThat(VectorMath.sum(FloatVector.fromArray(Ops.S, x, 0))).isEqualTo(expected);
    }
}
