package dev.whittle.engine.prune.width;

import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.SelfAttention;
import dev.whittle.engine.model.SwiGluMlp;

/**
 * Minitron's activation importance of one block's MLP channels and attention heads, gathered while the block runs
 * over the calibration windows (one window per forward). A channel's activation is its entry of the MLP's
 * intermediate {@code silu(gate(x)) * up(x)} (the input of down_proj), a head's the {@code head_dim} slice of the
 * attention output it writes (the input of o_proj). Each is aggregated as (batch: mean, sequence: L2), one of the
 * aggregations Minitron compares: the L2 norm over the window's tokens (and, for a head, its dimensions), averaged
 * over the windows. The L2 over the sequence weighs large activations on a few tokens more than a mean |a| would.
 */
public final class WidthImportance implements ForwardHooks {

    private final String down;
    private final String output;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final double[] channelSquares;
    private final double[] headSquares;
    private final double[] channelTotals;
    private final double[] headTotals;
    private boolean seen;
    private int windows;
    private long nanos;

    /** Importance for {@code block}, which must have a dense SwiGLU MLP. */
    public WidthImportance(DecoderBlock block) {
        if (!(block.mlp() instanceof SwiGluMlp mlp)) {
            throw new IllegalArgumentException(block.name() + " has no dense SwiGLU MLP to prune the width of");
        }
        SelfAttention attention = block.attention();
        this.down = mlp.down().name();
        this.output = attention.oProj().name();
        this.heads = attention.heads();
        this.kvHeads = attention.kvHeads();
        this.headDim = attention.headDim();
        this.channelSquares = new double[mlp.intermediate()];
        this.channelTotals = new double[mlp.intermediate()];
        this.headSquares = new double[heads];
        this.headTotals = new double[heads];
    }

    /** Call before each window's forward: the previous window's norms are added to the totals. */
    public void startSample() {
        finishWindow();
    }

    @Override
    public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
        boolean channels = linear.equals(down);
        if (!channels && !linear.equals(output)) {
            return;
        }
        long start = System.nanoTime();
        for (int r = 0; r < rows; r++) {
            int row = offset + r * cols;
            for (int c = 0; c < cols; c++) {
                double v = x[row + c];
                if (channels) {
                    channelSquares[c] += v * v;
                } else {
                    headSquares[c / headDim] += v * v;
                }
            }
        }
        seen = true;
        nanos += System.nanoTime() - start;
    }

    /** Each channel's importance: the mean over windows of its activation's L2 norm over the window's tokens. */
    public double[] channelScores() {
        return mean(channelTotals);
    }

    /** Each query head's importance: the mean over windows of the L2 norm of its output over the window. */
    public double[] headScores() {
        return mean(headTotals);
    }

    /**
     * Each key-value group's importance: the sum of its query heads' ({@code num_heads / num_kv_heads} consecutive
     * ones, as grouped-query attention assigns them).
     */
    public double[] groupScores() {
        double[] perHead = headScores();
        int perGroup = heads / kvHeads;
        double[] groups = new double[kvHeads];
        for (int h = 0; h < heads; h++) {
            groups[h / perGroup] += perHead[h];
        }
        return groups;
    }

    /** Nanoseconds spent adding activations. */
    public long nanos() {
        return nanos;
    }

    private double[] mean(double[] totals) {
        finishWindow();
        double[] mean = new double[totals.length];
        for (int i = 0; i < totals.length; i++) {
            mean[i] = windows == 0 ? 0 : totals[i] / windows;
        }
        return mean;
    }

    private void finishWindow() {
        if (!seen) {
            return;
        }
        for (int c = 0; c < channelSquares.length; c++) {
            channelTotals[c] += Math.sqrt(channelSquares[c]);
            channelSquares[c] = 0;
        }
        for (int h = 0; h < heads; h++) {
            headTotals[h] += Math.sqrt(headSquares[h]);
            headSquares[h] = 0;
        }
        windows++;
        seen = false;
    }
}
