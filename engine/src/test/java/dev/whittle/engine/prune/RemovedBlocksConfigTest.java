package dev.whittle.engine.prune;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RemovedBlocksConfigTest {

    @Test
    void perLayerFieldsLoseTheRemovedLayersAndKeepEachKeptLayersSetting() {
        ModelConfig config = ModelConfig.of(TestModels.configJson(Family.QWEN2, TestModels.options().layers(6)
                .config("layer_types", List.of("full_attention", "sliding_attention", "full_attention",
                        "sliding_attention", "full_attention", "sliding_attention"))
                .config("mlp_only_layers", List.of(0, 3, 5))
                .config("max_window_layers", 4)));
        ModelConfig out = RemovedBlocksConfig.rewrite(config, List.of(1, 2));
        assertThat(out.numHiddenLayers()).isEqualTo(4);
        var json = out.json();
        assertThat(json.get("layer_types").valueStream().map(n -> n.stringValue()).toList())
                .containsExactly("full_attention", "sliding_attention", "full_attention", "sliding_attention");
        assertThat(json.get("mlp_only_layers").valueStream().map(n -> n.intValue()).toList()).containsExactly(0, 1, 3);
        // Layers 0 and 3 were below 4; they are now 0 and 1.
        assertThat(json.get("max_window_layers").intValue()).isEqualTo(2);
        assertThat(json.get("rope_theta")).isEqualTo(config.json().get("rope_theta"));
    }

    @Test
    void aConfigWithoutPerLayerFieldsOnlyChangesItsDepth() {
        ModelConfig config = ModelConfig.of(TestModels.configJson(Family.LLAMA, TestModels.options().layers(5)));
        ModelConfig out = RemovedBlocksConfig.rewrite(config, List.of(4));
        var expected = config.json();
        expected.put("num_hidden_layers", 4);
        assertThat(out.json()).isEqualTo(expected);
    }
}
