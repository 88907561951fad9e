package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

/**
 * RMSNorm over rows: {@code y = x * r * w} with {@code r = 1 / sqrt(mean(x^2) + eps)}. The forward keeps r per
 * row, which is all the backward needs besides x. The decoder's norms (each block's two, the final one, Qwen3's
 * and OLMoE's q/k norms) run this forward; training runs its backward.
 */
public final class RmsNorm {

    /** Rows per work item of the backward. */
    private static final int ROW_CHUNK = 16;

    private RmsNorm() {
    }

    /** {@code y[r] = x[r] * invRms[r] * w}; {@code invRms[r]} receives each row's reciprocal rms. */
    public static void forward(int rows, int dim, float[] x, int xOff, float[] w, float eps, float[] y, int yOff,
                               float[] invRms, int invRmsOff) {
        Ops.rmsNorm(rows, dim, x, xOff, w, 0, eps, y, yOff, invRms, invRmsOff);
    }

    /**
     * With {@code g = dY * w}: {@code dX = r * (g - x * r^2 * mean(g * x))} (written, or added when
     * {@code accumulateDx}), and {@code dW += sum over rows of dY * x * r}. dx may alias dy; dw may be null.
     */
    public static void backward(int rows, int dim, float[] x, int xOff, float[] w, float[] invRms, int invRmsOff,
                                float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulateDx, float[] dw) {
        if (dw != null) {
            // Before dX, which may overwrite dY. Serial over rows so that the sum is the same on any thread count.
            float[] scaled = new float[dim];
            for (int r = 0; r < rows; r++) {
                Ops.mul(dim, dy, dyOff + r * dim, x, xOff + r * dim, scaled, 0);
                Ops.axpy(dim, invRms[invRmsOff + r], scaled, 0, dw, 0);
            }
        }
        if (dx == null) {
            return;
        }
        Parallel.forChunks(rows, ROW_CHUNK, (r0, r1) -> {
            float[] g = new float[dim];
            for (int r = r0; r < r1; r++) {
                int xi = xOff + r * dim;
                int di = dxOff + r * dim;
                float inv = invRms[invRmsOff + r];
                Ops.mul(dim, dy, dyOff + r * dim, w, 0, g, 0);
                float c = Ops.dot(dim, g, 0, x, xi) / dim * inv * inv;
                // g - c x, then times r
                Ops.axpy(dim, -c, x, xi, g, 0);
                if (accumulateDx) {
                    Ops.axpy(dim, inv, g, 0, dx, di);
                } else {
                    Ops.scale(dim, inv, g, 0);
                    System.arraycopy(g, 0, dx, di, dim);
                }
            }
        });
    }
}
