package dev.whittle.engine.train.lora;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.SafetensorsFile;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.testing.TestExamples;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.train.DecoderParameters;
import dev.whittle.engine.train.DecoderTraining;
import dev.whittle.engine.train.Trainer;
import dev.whittle.engine.train.data.ExampleBatches;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import dev.whittle.engine.train.optim.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoraModelTest {

    @TempDir
    Path tmp;

    private static final TestModels.Options SMALL = TestModels.options().layers(2).hidden(32).heads(4).kvHeads(2)
            .intermediate(48).vocab(TestTokenizers.MIN_VOCAB);

    private Decoder decoder(String name) throws IOException {
        Path dir = tmp.resolve(name);
        TestModels.write(dir, Family.LLAMA, 23, SMALL);
        return DecoderLoader.load(dir, Progress.NONE);
    }

    /** Trains the adapters for a few steps so that B is no longer zero. */
    private static List<Trainer.Step> train(LoraModel lora, int steps) {
        DecoderTraining model = new DecoderTraining(lora.decoder(), lora.parameters());
        List<Trainer.Step> out = new ArrayList<>();
        new Trainer(model, new ExampleBatches(TestExamples.animals(), 96, 48, ExampleBatches.Layout.PACKED, 1),
                new Trainer.Config(steps, 1, new LearningRateSchedule(1e-2, 1e-3, 1, steps), AdamW.Config.languageModel(),
                        1.0, null, 0, 1000, 0)).run(Progress.NONE, out::add);
        return out;
    }

    @Test
    void onlyTheAdaptersLearnAndTheMergedModelComputesWhatTheAdaptedOneDoes() throws IOException {
        Decoder base = decoder("base");
        List<float[]> baseBefore = new ArrayList<>();
        for (Parameter p : DecoderParameters.of(base).all()) {
            baseBefore.add(p.value().clone());
        }
        LoraModel lora = LoraModel.attach(base, new LoraConfig(4, 8, 0.05, List.of("q_proj", "v_proj", "down_proj"), 3));
        assertThat(lora.adaptedLayers()).hasSize(6);
        List<Trainer.Step> steps = train(lora, 15);
        assertThat(steps.getLast().loss()).isLessThan(steps.getFirst().loss());

        List<Parameter> after = DecoderParameters.of(base).all();
        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i).value()).as(after.get(i).name()).containsExactly(baseBefore.get(i));
        }
        int[] tokens = TestExamples.bytes("Q: which animal is number 3? A: the fox.");
        float[] adapted = lora.decoder().logits(tokens);
        float[] merged = lora.merged().logits(tokens);
        assertThat(adapted).isNotEqualTo(base.logits(tokens));
        assertForward("merged logits", merged, toDouble(adapted));
    }

    @Test
    void aMergeIntoAPrunedWeightKeepsEveryPrunedEntryZeroAndTheTwoFourPattern() throws IOException {
        Decoder base = decoder("pruned");
        Linear q = base.blocks().getFirst().attention().qProj();
        // 2:4 along each row: entries 0 and 2 of every group of four pruned.
        for (int i = 0; i < q.weight().length; i++) {
            if (i % 4 == 0 || i % 4 == 2) {
                q.weight()[i] = 0f;
            }
        }
        LoraModel lora = LoraModel.attach(base, new LoraConfig(2, 4, 0, List.of("model.layers.0.self_attn.q_proj"), 5));
        train(lora, 5);
        float[] mergedWeight = lora.merged().blocks().getFirst().attention().qProj().weight();
        for (int i = 0; i < mergedWeight.length; i++) {
            if (i % 4 == 0 || i % 4 == 2) {
                assertThat(Float.floatToRawIntBits(mergedWeight[i])).as("pruned entry %d", i).isZero();
            } else {
                assertThat(mergedWeight[i]).as("live entry %d", i).isNotEqualTo(q.weight()[i]);
            }
        }
    }

    @Test
    void thePeftAdapterFolderHasPeftsConfigAndTensorNames() throws IOException {
        LoraModel lora = LoraModel.attach(decoder("peft"), new LoraConfig(4, 16, 0.1, List.of("q_proj", "v_proj"), 3));
        train(lora, 2);
        Path dir = tmp.resolve("adapter");
        lora.writePeftAdapter(dir, "whittle/base-model");

        JsonNode config = new JsonMapper().readTree(dir.resolve(LoraModel.ADAPTER_CONFIG).toFile());
        assertThat(config.get("peft_type").asString()).isEqualTo("LORA");
        assertThat(config.get("r").asInt()).isEqualTo(4);
        assertThat(config.get("lora_alpha").asDouble()).isEqualTo(16);
        assertThat(config.get("lora_dropout").asDouble()).isEqualTo(0.1);
        assertThat(config.get("base_model_name_or_path").asString()).isEqualTo("whittle/base-model");
        assertThat(config.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");

        Map<String, Linear> layers = lora.adaptedLayers();
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(LoraModel.ADAPTER_WEIGHTS))) {
            assertThat(file.tensors().keySet()).hasSize(8).contains(
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
            Linear v = layers.get("model.layers.1.self_attn.v_proj");
            assertThat(file.info("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight").shape())
                    .containsExactly((long) v.out(), 4L);
            assertThat(file.floats("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"))
                    .containsExactly(v.adapter().b());
        }
    }

    @Test
    void aTargetThatNamesNoLayerIsRefusedByName() throws IOException {
        Decoder base = decoder("m");
        assertThatThrownBy(() -> LoraModel.attach(base, new LoraConfig(4, 8, 0, List.of("q_proj", "qkv_proj"), 1)))
                .hasMessageContaining("qkv_proj");
    }
}
