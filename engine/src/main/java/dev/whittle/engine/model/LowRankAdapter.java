package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Ops;

import java.util.Arrays;

/**
 * A LoRA update of one linear layer (Hu et al. 2021, as Hugging Face PEFT computes it): the layer's output gains
 * {@code scale * (dropout(x) A^T) B^T} with {@code A [rank x in]}, {@code B [out x rank]} and
 * {@code scale = alpha / rank}, the base weight untouched. Forward and backward stand together: the forward keeps
 * {@code u = dropout(x) A^T} (and the dropped input) for the backward that follows it.
 * <p>
 * Dropout applies only while {@link #training}; its mask is drawn from the seed, the layer and the bits of the
 * input, so a rerun (or a run resumed from a checkpoint) draws the same masks without any state to save.
 */
public final class LowRankAdapter {

    private final int rank;
    private final int in;
    private final int out;
    private final float[] a;
    private final float[] b;
    private final float scale;
    private final float dropout;
    private final long seed;
    private boolean training;
    private int rows;
    private float[] u = new float[0];
    private float[] dropped = new float[0];
    private boolean[] kept = new boolean[0];
    private float[] work = new float[0];

    /**
     * @param a {@code [rank x in]}, the down projection (PEFT's {@code lora_A})
     * @param b {@code [out x rank]}, the up projection ({@code lora_B}), zero at the start of training
     */
    public LowRankAdapter(int rank, int in, int out, float[] a, float[] b, double alpha, double dropout, long seed) {
        if (rank < 1 || a.length != rank * in || b.length != out * rank || !(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("a LoRA adapter of rank " + rank + " on " + out + " x " + in + " needs A of "
                    + rank * in + " and B of " + out * rank + " values and dropout in [0, 1), got " + a.length + ", "
                    + b.length + " and " + dropout);
        }
        this.rank = rank;
        this.in = in;
        this.out = out;
        this.a = a;
        this.b = b;
        this.scale = (float) (alpha / rank);
        this.dropout = (float) dropout;
        this.seed = seed;
    }

    public int rank() {
        return rank;
    }

    public float[] a() {
        return a;
    }

    public float[] b() {
        return b;
    }

    public float scale() {
        return scale;
    }

    /** Dropout on (training) or off (inference, validation). */
    public void training(boolean on) {
        this.training = on;
    }

    /** {@code y += scale * (dropout(x) A^T) B^T} over {@code rows} rows. */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff) {
        this.rows = rows;
        if (u.length < rows * rank) {
            u = new float[rows * rank];
            work = new float[rows * Math.max(rank, in)];
        }
        float[] input = x;
        int inputOff = xOff;
        if (training && dropout > 0) {
            if (dropped.length < rows * in) {
                dropped = new float[rows * in];
                kept = new boolean[rows * in];
            }
            drop(rows, x, xOff);
            input = dropped;
            inputOff = 0;
        }
        Gemm.gemm(false, true, rows, rank, in, input, inputOff, in, a, 0, in, u, 0, rank, false);
        System.arraycopy(u, 0, work, 0, rows * rank);
        Ops.scale(rows * rank, scale, work, 0);
        Gemm.gemm(false, true, rows, out, rank, work, 0, rank, b, 0, rank, y, yOff, out, true);
    }

    /**
     * The backward of the last {@link #forward} (input x): {@code dB += scale dY^T u}, {@code dA += dU^T dropout(x)}
     * and {@code dX += dropout'(dU A)} with {@code dU = scale dY B}. dx (added to, never overwritten) may be null.
     */
    public void backward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, float[] dA, float[] dB) {
        boolean dropping = training && dropout > 0;
        float[] dU = new float[rows * rank];
        if (dB != null) {
            System.arraycopy(u, 0, work, 0, rows * rank);
            Ops.scale(rows * rank, scale, work, 0);
            Gemm.gemm(true, false, out, rank, rows, dy, dyOff, out, work, 0, rank, dB, 0, rank, true);
        }
        Gemm.gemm(false, false, rows, rank, out, dy, dyOff, out, b, 0, rank, dU, 0, rank, false);
        Ops.scale(rows * rank, scale, dU, 0);
        if (dA != null) {
            Gemm.gemm(true, false, rank, in, rows, dU, 0, rank, dropping ? dropped : x, dropping ? 0 : xOff, in,
                    dA, 0, in, true);
        }
        if (dx == null) {
            return;
        }
        if (!dropping) {
            Gemm.gemm(false, false, rows, in, rank, dU, 0, rank, a, 0, in, dx, dxOff, in, true);
            return;
        }
        float[] dDropped = new float[rows * in];
        Gemm.gemm(false, false, rows, in, rank, dU, 0, rank, a, 0, in, dDropped, 0, in, false);
        float keep = 1f / (1 - dropout);
        for (int i = 0; i < rows * in; i++) {
            if (kept[i]) {
                dx[dxOff + i] += dDropped[i] * keep;
            }
        }
    }

    /** Which inputs of the last training forward dropout kept (tests compare against it). */
    boolean[] keptInputs() {
        return Arrays.copyOf(kept, rows * in);
    }

    /** {@code W + scale B A}, the weight this adapter's layer computes with at inference. */
    public float[] mergedInto(float[] weight) {
        float[] merged = weight.clone();
        float[] scaledB = b.clone();
        Ops.scale(scaledB.length, scale, scaledB, 0);
        Gemm.gemm(false, false, out, in, rank, scaledB, 0, rank, a, 0, in, merged, 0, in, true);
        return merged;
    }

    private void drop(int rows, float[] x, int xOff) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < rows * in; i++) {
            h = (h ^ Float.floatToRawIntBits(x[xOff + i])) * 0xBF58476D1CE4E5B9L;
        }
        long state = h ^ (h >>> 31);
        float keep = 1f / (1 - dropout);
        for (int i = 0; i < rows * in; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = (state ^ (state >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            double uniform = (z >>> 11) * 0x1.0p-53;
            kept[i] = uniform >= dropout;
            dropped[i] = kept[i] ? x[xOff + i] * keep : 0f;
        }
    }

    @Override
    public String toString() {
        return "LoRA rank " + rank + " on " + out + " x " + in;
    }
}
