package dev.whittle.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;

class TestModelsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Family.class)
    void aTestModelHoldsExactlyTheParametersItsConfigImplies(Family family) throws IOException {
        ModelConfig config = TestModels.write(dir.resolve("m"), family, 1);
        try (Checkpoint checkpoint = Checkpoint.open(dir.resolve("m"))) {
            long stored = checkpoint.names().stream().mapToLong(n -> checkpoint.info(n).numel()).sum();
            assertThat(stored).isEqualTo(config.parameterCount());
            assertThat(config.family()).isEqualTo(family);
        }
    }

    @Test
    void llamaTensorsCarryTheHuggingFaceNamesAndShapes() throws IOException {
        TestModels.write(dir.resolve("m"), Family.LLAMA, 1, TestModels.options().layers(1));
        try (Checkpoint c = Checkpoint.open(dir.resolve("m"))) {
            assertThat(c.names()).containsExactlyInAnyOrder("model.embed_tokens.weight",
                    "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
                    "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.o_proj.weight",
                    "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight",
                    "model.layers.0.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight",
                    "model.layers.0.post_attention_layernorm.weight", "model.norm.weight", "lm_head.weight");
            assertThat(c.info("model.layers.0.self_attn.k_proj.weight").shape()).containsExactly(32, 64);
            assertThat(c.info("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(64, 96);
        }
    }

    @Test
    void qwen2HasQkvBiasesAndQwen3HasPerHeadQkNorms() throws IOException {
        TestModels.write(dir.resolve("q2"), Family.QWEN2, 1, TestModels.options().layers(1));
        TestModels.write(dir.resolve("q3"), Family.QWEN3, 1, TestModels.options().layers(1).headDim(32));
        try (Checkpoint q2 = Checkpoint.open(dir.resolve("q2")); Checkpoint q3 = Checkpoint.open(dir.resolve("q3"))) {
            assertThat(q2.names()).contains("model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias",
                    "model.layers.0.self_attn.v_proj.bias").doesNotContain("model.layers.0.self_attn.o_proj.bias");
            assertThat(q3.info("model.layers.0.self_attn.q_norm.weight").shape()).containsExactly(32);
            assertThat(q3.info("model.layers.0.self_attn.q_proj.weight").shape()).containsExactly(4 * 32, 64);
        }
    }

    @Test
    void tiedShardedBf16ModelsHaveNoLmHeadAndSeveralShards() throws IOException {
        ModelConfig config = TestModels.write(dir.resolve("m"), Family.LLAMA, 3,
                TestModels.options().tied(true).sharded(true).dtype(DType.BF16));
        try (Checkpoint c = Checkpoint.open(dir.resolve("m"))) {
            assertThat(config.tieWordEmbeddings()).isTrue();
            assertThat(c.names()).doesNotContain("lm_head.weight");
            assertThat(c.files().size()).isGreaterThan(1);
            assertThat(c.info("model.norm.weight").dtype()).isEqualTo(DType.BF16);
        }
    }

    @Test
    void theSameSeedWritesTheSameWeights() throws IOException {
        TestModels.write(dir.resolve("a"), Family.MISTRAL, 9);
        TestModels.write(dir.resolve("b"), Family.MISTRAL, 9);
        try (Checkpoint a = Checkpoint.open(dir.resolve("a")); Checkpoint b = Checkpoint.open(dir.resolve("b"))) {
            for (String name : a.names()) {
                assertThat(b.floats(name)).as(name).containsExactly(a.floats(name));
            }
        }
    }
}
