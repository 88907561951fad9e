package dev.whittle.engine.train;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.train.ops.CrossEntropy;

/**
 * The loss the decoder's backward takes on the head's logits, a chunk of rows at a time (a whole batch of logits
 * would not fit): cross-entropy against the data's next tokens, or distillation from a teacher's logits.
 */
public interface LogitLoss {

    /** Cross-entropy against the targets, loss on the scored rows only. */
    LogitLoss CROSS_ENTROPY = (firstRow, rows, vocab, logits, targets, lossScale) -> {
        double loss = CrossEntropy.forward(rows, vocab, logits, 0, targets, firstRow, null);
        CrossEntropy.backward(rows, vocab, logits, 0, targets, firstRow, lossScale, logits, 0);
        return loss;
    };

    /** Called once per micro-batch before the chunks, with the rows the student ran (a teacher runs them too). */
    default void prepare(Batch batch) {
    }

    /**
     * The summed loss of rows {@code [firstRow, firstRow + rows)} of the batch, whose logits are
     * {@code logits[0 .. rows*vocab)}; replaces those logits by {@code lossScale} times the loss's gradient.
     * {@code targets} are the whole batch's ({@link CrossEntropy#IGNORE} for unscored rows).
     */
    double lossAndGradient(int firstRow, int rows, int vocab, float[] logits, int[] targets, float lossScale);
}
