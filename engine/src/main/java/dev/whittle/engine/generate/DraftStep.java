package dev.whittle.engine.generate;

/**
 * The draft's distribution at a token it just proposed (its argmax), as the dynamic stop rules read it.
 *
 * @param index       1 for the round's first proposal
 * @param top1        the proposed token's probability
 * @param top2        the runner-up's probability
 * @param entropy     the distribution's entropy in nats
 * @param cumulative  the product of {@code top1} over the round so far: the draft's own estimate that every
 *                    proposal of the round is accepted
 */
public record DraftStep(int index, double top1, double top2, double entropy, double cumulative) {

    /** The step after {@code previous} (null at a round's first token) from the draft's logits for it. */
    static DraftStep of(DraftStep previous, float[] logits, int offset, int vocab) {
        float max = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + vocab; i++) {
            float v = logits[i];
            if (v > max) {
                second = max;
                max = v;
            } else if (v > second) {
                second = v;
            }
        }
        // Softmax statistics relative to the max: sum of e^(x - max), and of (x - max)·e^(x - max) for the entropy.
        double sum = 0;
        double weighted = 0;
        for (int i = offset; i < offset + vocab; i++) {
            double shifted = logits[i] - max;
            double e = Math.exp(shifted);
            if (e > 0) { // a -inf logit (a masked token) adds nothing, not -inf · 0
                sum += e;
                weighted += shifted * e;
            }
        }
        double top1 = 1 / sum;
        double top2 = vocab < 2 ? 0 : Math.exp(second - max) / sum;
        double entropy = Math.log(sum) - weighted / sum;
        int index = previous == null ? 1 : previous.index + 1;
        double cumulative = (previous == null ? 1 : previous.cumulative) * top1;
        return new DraftStep(index, top1, top2, entropy, cumulative);
    }
}
