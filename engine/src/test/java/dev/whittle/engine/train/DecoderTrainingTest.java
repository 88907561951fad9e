package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.testing.CancelAfter;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.train.data.TokenWindows;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import dev.whittle.engine.train.optim.Parameter;
import dev.whittle.engine.train.optim.ParameterSet;
import dev.whittle.engine.train.optim.SparsityMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The trainer on a real decoder: it learns, it resumes bit for bit, it respects frozen and pruned weights. */
class DecoderTrainingTest {

    @TempDir
    Path tmp;

    private static final TestModels.Options SMALL = TestModels.options().layers(2).hidden(32).heads(4).kvHeads(2)
            .intermediate(48).vocab(TestTokenizers.MIN_VOCAB);

    /** English text as the byte tokens of the test tokenizer. */
    static int[] text() {
        byte[] bytes = TrainerTest.TEXT.repeat(2).getBytes(StandardCharsets.US_ASCII);
        int[] tokens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            tokens[i] = TestTokenizers.FIRST_BYTE_ID + bytes[i];
        }
        return tokens;
    }

    private Decoder decoder(String name, Family family) throws IOException {
        Path dir = tmp.resolve(name);
        TestModels.write(dir, family, 23, SMALL);
        return DecoderLoader.load(dir, Progress.NONE);
    }

    private static Trainer.Config config(long steps, Path checkpoints) {
        return new Trainer.Config(steps, 2, new LearningRateSchedule(3e-3, 3e-4, 2, steps),
                AdamW.Config.languageModel(), 1.0, checkpoints, 3, 1000, 0);
    }

    @Test
    void theLossOfASmallLlamaFallsOnText() throws IOException {
        DecoderTraining model = new DecoderTraining(decoder("m", Family.LLAMA));
        Trainer trainer = new Trainer(model, new TokenWindows(text(), null, 32, 4, 1), config(30, null));
        List<Trainer.Step> steps = new ArrayList<>();
        trainer.run(Progress.NONE, steps::add);
        assertThat(steps.getLast().loss()).isLessThan(0.75 * steps.getFirst().loss());
    }

    @Test
    void aResumedDecoderRunHasExactlyTheLossesAndWeightsOfAnUninterruptedOne() throws IOException {
        int[] tokens = text();
        DecoderTraining whole = new DecoderTraining(decoder("whole", Family.QWEN3));
        Trainer uninterrupted = new Trainer(whole, new TokenWindows(tokens, null, 24, 2, 5), config(8, tmp.resolve("a")));
        uninterrupted.run(Progress.NONE, s -> { });

        Path dir = tmp.resolve("b");
        CancelAfter stopAfterFive = new CancelAfter(5);
        Trainer first = new Trainer(new DecoderTraining(decoder("first", Family.QWEN3)),
                new TokenWindows(tokens, null, 24, 2, 5), config(8, dir));
        assertThatThrownBy(() -> first.run(stopAfterFive, s -> stopAfterFive.count()))
                .isInstanceOf(Progress.Cancelled.class);

        DecoderTraining resumedModel = new DecoderTraining(decoder("resumed", Family.QWEN3));
        Trainer resumed = new Trainer(resumedModel, new TokenWindows(tokens, null, 24, 2, 5), config(8, dir));
        resumed.run(Progress.NONE, s -> { });

        assertThat(resumed.losses()).hasSize(8).containsExactlyElementsOf(uninterrupted.losses());
        for (Parameter p : whole.parameters().all()) {
            assertThat(resumedModel.parameters().get(p.name()).value()).as(p.name()).containsExactly(p.value());
        }
    }

    @Test
    void gradientsOfMicroBatchesAddUpForEveryParameter() throws IOException {
        DecoderTraining model = new DecoderTraining(decoder("m", Family.QWEN2));
        TokenWindows windows = new TokenWindows(text(), null, 16, 2, 4);
        var first = windows.next();
        var second = windows.next();
        ParameterSet parameters = model.parameters();
        List<float[]> separate = new ArrayList<>();
        parameters.zeroGrads();
        model.accumulateGradients(first, 0.5f);
        parameters.all().forEach(p -> separate.add(p.grad().clone()));
        parameters.zeroGrads();
        model.accumulateGradients(second, 0.5f);
        for (int i = 0; i < separate.size(); i++) {
            float[] sum = separate.get(i);
            float[] g = parameters.all().get(i).grad();
            for (int j = 0; j < sum.length; j++) {
                sum[j] += g[j];
            }
        }
        parameters.zeroGrads();
        model.accumulateGradients(first, 0.5f);
        model.accumulateGradients(second, 0.5f);
        for (int i = 0; i < separate.size(); i++) {
            Parameter p = parameters.all().get(i);
            float[] expected = separate.get(i);
            for (int j = 0; j < expected.length; j++) {
                // The same sums in another order: equal up to rounding.
                assertThat(p.grad()[j]).as("%s[%d]", p.name(), j)
                        .isCloseTo(expected[j], within(1e-6f + 1e-5f * Math.abs(expected[j])));
            }
        }
    }

    @Test
    void frozenWeightsStayAndPrunedWeightsStayZeroWhileTheRestTrains() throws IOException {
        Decoder decoder = decoder("m", Family.MISTRAL);
        String frozen = "model.embed_tokens.weight";
        String pruned = "model.layers.0.mlp.up_proj.weight";
        ParameterSet all = DecoderParameters.of(decoder);
        float[] upProj = all.get(pruned).value();
        for (int i = 0; i < upProj.length; i += 2) {
            upProj[i] = 0f;
        }
        ParameterSet parameters = all
                .map(frozen::equals, Parameter::frozen)
                .map(pruned::equals, p -> p.withMask(SparsityMask.ofZeros(p.value())));
        float[] embeddingBefore = decoder.embedding().clone();
        float[] downBefore = all.get("model.layers.0.mlp.down_proj.weight").value().clone();

        DecoderTraining model = new DecoderTraining(decoder, parameters);
        new Trainer(model, new TokenWindows(text(), null, 16, 2, 3), config(10, null)).run(Progress.NONE, s -> { });

        assertThat(decoder.embedding()).containsExactly(embeddingBefore);
        for (int i = 0; i < upProj.length; i++) {
            if (i % 2 == 0) {
                assertThat(Float.floatToRawIntBits(upProj[i])).as("pruned up_proj[%d]", i).isZero();
            }
        }
        assertThat(upProj[1]).isNotZero();
        assertThat(all.get("model.layers.0.mlp.down_proj.weight").value()).isNotEqualTo(downBefore);
    }
}
