package dev.whittle.engine.train.data;

import dev.whittle.engine.train.ops.CrossEntropy;

import java.util.Arrays;

/**
 * One micro-batch of sequences stacked row after row, sequence s having {@code lengths[s]} rows:
 * {@code inputs[row]} is fed at that position and {@code targets[row]} is the token it should predict, or
 * {@link CrossEntropy#IGNORE} where no loss is taken (a prompt, not an answer; padding). Sequences may differ in
 * length (packed examples): each attends only within itself.
 */
public record TrainingBatch(int[] lengths, int[] inputs, int[] targets) {

    public TrainingBatch {
        long rows = 0;
        for (int length : lengths) {
            if (length <= 0) {
                throw new IllegalArgumentException("a sequence of a batch needs length > 0, got " + Arrays.toString(lengths));
            }
            rows += length;
        }
        if (lengths.length == 0 || inputs.length != rows || targets.length != rows) {
            throw new IllegalArgumentException("a batch of sequences " + Arrays.toString(lengths) + " needs that many "
                    + "inputs and targets, got " + inputs.length + " and " + targets.length);
        }
    }

    /** {@code sequences} sequences of {@code length} tokens each. */
    public TrainingBatch(int sequences, int length, int[] inputs, int[] targets) {
        this(uniform(sequences, length), inputs, targets);
    }

    private static int[] uniform(int sequences, int length) {
        if (sequences <= 0 || length <= 0) {
            throw new IllegalArgumentException("a batch needs sequences > 0 and length > 0, got " + sequences + " x " + length);
        }
        int[] lengths = new int[sequences];
        Arrays.fill(lengths, length);
        return lengths;
    }

    public int sequences() {
        return lengths.length;
    }

    /** The longest sequence's length (every sequence's, in a batch of equal lengths). */
    public int length() {
        return Arrays.stream(lengths).max().orElseThrow();
    }

    public int tokens() {
        return inputs.length;
    }

    /** How many positions carry a loss. */
    public int scoredTokens() {
        return CrossEntropy.countSelected(targets.length, targets, 0);
    }

    /** The first row of sequence s. */
    public int rowStart(int s) {
        int row = 0;
        for (int i = 0; i < s; i++) {
            row += lengths[i];
        }
        return row;
    }

    /** The inputs of one sequence (a copy). */
    public int[] sequence(int s) {
        int start = rowStart(s);
        return Arrays.copyOfRange(inputs, start, start + lengths[s]);
    }
}
