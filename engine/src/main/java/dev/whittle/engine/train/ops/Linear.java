package dev.whittle.engine.train.ops;

import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Ops;

/** A linear layer {@code y = x W^T + b} with W stored {@code [out x in]} as PyTorch does. */
public final class Linear {

    private Linear() {
    }

    /** {@code y[rows x out] = x[rows x in] . W^T (+ bias)}; bias may be null. */
    public static void forward(int rows, int in, int out, float[] x, int xOff, float[] w, float[] bias,
                               float[] y, int yOff) {
        Gemm.gemm(false, true, rows, out, in, x, xOff, in, w, 0, in, y, yOff, out, false);
        if (bias != null) {
            Ops.addRowVector(rows, out, bias, 0, y, yOff);
        }
    }

    /**
     * {@code dX = dY . W} (written, or added when {@code accumulateDx}), {@code dW += dY^T . X},
     * {@code dBias += sum over rows of dY}. Any of dx, dw, dBias may be null to skip it.
     */
    public static void backward(int rows, int in, int out, float[] x, int xOff, float[] w, float[] dy, int dyOff,
                                float[] dx, int dxOff, boolean accumulateDx, float[] dw, float[] dBias) {
        if (dx != null) {
            Gemm.gemm(false, false, rows, in, out, dy, dyOff, out, w, 0, in, dx, dxOff, in, accumulateDx);
        }
        if (dw != null) {
            Gemm.gemm(true, false, out, in, rows, dy, dyOff, out, x, xOff, in, dw, 0, in, true);
        }
        if (dBias != null) {
            for (int r = 0; r < rows; r++) {
                Ops.add(out, dBias, 0, dy, dyOff + r * out, dBias, 0);
            }
        }
    }
}
