package dev.whittle.engine.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The decoder-only architectures whose config.json Whittle understands, with the structural traits that differ
 * between them and the defaults Hugging Face transformers' config class of each uses for absent fields.
 *
 * <p>The Mixture-of-Experts families are recognised (config parsed, tensors named) so that they can be
 * inspected and so that an MoE MLP can slot in later; {@link #isMixtureOfExperts()} tells a decoder which
 * ones need it.
 */
public enum Family {
    LLAMA("LlamaForCausalLM", "llama", QkvBias.FROM_CONFIG, QkNorm.NONE, false,
            new Defaults(32000, 4096, 11008, 32, 32, null, null, 2048, 1e-6, 10000.0, 1, 2, null)),
    MISTRAL("MistralForCausalLM", "mistral", QkvBias.NONE, QkNorm.NONE, false,
            new Defaults(32000, 4096, 14336, 32, 32, 8, null, 4096 * 32, 1e-6, 10000.0, 1, 2, 4096)),
    QWEN2("Qwen2ForCausalLM", "qwen2", QkvBias.ALWAYS_QKV, QkNorm.NONE, false,
            new Defaults(151936, 4096, 22016, 32, 32, 32, null, 32768, 1e-6, 10000.0, null, null, 4096)),
    QWEN3("Qwen3ForCausalLM", "qwen3", QkvBias.FROM_CONFIG, QkNorm.PER_HEAD, false,
            new Defaults(151936, 4096, 22016, 32, 32, 32, 128, 32768, 1e-6, 10000.0, null, null, 4096)),
    MIXTRAL("MixtralForCausalLM", "mixtral", QkvBias.NONE, QkNorm.NONE, true,
            new Defaults(32000, 4096, 14336, 32, 32, 8, null, 4096 * 32, 1e-5, 1e6, 1, 2, null)),
    QWEN2_MOE("Qwen2MoeForCausalLM", "qwen2_moe", QkvBias.ALWAYS_QKV, QkNorm.NONE, true,
            new Defaults(151936, 2048, 5632, 24, 16, 16, null, 32768, 1e-6, 10000.0, null, null, 4096)),
    QWEN3_MOE("Qwen3MoeForCausalLM", "qwen3_moe", QkvBias.FROM_CONFIG, QkNorm.PER_HEAD, true,
            new Defaults(151936, 2048, 6144, 24, 32, 4, null, 32768, 1e-6, 10000.0, null, null, 4096)),
    OLMOE("OlmoeForCausalLM", "olmoe", QkvBias.FROM_CONFIG, QkNorm.WHOLE_PROJECTION, true,
            new Defaults(50304, 2048, 2048, 16, 16, null, null, 4096, 1e-5, 10000.0, null, 50279, null));

    /** Which attention projections carry a bias. */
    public enum QkvBias {
        /** None of q, k, v, o (Mistral, Mixtral). */
        NONE,
        /** q, k and v always; o never (Qwen2, Qwen2-MoE). */
        ALWAYS_QKV,
        /** q, k, v and o when config.json's {@code attention_bias} is true (Llama, Qwen3, OLMoE). */
        FROM_CONFIG
    }

    /** RMSNorm applied to queries and keys before RoPE. */
    public enum QkNorm {
        NONE,
        /** Per head over {@code head_dim}; weights {@code [head_dim]} (Qwen3, Qwen3-MoE). */
        PER_HEAD,
        /** Over the whole projection; weights {@code [heads*head_dim]} and {@code [kv_heads*head_dim]} (OLMoE). */
        WHOLE_PROJECTION
    }

    /**
     * Values transformers assumes when config.json omits a field. Null {@code numKeyValueHeads} means "as many
     * as attention heads", null {@code headDim} "hidden / heads", null {@code slidingWindow} "none".
     */
    public record Defaults(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
            int numAttentionHeads, Integer numKeyValueHeads, Integer headDim, int maxPositionEmbeddings,
            double rmsNormEps, double ropeTheta, Integer bosTokenId, Integer eosTokenId, Integer slidingWindow) {
    }

    private final String architecture;
    private final String modelType;
    private final QkvBias qkvBias;
    private final QkNorm qkNorm;
    private final boolean mixtureOfExperts;
    private final Defaults defaults;

    Family(String architecture, String modelType, QkvBias qkvBias, QkNorm qkNorm, boolean mixtureOfExperts,
            Defaults defaults) {
        this.architecture = architecture;
        this.modelType = modelType;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
        this.mixtureOfExperts = mixtureOfExperts;
        this.defaults = defaults;
    }

    /** The {@code architectures[0]} name in config.json. */
    public String architecture() {
        return architecture;
    }

    /** The {@code model_type} in config.json. */
    public String modelType() {
        return modelType;
    }

    public QkvBias qkvBias() {
        return qkvBias;
    }

    public QkNorm qkNorm() {
        return qkNorm;
    }

    public boolean isMixtureOfExperts() {
        return mixtureOfExperts;
    }

    public Defaults defaults() {
        return defaults;
    }

    /** The family of an {@code architectures} entry, or throws listing the supported ones. */
    public static Family ofArchitecture(String architecture) {
        for (Family f : values()) {
            if (f.architecture.equals(architecture)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported architecture '" + architecture + "' (supported: "
                + supportedArchitectures() + ")");
    }

    /** The family of a {@code model_type}, or null. */
    public static Family ofModelType(String modelType) {
        for (Family f : values()) {
            if (f.modelType.equals(modelType)) {
                return f;
            }
        }
        return null;
    }

    /** "LlamaForCausalLM, MistralForCausalLM, ..." for error messages. */
    public static String supportedArchitectures() {
        return Arrays.stream(values()).map(Family::architecture).collect(Collectors.joining(", "));
    }
}
