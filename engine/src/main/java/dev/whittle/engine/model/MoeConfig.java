package dev.whittle.engine.model;

import java.util.List;

/**
 * The Mixture-of-Experts fields of a config, normalised across families (Mixtral's {@code num_local_experts}
 * and the Qwen/OLMoE {@code num_experts} are both {@link #numExperts}).
 *
 * @param numExperts                    routed experts per sparse layer
 * @param numExpertsPerToken            experts each token is routed to (top-k)
 * @param expertIntermediateSize        intermediate size of one routed expert
 * @param sharedExpertIntermediateSize  intermediate size of the shared expert (Qwen2-MoE), 0 if none
 * @param normTopkProb                  whether the top-k routing weights are renormalised to sum to one
 * @param decoderSparseStep             every n-th layer is sparse (Qwen MoE); 1 = all
 * @param mlpOnlyLayers                 layers that use a dense MLP instead (Qwen MoE)
 * @param routerAuxLossCoef             load-balancing loss weight (training only)
 */
public record MoeConfig(int numExperts, int numExpertsPerToken, int expertIntermediateSize,
        int sharedExpertIntermediateSize, boolean normTopkProb, int decoderSparseStep, List<Integer> mlpOnlyLayers,
        double routerAuxLossCoef) {

    public MoeConfig {
        mlpOnlyLayers = List.copyOf(mlpOnlyLayers);
    }

    /** Whether {@code layer} has a routed-expert MLP (as Qwen2-MoE decides it; always true for Mixtral/OLMoE). */
    public boolean isSparseLayer(int layer) {
        return !mlpOnlyLayers.contains(layer) && numExperts > 0 && (layer + 1) % decoderSparseStep == 0;
    }

    public boolean hasSharedExpert() {
        return sharedExpertIntermediateSize > 0;
    }
}
