package dev.whittle.engine.train.ops;

import dev.whittle.engine.tensor.Rope;

/**
 * Rotary position embedding on {@code batch} sequences of {@code T} rows, each starting at position 0. A rotation
 * is orthogonal, so its backward is the rotation by the opposite angle applied to the gradient.
 */
public final class RotaryEmbedding {

    private RotaryEmbedding() {
    }

    /** Rotates {@code [batch*T x nHeads*headDim]} in place. */
    public static void forward(Rope rope, int batch, int T, int nHeads, int headDim, float[] x, int xOff) {
        for (int b = 0; b < batch; b++) {
            rope.apply(x, xOff + b * T * nHeads * headDim, T, nHeads, headDim, 0);
        }
    }

    /** Turns the gradient of the rotated rows into the gradient of the rows before rotation, in place. */
    public static void backward(Rope rope, int batch, int T, int nHeads, int headDim, float[] dx, int dxOff) {
        for (int b = 0; b < batch; b++) {
            rope.applyInverse(dx, dxOff + b * T * nHeads * headDim, T, nHeads, headDim, 0);
        }
    }
}
