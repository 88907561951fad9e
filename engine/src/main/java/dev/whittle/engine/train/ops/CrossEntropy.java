package dev.whittle.engine.train.ops;

import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

import java.util.Arrays;

/**
 * Cross-entropy of next-token logits against target ids, on selected rows only: a row whose target is
 * {@link #IGNORE} (a prompt token, padding) adds no loss and gets a zero gradient. The loss of a row is
 * {@code logSumExp(logits) - logits[target]}.
 */
public final class CrossEntropy {

    /** The target of a row that is not scored. */
    public static final int IGNORE = -1;

    private static final int ROW_CHUNK = 8;

    private CrossEntropy() {
    }

    /** How many rows are scored (target not {@link #IGNORE}). */
    public static int countSelected(int rows, int[] targets, int targetsOff) {
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[targetsOff + r] != IGNORE) {
                n++;
            }
        }
        return n;
    }

    /**
     * The summed loss over selected rows, accumulated in double in row order (the same on any thread count);
     * {@code rowLoss[r]} (when not null) receives each row's loss, 0 for ignored rows.
     */
    public static double forward(int rows, int vocab, float[] logits, int logitsOff, int[] targets, int targetsOff,
                                 float[] rowLoss) {
        checkTargets(rows, vocab, targets, targetsOff);
        float[] losses = rowLoss != null ? rowLoss : new float[rows];
        Parallel.forChunks(rows, ROW_CHUNK, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int target = targets[targetsOff + r];
                int row = logitsOff + r * vocab;
                losses[r] = target == IGNORE ? 0f : Ops.logSumExp(logits, row, vocab) - logits[row + target];
            }
        });
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += losses[r];
        }
        return sum;
    }

    /**
     * {@code dLogits = scale * (softmax(logits) - onehot(target))} on selected rows, zero on ignored ones; the
     * scale is usually {@code 1 / (selected rows in the whole accumulated batch)}. dLogits may be logits itself,
     * which saves a {@code [rows x vocab]} buffer.
     */
    public static void backward(int rows, int vocab, float[] logits, int logitsOff, int[] targets, int targetsOff,
                                float scale, float[] dLogits, int dLogitsOff) {
        checkTargets(rows, vocab, targets, targetsOff);
        Parallel.forChunks(rows, ROW_CHUNK, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int target = targets[targetsOff + r];
                int d = dLogitsOff + r * vocab;
                if (target == IGNORE) {
                    Arrays.fill(dLogits, d, d + vocab, 0f);
                    continue;
                }
                if (dLogits != logits || d != logitsOff + r * vocab) {
                    System.arraycopy(logits, logitsOff + r * vocab, dLogits, d, vocab);
                }
                Ops.softmax(dLogits, d, vocab);
                Ops.scale(vocab, scale, dLogits, d);
                dLogits[d + target] -= scale;
            }
        });
    }

    private static void checkTargets(int rows, int vocab, int[] targets, int targetsOff) {
        for (int r = 0; r < rows; r++) {
            int t = targets[targetsOff + r];
            if (t != IGNORE && (t < 0 || t >= vocab)) {
                throw new IllegalArgumentException("target id " + t + " at row " + r + " is outside the vocabulary [0, "
                        + vocab + ") and is not IGNORE (" + IGNORE + ")");
            }
        }
    }
}
