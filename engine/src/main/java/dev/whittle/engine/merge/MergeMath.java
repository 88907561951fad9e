package dev.whittle.engine.merge;

import java.util.Arrays;
import java.util.List;

/** The merge formulas on one tensor (flattened), in double where values are summed. */
public final class MergeMath {

    /** Above this |cosine| two tensors count as parallel and slerp falls back to linear, as mergekit does. */
    public static final double DOT_THRESHOLD = 0.9995;
    private static final double EPS = 1e-8;

    private MergeMath() {
    }

    /** {@code sum(w_i x_i) / sum(w_i)}. */
    public static float[] linear(List<float[]> tensors, List<Double> weights) {
        int n = tensors.getFirst().length;
        double total = weights.stream().mapToDouble(Double::doubleValue).sum();
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < tensors.size(); i++) {
                s += weights.get(i) * tensors.get(i)[j];
            }
            out[j] = (float) (s / total);
        }
        return out;
    }

    /**
     * mergekit's slerp: with {@code cos(theta) = <a/|a|, b/|b|>}, {@code sin(theta - t theta)/sin(theta) a +
     * sin(t theta)/sin(theta) b}; linear interpolation when the two are nearly parallel ({@link #DOT_THRESHOLD}), where
     * the sines vanish.
     */
    public static float[] slerp(float[] a, float[] b, double t) {
        double na = norm(a);
        double nb = norm(b);
        double dot = 0;
        for (int j = 0; j < a.length; j++) {
            dot += (a[j] / (na > EPS ? na : 1)) * (b[j] / (nb > EPS ? nb : 1));
        }
        float[] out = new float[a.length];
        if (Math.abs(dot) > DOT_THRESHOLD) {
            for (int j = 0; j < a.length; j++) {
                out[j] = (float) ((1 - t) * a[j] + t * b[j]);
            }
            return out;
        }
        double theta = Math.acos(dot);
        double sinTheta = Math.sin(theta);
        double s0 = Math.sin(theta - t * theta) / sinTheta;
        double s1 = Math.sin(t * theta) / sinTheta;
        for (int j = 0; j < a.length; j++) {
            out[j] = (float) (s0 * a[j] + s1 * b[j]);
        }
        return out;
    }

    /** TIES on one tensor: see {@link MergeMethod.Ties}. */
    public static float[] ties(float[] base, List<float[]> tensors, List<Double> weights, double density) {
        int n = base.length;
        int models = tensors.size();
        double[][] deltas = new double[models][];
        for (int i = 0; i < models; i++) {
            deltas[i] = trim(base, tensors.get(i), density);
        }
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            double mass = 0;
            for (int i = 0; i < models; i++) {
                mass += weights.get(i) * deltas[i][j];
            }
            double elected = Math.signum(mass);
            double sum = 0;
            double divisor = 0;
            for (int i = 0; i < models; i++) {
                double d = weights.get(i) * deltas[i][j];
                if (d != 0 && Math.signum(d) == elected) {
                    sum += d;
                    divisor += weights.get(i);
                }
            }
            out[j] = (float) (base[j] + (divisor == 0 ? 0 : sum / divisor));
        }
        return out;
    }

    /** {@code x - base} with all but the {@code density} fraction of largest magnitudes set to zero. */
    static double[] trim(float[] base, float[] x, double density) {
        int n = base.length;
        double[] delta = new double[n];
        for (int j = 0; j < n; j++) {
            delta[j] = (double) x[j] - base[j];
        }
        int keep = (int) (density * n); // as mergekit: int(density * numel)
        if (keep >= n) {
            return delta;
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        // Largest magnitudes first; ties by index, so the result does not depend on the sort.
        Arrays.sort(order, (p, q) -> {
            int c = Double.compare(Math.abs(delta[q]), Math.abs(delta[p]));
            return c != 0 ? c : Integer.compare(p, q);
        });
        for (int r = keep; r < n; r++) {
            delta[order[r]] = 0;
        }
        return delta;
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
