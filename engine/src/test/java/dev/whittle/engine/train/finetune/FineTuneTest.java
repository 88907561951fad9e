package dev.whittle.engine.train.finetune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.testing.CancelAfter;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestExamples;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.train.data.ExampleBatches;
import dev.whittle.engine.train.lora.LoraConfig;
import dev.whittle.engine.train.lora.LoraModel;
import dev.whittle.engine.train.ops.LogitDistillation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FineTuneTest {

    @TempDir
    Path tmp;

    private static final String PRUNED = "model.layers.0.mlp.up_proj.weight";

    /** A small Llama with every other entry of one MLP matrix pruned. */
    private Path prunedModel(String name) throws IOException {
        Path dir = tmp.resolve(name);
        TestModels.write(dir, Family.LLAMA, 23, TestModels.options().layers(2).hidden(32).heads(4).kvHeads(2)
                .intermediate(48).vocab(TestTokenizers.MIN_VOCAB));
        var decoder = DecoderLoader.load(dir, Progress.NONE);
        float[] up = decoder.blocks().getFirst().mlp().linears().get(1).weight();
        for (int i = 0; i < up.length; i += 2) {
            up[i] = 0f;
        }
        Path pruned = tmp.resolve(name + "-pruned");
        dev.whittle.engine.io.ModelFolderWriter.to(pruned).config(decoder.config()).copyFilesFrom(dir)
                .write(dev.whittle.engine.model.DecoderTensors.of(decoder, DType.F32));
        return pruned;
    }

    private FineTune.Request request(Path model, FineTune.Objective objective, FineTune.Adapter adapter, String run) {
        FineTune.Settings settings = new FineTune.Settings(8, 3e-3, 3e-4, 2, 96, 48, ExampleBatches.Layout.PACKED, 2,
                1.0, 0.1, 7, 0.25, 4, 3, DType.F32);
        return new FineTune.Request(model, TestExamples.animals(), objective, adapter, settings, tmp.resolve(run + "-work"),
                tmp.resolve(run + "-out"), tmp.resolve(run + "-adapter"), "test/base");
    }

    @Test
    void aFullFineTuneCancelledAndStartedAgainWritesTheUninterruptedRunsWeightsWithPrunedEntriesZero() throws IOException {
        Path model = prunedModel("m");
        FineTune.Result whole = FineTune.run(request(model, new FineTune.Objective.CrossEntropy(),
                new FineTune.Adapter.Full(), "whole"), Progress.NONE, s -> { });

        CancelAfter stopAfterFive = new CancelAfter(5);
        FineTune.Request again = request(model, new FineTune.Objective.CrossEntropy(), new FineTune.Adapter.Full(), "again");
        assertThatThrownBy(() -> FineTune.run(again, stopAfterFive, s -> stopAfterFive.count()))
                .isInstanceOf(Progress.Cancelled.class);
        FineTune.Result resumed = FineTune.run(again, Progress.NONE, s -> { });

        assertThat(resumed.losses()).containsExactlyElementsOf(whole.losses());
        assertThat(whole.validationLoss()).isFinite();
        assertThat(whole.heldOutExamples()).isEqualTo(3);
        try (Checkpoint a = Checkpoint.open(whole.model()); Checkpoint b = Checkpoint.open(resumed.model());
             Checkpoint before = Checkpoint.open(model)) {
            for (String name : a.names()) {
                assertThat(b.floats(name)).as(name).containsExactly(a.floats(name));
            }
            float[] up = a.floats(PRUNED);
            for (int i = 0; i < up.length; i += 2) {
                assertThat(Float.floatToRawIntBits(up[i])).as("pruned %d", i).isZero();
            }
            assertThat(a.floats("model.layers.0.mlp.down_proj.weight"))
                    .isNotEqualTo(before.floats("model.layers.0.mlp.down_proj.weight"));
        }
    }

    @Test
    void aLoraDistillationWritesAMergedModelThatKeepsTheMaskAndAPeftAdapter() throws IOException {
        Path model = prunedModel("m");
        Path teacher = tmp.resolve("teacher");
        TestModels.write(teacher, Family.LLAMA, 5, TestModels.options().layers(2).hidden(32).heads(4).kvHeads(2)
                .intermediate(48).vocab(TestTokenizers.MIN_VOCAB));
        FineTune.Result result = FineTune.run(request(model,
                new FineTune.Objective.Distillation(teacher, new LogitDistillation.Config(2, 0.5)),
                new FineTune.Adapter.Lora(new LoraConfig(4, 8, 0, List.of("up_proj", "q_proj"), 1)), "lora"),
                Progress.NONE, s -> { });
        assertThat(result.adapterDir().resolve(LoraModel.ADAPTER_CONFIG)).exists();
        assertThat(result.adapterDir().resolve(LoraModel.ADAPTER_WEIGHTS)).exists();
        try (Checkpoint out = Checkpoint.open(result.model()); Checkpoint before = Checkpoint.open(model)) {
            float[] up = out.floats(PRUNED);
            float[] upBefore = before.floats(PRUNED);
            for (int i = 0; i < up.length; i++) {
                if (i % 2 == 0) {
                    assertThat(Float.floatToRawIntBits(up[i])).as("pruned %d", i).isZero();
                } else {
                    assertThat(up[i]).as("live %d", i).isNotEqualTo(upBefore[i]);
                }
            }
            assertThat(out.floats("model.layers.0.mlp.down_proj.weight"))
                    .containsExactly(before.floats("model.layers.0.mlp.down_proj.weight"));
        }
        assertThat(DecoderLoader.load(result.model(), Progress.NONE).blocks()).hasSize(2);
    }
}
