package dev.whittle.engine.eval.run;

/**
 * How a task is run.
 *
 * @param limit       at most this many samples (0: all). Documents are taken in order; a grouped task takes them
 *                    round-robin over its groups (the first of each group, then the second, ...), so a limit still
 *                    covers every group. Rolling perplexity counts windows.
 * @param seed        the few-shot sampler's seed; null: the task's own
 * @param batchSize   documents run together: per call of the log-likelihood scorer (progress and cancellation are
 *                    checked between calls; the choices of one document always share one context computation), and
 *                    sequences decoded together by generation (1: one at a time)
 * @param keepSamples whether the result carries a record per sample
 */
public record EvaluationSettings(int limit, Long seed, int batchSize, boolean keepSamples) {

    public static final int DEFAULT_BATCH_SIZE = 32;

    public EvaluationSettings {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0: all samples), got " + limit);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }

    /** Every sample, the task's seed, batches of 32, sample records kept. */
    public static EvaluationSettings defaults() {
        return new EvaluationSettings(0, null, DEFAULT_BATCH_SIZE, true);
    }

    public EvaluationSettings withLimit(int newLimit) {
        return new EvaluationSettings(newLimit, seed, batchSize, keepSamples);
    }
}
