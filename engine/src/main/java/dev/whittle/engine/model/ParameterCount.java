package dev.whittle.engine.model;

/**
 * The number of parameters a config implies, tensor by tensor as the family lays them out: embeddings,
 * attention (with the family's biases and q/k norms), dense MLPs or routed and shared experts with their
 * routers, norms, and the head unless tied.
 */
public final class ParameterCount {

    private ParameterCount() {
    }

    public static long of(ModelConfig config) {
        long h = config.hiddenSize();
        long q = (long) config.numAttentionHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        long attention = h * q + 2 * h * kv + q * h;
        if (config.qkvBias()) {
            attention += q + 2 * kv;
        }
        if (config.outputProjectionBias()) {
            attention += h;
        }
        attention += switch (config.family().qkNorm()) {
            case NONE -> 0;
            case PER_HEAD -> 2L * config.headDim();
            case WHOLE_PROJECTION -> q + kv;
        };
        long total = (long) config.vocabSize() * h * (config.tieWordEmbeddings() ? 1 : 2) + h;
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            total += attention + 2 * h + mlp(config, layer);
        }
        return total;
    }

    private static long mlp(ModelConfig config, int layer) {
        long h = config.hiddenSize();
        long intermediate = config.intermediateSize();
        MoeConfig moe = config.moe();
        if (moe == null || !moe.isSparseLayer(layer)) {
            return 3 * h * intermediate + (config.mlpBias() ? 2 * intermediate + h : 0);
        }
        long experts = (long) moe.numExperts() * 3 * h * moe.expertIntermediateSize() + h * moe.numExperts();
        if (moe.hasSharedExpert()) {
            experts += 3 * h * moe.sharedExpertIntermediateSize() + h;
        }
        return experts;
    }
}
