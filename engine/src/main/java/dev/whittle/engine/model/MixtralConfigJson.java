package dev.whittle.engine.model;

import tools.jackson.databind.node.ObjectNode;

/**
 * The Hugging Face config.json of a Mixtral: a Llama's ({@link LlamaConfigJson}, same attention, norms and RoPE) whose
 * MLPs are sparse layers of {@code experts} SwiGLU experts of the Llama's intermediate size, {@code topK} per token
 * (renormalised, as Mixtral always does), for models the project makes itself.
 */
public final class MixtralConfigJson {

    private MixtralConfigJson() {
    }

    /** Rewrites {@code llama} (a {@link LlamaConfigJson#of} result) in place into a Mixtral's config, and returns it. */
    public static ObjectNode of(ObjectNode llama, int experts, int topK, double routerAuxLossCoef) {
        llama.putArray("architectures").add("MixtralForCausalLM");
        llama.put("model_type", "mixtral");
        llama.put("num_local_experts", experts);
        llama.put("num_experts_per_tok", topK);
        llama.put("router_aux_loss_coef", routerAuxLossCoef);
        llama.put("output_router_logits", routerAuxLossCoef > 0);
        llama.put("router_jitter_noise", 0.0);
        llama.putNull("sliding_window");
        llama.remove("mlp_bias");
        return llama;
    }
}
