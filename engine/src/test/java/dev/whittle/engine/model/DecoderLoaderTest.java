package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecoderLoaderTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"F32, NaN", "BF16, Infinity", "F16, -Infinity"})
    void aNonFiniteWeightIsRefusedWithTheTensorNamed(DType dtype, float bad) throws IOException {
        String poisoned = "model.layers.1.mlp.down_proj.weight";
        Path dir = tmp.resolve("poisoned");
        TestModels.write(dir, Family.LLAMA, 3, TestModels.options().dtype(dtype), (name, v) -> {
            if (name.equals(poisoned)) {
                v[7] = bad;
            }
            return v;
        });

        assertThatThrownBy(() -> DecoderLoader.load(dir, Progress.NONE))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(poisoned).hasMessageContaining("element 7 is " + bad);
    }

    @Test
    void aTiedModelsHeadIsItsEmbedding() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.QWEN3, 1, TestModels.options().tied(true));

        Decoder decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);

        assertThat(decoder.lmHead().weight()).isSameAs(decoder.embedding());
    }

    @Test
    void parameterCountAgreesWithTheConfig() throws IOException {
        ModelConfig config = TestModels.write(tmp.resolve("m"), Family.QWEN2, 1, TestModels.options());

        assertThat(DecoderLoader.load(tmp.resolve("m"), Progress.NONE).parameterCount()).isEqualTo(config.parameterCount());
    }

    @Test
    void aTensorMissingFromTheCheckpointIsNamed() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.LLAMA, 1, TestModels.options().layers(2));
        editConfig(dir, "\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3");

        assertThatThrownBy(() -> DecoderLoader.load(dir, Progress.NONE))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.layers.2.").hasMessageContaining("missing");
    }

    @Test
    void aTensorWhoseShapeDisagreesWithTheConfigIsNamed() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.LLAMA, 1, TestModels.options().intermediate(96));
        editConfig(dir, "\"intermediate_size\" : 96", "\"intermediate_size\" : 100");

        assertThatThrownBy(() -> DecoderLoader.load(dir, Progress.NONE))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight").hasMessageContaining("[96, 64]");
    }

    @Test
    void olmoeWithClippedQkvIsRefused() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.OLMOE, 1, TestModels.options().config("clip_qkv", 8.0));

        assertThatThrownBy(() -> DecoderLoader.load(dir, Progress.NONE))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("clip_qkv 8.0");
    }

    @Test
    void mixtureOfExpertsLayersHoldTheRouterEveryExpertAndTheSharedExpert() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.QWEN2_MOE, 1, TestModels.options().experts(3).expertsPerToken(2));

        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);

        MoeFeedForward moe = (MoeFeedForward) decoder.blocks().getFirst().mlp();
        assertThat(moe.experts()).hasSize(3);
        assertThat(moe.topK()).isEqualTo(2);
        assertThat(moe.normalizesTopK()).isFalse();
        assertThat(moe.linears()).extracting(Linear::name).startsWith("model.layers.0.mlp.gate",
                "model.layers.0.mlp.experts.0.gate_proj").endsWith("model.layers.0.mlp.shared_expert.down_proj",
                "model.layers.0.mlp.shared_expert_gate");
    }

    @Test
    void aMissingExpertTensorIsNamed() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.MIXTRAL, 1, TestModels.options());
        editConfig(dir, "\"num_local_experts\" : 4", "\"num_local_experts\" : 5");

        assertThatThrownBy(() -> DecoderLoader.load(dir, Progress.NONE))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.layers.0.block_sparse_moe.experts.4.w1.weight").hasMessageContaining("missing");
    }

    @Test
    void sequencesLongerThanASlidingWindowAreRefused() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.MISTRAL, 1, TestModels.options().config("sliding_window", 8));
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);

        assertThat(decoder.logits(new int[8])).hasSize(8 * 320);
        assertThatThrownBy(() -> decoder.logits(new int[9])).hasMessageContaining("sliding window of 8");
    }

    private static void editConfig(Path dir, String from, String to) throws IOException {
        Path config = dir.resolve("config.json");
        String text = Files.readString(config);
        assertThat(text).contains(from);
        Files.writeString(config, text.replace(from, to));
    }
}
