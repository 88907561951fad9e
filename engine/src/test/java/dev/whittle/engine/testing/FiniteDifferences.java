package dev.whittle.engine.testing;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * The double-precision gradient check every backward is tested with: central differences of a scalar loss that
 * the test computes with its own plain double reference (never with the code under test), compared entry by
 * entry with the analytic gradient the float code produced.
 */
public final class FiniteDifferences {

    /** Relative step; central differences err by O(h^2) and rounding by O(1e-16 / h), both far below float noise. */
    private static final double STEP = 1e-5;

    private FiniteDifferences() {
    }

    /**
     * {@code d loss / d x[i]} for every i by central differences: x is perturbed in place (and restored), and
     * {@code loss} must read it.
     */
    public static double[] gradient(double[] x, DoubleSupplier loss) {
        return gradient(x, entries(x.length, x.length), loss);
    }

    /**
     * At most {@code count} of the indices {@code 0..n-1}, spread evenly over them (all of them when
     * {@code n <= count}): for tensors whose reference is too dear to perturb every entry of.
     */
    public static int[] entries(int n, int count) {
        int m = Math.min(n, count);
        int[] entries = new int[m];
        for (int i = 0; i < m; i++) {
            entries[i] = (int) ((long) i * n / m);
        }
        return entries;
    }

    /** {@code d loss / d x[e]} by central differences for each e of {@code entries}, as {@link #gradient}. */
    public static double[] gradient(double[] x, int[] entries, DoubleSupplier loss) {
        double[] grad = new double[entries.length];
        for (int j = 0; j < entries.length; j++) {
            int i = entries[j];
            double saved = x[i];
            double h = STEP * Math.max(1, Math.abs(saved));
            x[i] = saved + h;
            double plus = loss.getAsDouble();
            x[i] = saved - h;
            double minus = loss.getAsDouble();
            x[i] = saved;
            grad[j] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    /** As {@link #assertGradient(String, float[], double[])} at {@code entries} only ({@link #gradient(double[], int[], DoubleSupplier)}). */
    public static void assertGradient(String tensor, float[] analytic, int[] entries, double[] expected) {
        float[] picked = new float[entries.length];
        for (int j = 0; j < entries.length; j++) {
            picked[j] = analytic[entries[j]];
        }
        assertClose(tensor + " at " + entries.length + " of " + analytic.length + " entries", picked, expected,
                1e-3, 1e-4);
    }

    /**
     * Fails naming the tensor and the first bad entry unless every {@code analytic[i]} is within float accuracy of
     * {@code expected[i]}: {@code 1e-3} relative, plus {@code 1e-4} of the largest expected magnitude for entries
     * near zero, plus {@code 1e-6} absolute (float rounding of the order-one terms that cancel into a tiny entry).
     */
    public static void assertGradient(String tensor, float[] analytic, double[] expected) {
        assertClose(tensor, analytic, expected, 1e-3, 1e-4);
    }

    /** As {@link #assertGradient} for a forward output: float result against the double reference. */
    public static void assertForward(String tensor, float[] actual, double[] expected) {
        assertClose(tensor, actual, expected, 1e-4, 1e-5);
    }

    public static void assertClose(String tensor, float[] actual, double[] expected, double rtol, double atolOfMax) {
        if (actual.length != expected.length) {
            fail(tensor + ": " + actual.length + " values, expected " + expected.length);
        }
        double max = 0;
        for (double e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        double atol = atolOfMax * max + 1e-6;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                fail(String.format("%s[%d] = %.8g, expected %.8g (error %.3g, allowed %.3g; largest |expected| %.3g)",
                        tensor, i, actual[i], expected[i], err, atol + rtol * Math.abs(expected[i]), max));
            }
        }
    }

    /** The float values as doubles (the reference starts from exactly the numbers the float code sees). */
    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** {@code n} values uniform in {@code [-scale, scale)}. */
    public static float[] random(Random random, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    /** {@code sum(weights[i] * y[i])}: a loss whose gradient with respect to y is {@code weights}. */
    public static double project(double[] weights, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += weights[i] * y[i];
        }
        return s;
    }
}
