package dev.whittle.engine.train.ops;

import dev.whittle.engine.tensor.Ops;

/**
 * The residual connection {@code out = x + branch}. Its backward hands the same gradient to both inputs, which is
 * why the residual stream's gradient flows through a block untouched and each branch adds its input gradient to it.
 */
public final class Residual {

    private Residual() {
    }

    /** {@code x += branch} over {@code n} elements: the residual stream absorbs a branch's output. */
    public static void forward(int n, float[] x, int xOff, float[] branch, int branchOff) {
        Ops.add(n, x, xOff, branch, branchOff, x, xOff);
    }

    /**
     * {@code dBranch = dOut}; the stream's gradient {@code dX = dOut} is the same array, left as is. Copies into
     * dBranch only when it is a different buffer.
     */
    public static void backward(int n, float[] dOut, int dOutOff, float[] dBranch, int dBranchOff) {
        if (dBranch != dOut || dBranchOff != dOutOff) {
            System.arraycopy(dOut, dOutOff, dBranch, dBranchOff, n);
        }
    }
}
