package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Locale;

/**
 * OWL, outlier-weighted layer-wise sparsity (Yin et al. 2024): blocks with more outlier weights are pruned less.
 * A block's outlier ratio {@code D_l} is the share of its Wanda scores {@code |W_ij| ||X_j||} (all its chosen
 * linears together, on the dense model's calibration inputs) above {@code M} times their mean. The ratios are
 * scaled min-max to {@code [0, 2 lambda]} and each block's sparsity is the target less its scaled ratio's distance
 * from their mean, {@code S_l = S - (d_l - mean d)}: the sparsities average to the target and differ by at most
 * {@code 2 lambda}, as in the official code and llm-compressor's {@code sparsity_profile: owl}.
 */
public final class OwlProfile {

    /** llm-compressor's and the paper's defaults for LLaMA. */
    public static final double DEFAULT_M = 5;
    public static final double DEFAULT_LAMBDA = 0.08;

    /** How sparsity is spread over the blocks. */
    public enum Profile {
        /** Every block at the target. */
        UNIFORM,
        /** OWL: blocks with more outliers less. */
        OWL;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private OwlProfile() {
    }

    /**
     * The share of Wanda scores above {@code m} x their mean over the matrices {@code weights} ({@code [out x in]}
     * each, {@code in = norms[k].length}), their inputs' norms {@code ||X_j||} in {@code norms}.
     */
    public static double outlierRatio(List<float[]> weights, List<double[]> norms, double m) {
        double sum = 0;
        long count = 0;
        for (int k = 0; k < weights.size(); k++) {
            float[] w = weights.get(k);
            double[] n = norms.get(k);
            for (int i = 0; i < w.length; i++) {
                sum += Math.abs(w[i]) * n[i % n.length];
            }
            count += w.length;
        }
        double threshold = m * sum / count;
        long outliers = 0;
        for (int k = 0; k < weights.size(); k++) {
            float[] w = weights.get(k);
            double[] n = norms.get(k);
            for (int i = 0; i < w.length; i++) {
                outliers += Math.abs(w[i]) * n[i % n.length] > threshold ? 1 : 0;
            }
        }
        return (double) outliers / count;
    }

    /** The sparsity of each block from the blocks' outlier ratios, for an average of {@code target}. */
    public static double[] sparsities(double[] ratios, double target, double lambda) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double r : ratios) {
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        double[] scaled = new double[ratios.length];
        double mean = 0;
        for (int l = 0; l < ratios.length; l++) {
            scaled[l] = max == min ? 0 : (ratios[l] - min) / (max - min) * 2 * lambda;
            mean += scaled[l] / ratios.length;
        }
        double[] sparsities = new double[ratios.length];
        for (int l = 0; l < ratios.length; l++) {
            sparsities[l] = target - (scaled[l] - mean);
        }
        return sparsities;
    }
}
