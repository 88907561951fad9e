package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecoderLoaderTest {

    @TempDir
    Path tmp;

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
    void aMixtureOfExpertsModelIsRefusedAsNotYetImplemented() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.MIXTRAL, 1, TestModels.options());

        assertThatThrownBy(() -> DecoderLoader.load(dir, Progress.NONE))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("MixtralForCausalLM");
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
