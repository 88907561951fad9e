package dev.whittle.worker.evaluate;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeConfig;

/**
 * What a loaded model costs, for comparing a compressed model with its dense one.
 *
 * @param parameters    every parameter (a tied head counted once)
 * @param linearWeights weights of the linear layers (attention, MLP or experts, and the head)
 * @param nonZero       of those, the ones not exactly zero
 * @param sparsity      the fraction of linear weights that are zero
 * @param blockSparsity the fraction of the decoder blocks' linear weights that are zero: the weights pruning
 *                      methods act on by default and the sparsity papers report (the head and embeddings left out)
 * @param macsPerToken  multiply-accumulates per token of the linear layers if zeros were skipped: the non-zero
 *                      weights, experts counted by the share of experts a token is routed to (attention's score and
 *                      value products, which grow with context, are left out)
 */
public record ModelStats(long parameters, long linearWeights, long nonZero, double sparsity, double blockSparsity,
                         long macsPerToken) {

    public static ModelStats of(Decoder decoder) {
        MoeConfig moe = decoder.config().moe();
        double routedShare = moe == null ? 1 : (double) moe.numExpertsPerToken() / moe.numExperts();
        long blockWeights = 0;
        long blockNonZero = 0;
        double macs = 0;
        for (Linear linear : decoder.linears()) {
            long count = nonZeros(linear.weight());
            blockWeights += linear.weight().length;
            blockNonZero += count;
            macs += linear.name().contains(".experts.") ? count * routedShare : count;
        }
        long headNonZero = nonZeros(decoder.lmHead().weight());
        long weights = blockWeights + decoder.lmHead().weight().length;
        long nonZero = blockNonZero + headNonZero;
        return new ModelStats(decoder.parameterCount(), weights, nonZero, zeroShare(nonZero, weights),
                zeroShare(blockNonZero, blockWeights), Math.round(macs + headNonZero));
    }

    private static double zeroShare(long nonZero, long weights) {
        return weights == 0 ? 0 : 1 - (double) nonZero / weights;
    }

    /** How many of {@code weight} are not exactly zero. */
    public static long nonZeros(float[] weight) {
        long n = 0;
        for (float w : weight) {
            if (w != 0) {
                n++;
            }
        }
        return n;
    }
}
