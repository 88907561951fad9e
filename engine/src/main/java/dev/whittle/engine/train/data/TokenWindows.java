package dev.whittle.engine.train.data;

import dev.whittle.engine.train.ops.CrossEntropy;

/**
 * Micro-batches of fixed-length windows cut from one token stream: window w feeds tokens
 * {@code [w*length, (w+1)*length)} and predicts each next token. The windows are visited in a fresh random
 * order every epoch ({@link EpochOrder}), whose position is all a checkpoint needs to continue with exactly the
 * same batches.
 * <p>
 * A per-token {@code scored} mask selects where loss is taken: the target at a position counts only when the
 * token it predicts is scored (answers, not prompts). Without a mask every target counts.
 */
public final class TokenWindows implements TrainingData {

    private final int[] tokens;
    private final boolean[] scored;
    private final int length;
    private final int sequences;
    private final int windowCount;
    private final EpochOrder order;

    /**
     * @param tokens    the stream; at least {@code length + 1} tokens
     * @param scored    null, or one flag per token: whether predicting that token counts toward the loss
     * @param length    tokens per sequence (the context length)
     * @param sequences sequences per micro-batch
     * @param seed      the seed of the first epoch's order
     */
    public TokenWindows(int[] tokens, boolean[] scored, int length, int sequences, long seed) {
        if (length <= 0 || sequences <= 0) {
            throw new IllegalArgumentException("need length > 0 and sequences > 0, got " + length + " and " + sequences);
        }
        if (scored != null && scored.length != tokens.length) {
            throw new IllegalArgumentException("the scored mask has " + scored.length + " flags for " + tokens.length + " tokens");
        }
        this.windowCount = (tokens.length - 1) / length;
        if (windowCount < sequences) {
            throw new IllegalArgumentException("a stream of " + tokens.length + " tokens holds " + windowCount
                    + " windows of " + length + " (+1 for the last target), fewer than the " + sequences
                    + " sequences of one batch");
        }
        this.tokens = tokens;
        this.scored = scored;
        this.length = length;
        this.sequences = sequences;
        this.order = EpochOrder.shuffled(windowCount, seed);
    }

    /** Windows per epoch. */
    public int windowCount() {
        return windowCount;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int sequences() {
        return sequences;
    }

    @Override
    public Position position() {
        return order.position();
    }

    @Override
    public void seek(Position position) {
        order.seek(position, "windows");
    }

    /**
     * The next {@code sequences} windows. An epoch that cannot fill a whole batch ends early (its last few
     * windows wait for the next epoch's order), so every batch has the same shape.
     */
    @Override
    public TrainingBatch next() {
        if (order.remaining() < sequences) {
            order.nextEpoch();
        }
        int[] inputs = new int[sequences * length];
        int[] targets = new int[sequences * length];
        for (int s = 0; s < sequences; s++) {
            int start = order.take() * length;
            for (int t = 0; t < length; t++) {
                int i = s * length + t;
                inputs[i] = tokens[start + t];
                int next = start + t + 1;
                targets[i] = scored == null || scored[next] ? tokens[next] : CrossEntropy.IGNORE;
            }
        }
        order.batchDrawn();
        return new TrainingBatch(sequences, length, inputs, targets);
    }
}
