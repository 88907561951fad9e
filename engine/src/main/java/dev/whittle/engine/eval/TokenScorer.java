package dev.whittle.engine.eval;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

/**
 * Log-probabilities of given next tokens, read from the head over a few rows at a time, so scoring never holds
 * the full-vocabulary logits of every position of a long sequence.
 */
final class TokenScorer {

    /** Rows whose logits are materialised at once: 64 x 128k floats = 32 MiB. */
    private static final int ROWS_PER_CHUNK = 64;

    private final Decoder decoder;
    private float[] logits = new float[0];

    TokenScorer(Decoder decoder) {
        this.decoder = decoder;
    }

    /**
     * For rows {@code firstRow .. firstRow+count)} of the state's normed hidden states, writes
     * {@code log p(targets[targetsOff + i])} to {@code logProbs[outOff + i]} and whether that target is the argmax
     * to {@code greedy[outOff + i]} (greedy may be null).
     */
    void score(ForwardState state, int firstRow, int count, int[] targets, int targetsOff,
               double[] logProbs, boolean[] greedy, int outOff) {
        int vocab = decoder.vocabSize();
        for (int done = 0; done < count; done += ROWS_PER_CHUNK) {
            int rows = Math.min(ROWS_PER_CHUNK, count - done);
            if (logits.length < rows * vocab) {
                logits = new float[rows * vocab];
            }
            float[] chunk = logits;
            int base = done;
            decoder.logits(state, firstRow + base, rows, chunk, 0, ForwardHooks.NONE);
            Parallel.forRange(rows, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int target = targets[targetsOff + base + r];
                    if (target < 0 || target >= vocab) {
                        throw new IllegalArgumentException("token id " + target + " is outside the vocabulary [0, " + vocab + ")");
                    }
                    int off = r * vocab;
                    logProbs[outOff + base + r] = (double) chunk[off + target] - Ops.logSumExp(chunk, off, vocab);
                    if (greedy != null) {
                        greedy[outOff + base + r] = Ops.argmax(chunk, off, vocab) == target;
                    }
                }
            });
        }
    }
}
