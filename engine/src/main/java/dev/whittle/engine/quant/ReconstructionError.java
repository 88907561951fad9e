package dev.whittle.engine.quant;

import dev.whittle.engine.tensor.Gemm;

/** How far quantized weights {@code Q} are from the weights {@code W} they replace, relatively. */
public final class ReconstructionError {

    private ReconstructionError() {
    }

    /** {@code ||W - Q||_F^2 / ||W||_F^2}. */
    public static double ofWeights(float[] w, float[] q) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < w.length; i++) {
            double d = (double) w[i] - q[i];
            diff += d * d;
            norm += (double) w[i] * w[i];
        }
        return norm == 0 ? 0 : diff / norm;
    }

    /**
     * {@code ||(W - Q) X^T||^2 / ||W X^T||^2} from any positive multiple of the Gram matrix {@code H ~ X^T X}
     * ({@code [cols x cols]}): {@code tr(D H D^T) / tr(W H W^T)}.
     */
    public static double ofOutputs(float[] w, float[] q, int rows, int cols, float[] h) {
        float[] d = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            d[i] = w[i] - q[i];
        }
        return quadratic(d, rows, cols, h) / Math.max(quadratic(w, rows, cols, h), Double.MIN_NORMAL);
    }

    /** {@code tr(A H A^T)}. */
    private static double quadratic(float[] a, int rows, int cols, float[] h) {
        float[] ah = new float[a.length];
        Gemm.gemm(false, false, rows, cols, cols, a, 0, cols, h, 0, cols, ah, 0, cols, false);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) ah[i] * a[i];
        }
        return sum;
    }
}
