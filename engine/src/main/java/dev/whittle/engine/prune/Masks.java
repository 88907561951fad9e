package dev.whittle.engine.prune;

/** Applying a pruning mask, and counting what a matrix keeps. */
final class Masks {

    private Masks() {
    }

    /** Sets {@code weight[i] = 0} wherever {@code mask[i]}. */
    static void zero(float[] weight, boolean[] mask) {
        for (int i = 0; i < weight.length; i++) {
            if (mask[i]) {
                weight[i] = 0f;
            }
        }
    }

    /** Values that are not zero (either sign of zero counts as zero). */
    static long nonZeros(float[] values) {
        long n = 0;
        for (float v : values) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }
}
