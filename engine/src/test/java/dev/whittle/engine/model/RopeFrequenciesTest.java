package dev.whittle.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Rotary frequencies per rope type, against the formulas of transformers' {@code ROPE_INIT_FUNCTIONS} by hand. */
class RopeFrequenciesTest {

    private static ModelConfig parse(String json) {
        return ModelConfig.parse(json, Path.of("config.json"));
    }

    @Test
    void defaultRopeFrequenciesAreThetaToTheMinusTwoIOverD() {
        ModelConfig c = parse("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 32, \"num_attention_heads\": 4}");
        // head_dim 8, theta 10000: 10000^(-0/8), 10000^(-2/8), 10000^(-4/8), 10000^(-6/8)
        assertThat(RopeFrequencies.of(c)).containsExactly(new double[] {1.0, 0.1, 0.01, 0.001}, within(1e-15));
    }

    @Test
    void llama3RopeScalingKeepsHighFrequenciesSlowsLowOnesAndBlendsBetween() {
        ModelConfig c = parse("""
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 32, "num_attention_heads": 4,
                 "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 1024}}""");
        // Wavelengths 2*pi/inv: 6.28 and 62.8 (< 1024/4 = 256: kept), 628.3 (between 256 and 1024: blended),
        // 6283 (> 1024: divided by 8). Blend: s = (1024 / 628.3185 - 1) / (4 - 1); (1 - s) * inv / 8 + s * inv.
        double s = (1024 / (2 * Math.PI / 0.01) - 1) / 3;
        double blended = (1 - s) * 0.01 / 8 + s * 0.01;
        assertThat(blended).isCloseTo(0.0030868, within(1e-7));
        assertThat(RopeFrequencies.of(c)).containsExactly(new double[] {1.0, 0.1, blended, 0.001 / 8}, within(1e-15));
    }

    @Test
    void linearAndDynamicRopeScaling() {
        String base = "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 32, \"num_attention_heads\": 4, "
                + "\"max_position_embeddings\": 100, ";
        ModelConfig linear = parse(base + "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 4.0}}");
        assertThat(RopeFrequencies.of(linear)).containsExactly(new double[] {0.25, 0.025, 0.0025, 0.00025}, within(1e-15));
        ModelConfig dynamic = parse(base + "\"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0}}");
        assertThat(RopeFrequencies.of(dynamic, 100)).containsExactly(new double[] {1.0, 0.1, 0.01, 0.001}, within(1e-15));
        // At 300 positions the base grows by (2 * 300 / 100 - 1)^(8/6) = 5^(4/3).
        double grownBase = 10000 * Math.pow(5, 4.0 / 3);
        assertThat(RopeFrequencies.of(dynamic, 300)[1]).isCloseTo(Math.pow(grownBase, -0.25), within(1e-15));
    }

    @Test
    void anUnsupportedRopeTypeIsParsedButRefusedWhenFrequenciesAreAsked() {
        ModelConfig c = parse("{\"architectures\": [\"Qwen2ForCausalLM\"], \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}}");
        assertThat(c.ropeScaling().type()).isEqualTo("yarn");
        assertThatThrownBy(() -> RopeFrequencies.of(c)).hasMessageContaining("yarn").hasMessageContaining("llama3");
    }
}
