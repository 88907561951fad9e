package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Int4MatVec;
import dev.whittle.engine.tensor.Ops;

/**
 * A linear layer {@code y = x W^T + b} with W stored {@code [out x in]} as PyTorch stores it. The name is the
 * checkpoint's module name ({@code model.layers.3.mlp.down_proj}); hooks see the input under that name. Pruning
 * edits {@link #weight} in place, so every user of this layer sees the change. Training runs {@link #backward}
 * beside the forward. A {@link LowRankAdapter} (LoRA), when present, adds its update to the output. An
 * {@link #int4} copy of the weights, when present, runs the one-row products of decoding on the packed codes
 * ({@link Int4MatVec}); it must stand for {@link #weight}, so it is attached only for inference
 * ({@link #withInt4}), never to a layer that pruning or training will edit.
 */
public record Linear(String name, int out, int in, float[] weight, float[] bias, LowRankAdapter adapter,
                     Int4MatVec.Matrix int4) {

    /** A layer without adapter. */
    public Linear(String name, int out, int in, float[] weight, float[] bias) {
        this(name, out, in, weight, bias, null, null);
    }

    public Linear(String name, int out, int in, float[] weight, float[] bias, LowRankAdapter adapter) {
        this(name, out, in, weight, bias, adapter, null);
    }

    /** The same weights (shared) with a LoRA adapter added to the output; null removes it. */
    public Linear withAdapter(LowRankAdapter adapter) {
        return new Linear(name, out, in, weight, bias, adapter, int4);
    }

    /** The same layer decoding one row at a time on {@code int4}, the packed form of its weights; null removes it. */
    public Linear withInt4(Int4MatVec.Matrix int4) {
        return new Linear(name, out, in, weight, bias, adapter, int4);
    }

    public Linear {
        if ((long) out * in != weight.length) {
            throw new IllegalArgumentException(name + ".weight has " + weight.length + " values, expected "
                    + out + " x " + in);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException(name + ".bias has " + bias.length + " values, expected " + out);
        }
        if (int4 != null && (int4.rows() != out || int4.cols() != in)) {
            throw new IllegalArgumentException(name + ": an int4 form of " + int4.rows() + " x " + int4.cols()
                    + ", expected " + out + " x " + in);
        }
    }

    /** {@code y[rows x out] = x[rows x in] W^T (+ b)}; hooks observe x first. */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff, ForwardHooks hooks) {
        hooks.linearInput(name, x, xOff, rows, in);
        if (rows == 1 && int4 != null) {
            Int4MatVec.multiply(int4, x, xOff, y, yOff);
        } else {
            Gemm.gemm(false, true, rows, out, in, x, xOff, in, weight, 0, in, y, yOff, out, false);
        }
        if (bias != null) {
            Ops.addRowVector(rows, out, bias, 0, y, yOff);
        }
        if (adapter != null) {
            adapter.forward(rows, x, xOff, y, yOff);
        }
    }

    /**
     * The backward of {@link #forward} at input x: {@code dX = dY W} (written, or added when {@code accumulateDx}),
     * {@code dW += dY^T X}, {@code dBias += sum over rows of dY}. Any of dx, dw, dBias may be null to skip it (a
     * frozen weight, an input that needs no gradient). An adapter's own backward is separate
     * ({@link LowRankAdapter#backward}): its gradients go to other arrays.
     */
    public void backward(int rows, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                         boolean accumulateDx, float[] dw, float[] dBias) {
        if (dx != null) {
            Gemm.gemm(false, false, rows, in, out, dy, dyOff, out, weight, 0, in, dx, dxOff, in, accumulateDx);
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
