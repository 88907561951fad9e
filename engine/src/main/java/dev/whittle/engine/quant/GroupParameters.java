package dev.whittle.engine.quant;

/** The scale and zero point of groups of weights, from their min and max (the "minmax" observer). */
final class GroupParameters {

    private GroupParameters() {
    }

    /** Every group of every row of {@code w} ({@code [rows x cols]}) into {@code scales} and {@code zeros}. */
    static void fit(float[] w, int rows, int cols, QuantizationScheme scheme, float[] scales, int[] zeros) {
        int width = scheme.groupWidth(cols);
        int groups = scheme.groups(cols);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                fitOne(w, r * cols + g * width, 1, Math.min(width, cols - g * width), scheme, scales, zeros,
                        r * groups + g);
            }
        }
    }

    /** One group: {@code count} values of {@code w} from {@code off}, {@code stride} apart, into slot {@code at}. */
    static void fitOne(float[] w, int off, int stride, int count, QuantizationScheme scheme, float[] scales,
                       int[] zeros, int at) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            float v = w[off + i * stride];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float scale = scheme.scale(min, max);
        scales[at] = scale;
        zeros[at] = scheme.zero(min, scale);
    }
}
