package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DecoderTensorsTest {

    @TempDir
    Path tmp;

    @Test
    void aModelSavedAfterBlockRemovalLoadsWithFewerLayersAndTheSameLogits() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.QWEN3, 2, TestModels.options().layers(4).tied(false));
        Decoder pruned = DecoderLoader.load(tmp.resolve("m"), Progress.NONE).withoutBlocks(List.of(0, 2));

        ModelFolderWriter.to(tmp.resolve("saved")).config(DecoderTensors.config(pruned))
                .write(DecoderTensors.of(pruned, DType.F32));
        Decoder reloaded = DecoderLoader.load(tmp.resolve("saved"), Progress.NONE);

        assertThat(reloaded.config().numHiddenLayers()).isEqualTo(2);
        assertThat(reloaded.blocks()).extracting(DecoderBlock::name).containsExactly("model.layers.0", "model.layers.1");
        int[] tokens = {4, 8, 15, 16, 23, 42};
        assertThat(reloaded.logits(tokens)).isEqualTo(pruned.logits(tokens));
    }

    @Test
    void aTiedModelIsSavedWithoutASeparateHead() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.QWEN2, 2, TestModels.options().tied(true));
        Decoder decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);

        assertThat(DecoderTensors.of(decoder, DType.BF16)).extracting(t -> t.name()).doesNotContain("lm_head.weight")
                .contains("model.layers.1.self_attn.q_proj.bias");
    }
}
