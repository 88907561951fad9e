package dev.whittle.engine.model;

/** Comparing fast-path logits with reference ones, scale-aware: the worst error relative to the largest logit. */
public final class Logits {

    private Logits() {
    }

    /** {@code max |actual - expected| / max |expected|} over {@code expected.length} rows of {@code vocab}. */
    public static double relativeError(float[] actual, int actualOff, double[][] expected) {
        double worst = 0;
        double scale = 0;
        int vocab = expected[0].length;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                scale = Math.max(scale, Math.abs(expected[t][v]));
                worst = Math.max(worst, Math.abs(expected[t][v] - actual[actualOff + t * vocab + v]));
            }
        }
        return worst / scale;
    }

    /** The same for two fp32 results of equal length. */
    public static double relativeError(float[] actual, float[] expected) {
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        return worst / scale;
    }
}
