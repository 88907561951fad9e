package dev.whittle.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.whittle.engine.io.ModelFormatException;

/**
 * config.json parsing per family. The released configs below are as published on the Hugging Face hub; their
 * parameter counts are the published ones, an independent check that every field was read and defaulted right.
 */
class ModelConfigTest {

    static final String LLAMA_3_2_1B = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu",
             "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32,
             "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}""";

    static final String TINYLLAMA = """
            {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632, "max_position_embeddings": 2048,
             "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 22, "num_key_value_heads": 4,
             "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16", "transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000}""";

    static final String MISTRAL_7B = """
            {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32,
             "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
             "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}""";

    static final String QWEN2_5_0_5B = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "transformers_version": "4.40.1", "use_cache": true,
             "use_sliding_window": false, "vocab_size": 151936}""";

    static final String QWEN3_0_6B = """
            {"architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
             "hidden_size": 1024, "initializer_range": 0.02, "intermediate_size": 3072,
             "max_position_embeddings": 40960, "max_window_layers": 28, "model_type": "qwen3",
             "num_attention_heads": 16, "num_hidden_layers": 28, "num_key_value_heads": 8, "rms_norm_eps": 1e-06,
             "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "transformers_version": "4.51.0", "use_cache": true,
             "use_sliding_window": false, "vocab_size": 151936}""";

    static final String MIXTRAL_8X7B = """
            {"architectures": ["MixtralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
             "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 32768, "model_type": "mixtral", "num_attention_heads": 32,
             "num_experts_per_tok": 2, "num_hidden_layers": 32, "num_key_value_heads": 8, "num_local_experts": 8,
             "output_router_logits": false, "rms_norm_eps": 1e-05, "rope_theta": 1000000.0,
             "router_aux_loss_coef": 0.02, "sliding_window": null, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16", "transformers_version": "4.36.0.dev0", "use_cache": true, "vocab_size": 32000}""";

    static final String QWEN1_5_MOE_A2_7B = """
            {"architectures": ["Qwen2MoeForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
             "intermediate_size": 5632, "max_position_embeddings": 8192, "max_window_layers": 21,
             "model_type": "qwen2_moe", "num_attention_heads": 16, "num_experts": 60, "num_experts_per_tok": 4,
             "num_hidden_layers": 24, "num_key_value_heads": 16, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "sliding_window": 32768, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.39.0.dev0", "use_cache": true, "use_sliding_window": false,
             "vocab_size": 151936, "decoder_sparse_step": 1, "moe_intermediate_size": 1408,
             "shared_expert_intermediate_size": 5632, "norm_topk_prob": false}""";

    @TempDir
    Path dir;

    private static ModelConfig parse(String json) {
        return ModelConfig.parse(json, Path.of("config.json"));
    }

    @Test
    void llama32ParsesWithLlama3RopeScalingAndTiedEmbeddings() {
        ModelConfig c = parse(LLAMA_3_2_1B);
        assertThat(c.family()).isEqualTo(Family.LLAMA);
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.numKeyValueHeads()).isEqualTo(8);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.ropeScaling()).isEqualTo(new RopeScaling("llama3", 32.0, 1.0, 4.0, 8192));
        assertThat(c.bosTokenId()).isEqualTo(128000);
        assertThat(c.eosTokenIds()).containsExactly(128001);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        assertThat(c.parameterCount()).isEqualTo(1_235_814_400L);
    }

    @Test
    void tinyLlamaHasGroupedQueryAttentionAndPublishedSize() {
        ModelConfig c = parse(TINYLLAMA);
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.parameterCount()).isEqualTo(1_100_048_384L);
    }

    @Test
    void mistralHasASlidingWindowOnEveryLayer() {
        ModelConfig c = parse(MISTRAL_7B);
        assertThat(c.slidingWindow()).isEqualTo(4096);
        assertThat(c.attentionWindow(0)).isEqualTo(4096);
        assertThat(c.attentionWindow(31)).isEqualTo(4096);
        assertThat(c.qkvBias()).isFalse();
        assertThat(c.parameterCount()).isEqualTo(7_241_732_096L);
        assertThat(parse(MISTRAL_7B.replace("\"sliding_window\": 4096", "\"sliding_window\": null")).attentionWindow(0))
                .isZero();
    }

    @Test
    void qwen2HasQkvBiasesButNoOutputBiasAndNoWindowUnlessEnabled() {
        ModelConfig c = parse(QWEN2_5_0_5B);
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.outputProjectionBias()).isFalse();
        assertThat(c.slidingWindow()).isNull();
        assertThat(c.attentionWindow(23)).isZero();
        assertThat(c.parameterCount()).isEqualTo(494_032_768L);

        ModelConfig windowed = c.with("use_sliding_window", true).with("max_window_layers", 20);
        assertThat(windowed.attentionWindow(19)).isZero();
        assertThat(windowed.attentionWindow(20)).isEqualTo(32768);
    }

    @Test
    void qwen3HasAnExplicitHeadDimAndPerHeadQkNorm() {
        ModelConfig c = parse(QWEN3_0_6B);
        assertThat(c.headDim()).isEqualTo(128).isNotEqualTo(c.hiddenSize() / c.numAttentionHeads());
        assertThat(c.family().qkNorm()).isEqualTo(Family.QkNorm.PER_HEAD);
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(c.eosTokenIds()).containsExactly(151645);
        assertThat(c.parameterCount()).isEqualTo(596_049_920L);
    }

    @Test
    void mixtralExpertsAreParsed() {
        ModelConfig c = parse(MIXTRAL_8X7B);
        assertThat(c.family().isMixtureOfExperts()).isTrue();
        assertThat(c.moe().numExperts()).isEqualTo(8);
        assertThat(c.moe().numExpertsPerToken()).isEqualTo(2);
        assertThat(c.moe().expertIntermediateSize()).isEqualTo(14336);
        assertThat(c.moe().normTopkProb()).isTrue();
        assertThat(c.attentionWindow(0)).isZero();
        assertThat(c.parameterCount()).isEqualTo(46_702_792_704L);
    }

    @Test
    void qwen2MoeSharedExpertAndSparseStepAreParsed() {
        ModelConfig c = parse(QWEN1_5_MOE_A2_7B);
        assertThat(c.moe()).isEqualTo(new MoeConfig(60, 4, 1408, 5632, false, 1, List.of(), 0.001));
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.parameterCount()).isEqualTo(14_315_784_192L);
        ModelConfig stepped = c.with("decoder_sparse_step", 2).with("mlp_only_layers", List.of(3));
        assertThat(stepped.moe().isSparseLayer(0)).isFalse();
        assertThat(stepped.moe().isSparseLayer(1)).isTrue();
        assertThat(stepped.moe().isSparseLayer(3)).isFalse();
    }

    @Test
    void qwen3MoeAndOlmoeUseTheirFamilyDefaults() {
        ModelConfig q = parse("{\"architectures\": [\"Qwen3MoeForCausalLM\"]}");
        assertThat(q.moe()).isEqualTo(new MoeConfig(128, 8, 768, 0, false, 1, List.of(), 0.001));
        assertThat(q.numKeyValueHeads()).isEqualTo(4);
        ModelConfig o = parse("{\"architectures\": [\"OlmoeForCausalLM\"]}");
        assertThat(o.moe().numExperts()).isEqualTo(64);
        assertThat(o.moe().expertIntermediateSize()).isEqualTo(2048);
        assertThat(o.rmsNormEps()).isEqualTo(1e-5);
        assertThat(o.eosTokenIds()).containsExactly(50279);
        assertThat(o.family().qkNorm()).isEqualTo(Family.QkNorm.WHOLE_PROJECTION);
    }

    @Test
    void absentFieldsTakeTransformersDefaults() {
        ModelConfig c = parse("{\"architectures\": [\"LlamaForCausalLM\"]}");
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(11008);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.numKeyValueHeads()).isEqualTo(32);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.vocabSize()).isEqualTo(32000);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.hiddenAct()).isEqualTo("silu");
        ModelConfig m = parse("{\"architectures\": [\"MistralForCausalLM\"]}");
        assertThat(m.numKeyValueHeads()).isEqualTo(8);
        assertThat(m.slidingWindow()).isEqualTo(4096);
        assertThat(m.maxPositionEmbeddings()).isEqualTo(131072);
        ModelConfig q = parse("{\"architectures\": [\"Qwen3ForCausalLM\"], \"hidden_size\": 256}");
        assertThat(q.headDim()).isEqualTo(128);
        assertThat(q.bosTokenId()).isNull();
        assertThat(q.eosTokenIds()).isEmpty();
    }

    @Test
    void aListOfEosIdsIsKept() {
        ModelConfig c = parse(LLAMA_3_2_1B.replace("\"eos_token_id\": 128001", "\"eos_token_id\": [128001, 128008, 128009]"));
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
    }

    @Test
    void modelTypeIdentifiesTheFamilyWhenArchitecturesIsAbsent() {
        assertThat(parse("{\"model_type\": \"qwen2\"}").family()).isEqualTo(Family.QWEN2);
    }

    @Test
    void anUnsupportedArchitectureFailsListingTheSupportedOnes() {
        assertThatThrownBy(() -> parse("{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\"}"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("unsupported architecture 'GPT2LMHeadModel'")
                .hasMessageContaining("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM");
    }

    @Test
    void illTypedOrInconsistentFieldsFailNamingTheField() {
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": \"big\"}"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("hidden_size").hasMessageContaining("\"big\"");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": -1}"))
                .hasMessageContaining("num_hidden_layers");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], \"num_key_value_heads\": 5}"))
                .hasMessageContaining("num_key_value_heads").hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}"))
                .hasMessageContaining("rope_scaling").hasMessageContaining("low_freq_factor");
        assertThatThrownBy(() -> parse("{\"architectures\": ")).hasMessageContaining("not well-formed JSON");
    }

    @Test
    void unknownFieldsSurviveARewrite() throws IOException {
        String withExtras = TINYLLAMA.replace("\"use_cache\": true",
                "\"use_cache\": true, \"quantization_config\": {\"bits\": 4, \"groups\": [1, 2]}, \"custom_note\": \"keep me\"");
        ModelConfig original = parse(withExtras);
        Path file = dir.resolve("config.json");
        original.withNumHiddenLayers(11).with("rope_theta", 20000.0).write(file);

        ModelConfig reread = ModelConfig.load(dir);
        assertThat(reread.numHiddenLayers()).isEqualTo(11);
        assertThat(reread.ropeTheta()).isEqualTo(20000.0);
        assertThat(reread.get("quantization_config")).isEqualTo(original.get("quantization_config"));
        assertThat(reread.get("custom_note").stringValue()).isEqualTo("keep me");
        var expected = original.json();
        expected.put("num_hidden_layers", 11);
        expected.put("rope_theta", 20000.0);
        assertThat(reread.json()).isEqualTo(expected);
        assertThat(Files.readString(file)).contains("\"transformers_version\"");
    }

    @Test
    void droppingLayersTrimsPerLayerLists() {
        ModelConfig c = parse(QWEN3_0_6B).with("layer_types", java.util.Collections.nCopies(28, "full_attention"))
                .with("mlp_only_layers", List.of(2, 20));
        ModelConfig shallow = c.withNumHiddenLayers(4);
        assertThat(shallow.get("layer_types").size()).isEqualTo(4);
        assertThat(shallow.get("mlp_only_layers").size()).isEqualTo(1);
    }

    @Test
    void ropeParametersOfNewerTransformersAreRead() {
        ModelConfig c = parse("""
                {"architectures": ["Qwen3ForCausalLM"], "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}}""");
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(c.ropeScaling()).isNull();
    }

    @Test
    void withReplacesOrRemovesAField() {
        ModelConfig c = parse(TINYLLAMA).with("tie_word_embeddings", true).with("rope_scaling", null);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.get("rope_scaling")).isNull();
        assertThat(c.with("rope_scaling", Map.of("type", "linear", "factor", 2.0)).ropeScaling().factor()).isEqualTo(2.0);
    }
}
