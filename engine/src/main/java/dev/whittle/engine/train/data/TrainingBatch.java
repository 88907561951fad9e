package dev.whittle.engine.train.data;

import dev.whittle.engine.train.ops.CrossEntropy;

/**
 * One micro-batch of {@code sequences} rows of {@code length} tokens, stacked: {@code inputs[s * length + t]} is
 * fed at position t of sequence s and {@code targets[s * length + t]} is the token it should predict, or
 * {@link CrossEntropy#IGNORE} where no loss is taken (a prompt, not an answer).
 */
public record TrainingBatch(int sequences, int length, int[] inputs, int[] targets) {

    public TrainingBatch {
        if (sequences <= 0 || length <= 0) {
            throw new IllegalArgumentException("a batch needs sequences > 0 and length > 0, got " + sequences + " x " + length);
        }
        if (inputs.length != sequences * length || targets.length != inputs.length) {
            throw new IllegalArgumentException("a batch of " + sequences + " x " + length + " needs that many inputs and "
                    + "targets, got " + inputs.length + " and " + targets.length);
        }
    }

    public int tokens() {
        return inputs.length;
    }

    /** How many positions carry a loss. */
    public int scoredTokens() {
        return CrossEntropy.countSelected(targets.length, targets, 0);
    }

    /** The inputs of one sequence (a copy). */
    public int[] sequence(int s) {
        int[] out = new int[length];
        System.arraycopy(inputs, s * length, out, 0, length);
        return out;
    }
}
