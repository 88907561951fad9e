package dev.whittle.engine.model;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Hugging Face config.json of a plain Llama of a given shape (SiLU, RoPE theta 10000, RMSNorm eps 1e-5, no
 * biases), for models the project makes itself: the reference model and the benchmarks' random models. Callers add
 * what is theirs (token ids, a dtype) before {@link ModelConfig#of}.
 */
public final class LlamaConfigJson {

    private LlamaConfigJson() {
    }

    public static ObjectNode of(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab,
                                int maxPositions, boolean tiedEmbeddings) {
        ObjectNode json = new JsonMapper().createObjectNode();
        json.putArray("architectures").add("LlamaForCausalLM");
        json.put("model_type", "llama");
        json.put("hidden_size", hidden);
        json.put("intermediate_size", intermediate);
        json.put("num_hidden_layers", layers);
        json.put("num_attention_heads", heads);
        json.put("num_key_value_heads", kvHeads);
        json.put("head_dim", hidden / heads);
        json.put("hidden_act", "silu");
        json.put("max_position_embeddings", maxPositions);
        json.put("vocab_size", vocab);
        json.put("rms_norm_eps", 1e-5);
        json.put("rope_theta", 10000.0);
        json.put("attention_bias", false);
        json.put("mlp_bias", false);
        json.put("tie_word_embeddings", tiedEmbeddings);
        return json;
    }
}
