package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

/**
 * The SwiGLU gate of the MLP: {@code h = silu(gate) * up} with {@code silu(g) = g * sigmoid(g)}, element-wise.
 * {@link SwiGluMlp} (and each expert of a {@link MoeFeedForward}) runs this forward; training runs its backward.
 */
public final class SwiGlu {

    private static final int CHUNK = 1 << 14;

    private SwiGlu() {
    }

    /** {@code h = silu(gate) * up} over {@code n} elements. */
    public static void forward(int n, float[] gate, int gateOff, float[] up, int upOff, float[] h, int hOff) {
        Ops.siluMul(n, gate, gateOff, up, upOff, h, hOff);
    }

    /**
     * {@code dUp = dH * silu(g)} and {@code dGate = dH * up * silu'(g)} with
     * {@code silu'(g) = s (1 + g (1 - s))}, {@code s = sigmoid(g)}. dGate may alias gate and dUp may alias up
     * (each element is read before it is written), which lets the backward reuse the forward's buffers.
     */
    public static void backward(int n, float[] gate, int gateOff, float[] up, int upOff, float[] dH, int dHOff,
                                float[] dGate, int dGateOff, float[] dUp, int dUpOff) {
        Parallel.forChunks(n, CHUNK, (i0, i1) -> {
            // e = exp(-g) on the vector kernel first: a scalar exp per element would dominate this loop.
            float[] e = new float[i1 - i0];
            for (int i = i0; i < i1; i++) {
                e[i - i0] = -gate[gateOff + i];
            }
            Ops.expShiftInPlace(e, 0, e.length, 0f);
            for (int i = i0; i < i1; i++) {
                float g = gate[gateOff + i];
                float u = up[upOff + i];
                float d = dH[dHOff + i];
                float s = 1f / (1f + e[i - i0]);
                dGate[dGateOff + i] = d * u * s * (1 + g * (1 - s));
                dUp[dUpOff + i] = d * g * s;
            }
        });
    }
}
