package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.testing.CancelAfter;
import dev.whittle.engine.train.data.TokenWindows;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import dev.whittle.engine.train.optim.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TrainerTest {

    static final String TEXT = """
            It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of \
            foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, \
            it was the season of Darkness, it was the spring of hope, it was the winter of despair.
            """;

    /** The text as byte tokens, repeated to a stream long enough for several epochs of small batches. */
    static int[] byteStream(int repeats) {
        byte[] bytes = TEXT.repeat(repeats).getBytes(StandardCharsets.US_ASCII);
        int[] tokens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            tokens[i] = bytes[i];
        }
        return tokens;
    }

    static Trainer.Config config(long steps, int accumulation, Path dir, long checkpointEvery) {
        return new Trainer.Config(steps, accumulation, new LearningRateSchedule(3e-2, 3e-3, Math.min(3, steps), steps),
                AdamW.Config.languageModel(), 1.0, dir, checkpointEvery, 1_000_000, 0);
    }

    static List<Trainer.Step> run(Trainer trainer, Progress progress) {
        List<Trainer.Step> steps = new ArrayList<>();
        trainer.run(progress, steps::add);
        return steps;
    }

    @Test
    void theLossFallsOnRealText() {
        TinyLanguageModel model = new TinyLanguageModel(128, 16, 1);
        TokenWindows data = new TokenWindows(byteStream(4), null, 32, 4, 11);
        List<Trainer.Step> steps = run(new Trainer(model, data, config(80, 1, null, 0)), Progress.NONE);
        assertThat(steps).hasSize(80);
        assertThat(steps.getLast().loss()).isLessThan(0.6 * steps.getFirst().loss());
        assertThat(steps.getFirst().loss()).isCloseTo(Math.log(128), within(0.5));
    }

    @Test
    void progressIsReportedWithLossAndThroughput() {
        List<String> reports = new ArrayList<>();
        Progress recording = (stage, done, total, message) -> reports.add(stage + " " + done + "/" + total + " " + message);
        Trainer.Config every5 = new Trainer.Config(10, 1, LearningRateSchedule.constant(1e-2),
                AdamW.Config.languageModel(), 0, null, 0, 5, 100);
        new Trainer(new TinyLanguageModel(128, 8, 1), new TokenWindows(byteStream(2), null, 16, 2, 1), every5)
                .run(recording, s -> { });
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0)).startsWith("train 5/10 loss ").contains("tokens/s", "GFLOPS", "of the 100 GFLOPS FMA ceiling");
        assertThat(reports.get(1)).startsWith("train 10/10 ");
    }

    @Test
    void aResumedRunHasExactlyTheLossesAndWeightsOfAnUninterruptedOne(@TempDir Path tmp) {
        int[] tokens = byteStream(3);
        TinyLanguageModel whole = new TinyLanguageModel(128, 12, 5);
        Trainer uninterrupted = new Trainer(whole, new TokenWindows(tokens, null, 24, 3, 99),
                config(15, 2, tmp.resolve("whole"), 4));
        run(uninterrupted, Progress.NONE);

        Path dir = tmp.resolve("interrupted");
        CancelAfter stopAfterSeven = new CancelAfter(7);
        Trainer first = new Trainer(new TinyLanguageModel(128, 12, 5), new TokenWindows(tokens, null, 24, 3, 99),
                config(15, 2, dir, 4));
        assertThatThrownBy(() -> first.run(stopAfterSeven, s -> stopAfterSeven.count()))
                .isInstanceOf(Progress.Cancelled.class);
        assertThat(first.losses()).hasSize(7);

        TinyLanguageModel resumedModel = new TinyLanguageModel(128, 12, 5);
        Trainer resumed = new Trainer(resumedModel, new TokenWindows(tokens, null, 24, 3, 99), config(15, 2, dir, 4));
        List<Trainer.Step> after = run(resumed, Progress.NONE);

        assertThat(after).hasSize(8);
        assertThat(after.getFirst().step()).isEqualTo(8);
        assertThat(resumed.losses()).containsExactlyElementsOf(uninterrupted.losses());
        for (Parameter p : whole.parameters().all()) {
            assertThat(resumedModel.parameters().get(p.name()).value()).as(p.name()).containsExactly(p.value());
        }
    }

    @Test
    void accumulatingMicroBatchesEqualsOneBatchOfTheSameTokens() {
        int[] tokens = byteStream(2);
        TinyLanguageModel split = new TinyLanguageModel(128, 8, 3);
        TinyLanguageModel joined = new TinyLanguageModel(128, 8, 3);
        // The same seed visits the same windows: two micro-batches of 2 cover the first 4 windows of the order.
        run(new Trainer(split, new TokenWindows(tokens, null, 16, 2, 7), config(1, 2, null, 0)), Progress.NONE);
        run(new Trainer(joined, new TokenWindows(tokens, null, 16, 4, 7), config(1, 1, null, 0)), Progress.NONE);
        // After the update the gradients are still in place: compare them (Adam's first step is sign-like and
        // would magnify rounding differences of near-zero entries).
        for (Parameter p : split.parameters().all()) {
            float[] a = p.grad();
            float[] b = joined.parameters().get(p.name()).grad();
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).as("%s[%d]", p.name(), i).isCloseTo(b[i], within(1e-6f));
            }
        }
    }

    @Test
    void aMicroBatchWhoseActivationsCannotFitIsRefusedBeforeTheFirstStep() {
        TinyLanguageModel tiny = new TinyLanguageModel(128, 8, 3);
        TrainableModel huge = new TrainableModel() {
            @Override
            public dev.whittle.engine.train.optim.ParameterSet parameters() {
                return tiny.parameters();
            }

            @Override
            public double accumulateGradients(dev.whittle.engine.train.data.TrainingBatch batch, float lossScale) {
                return tiny.accumulateGradients(batch, lossScale);
            }

            @Override
            public double loss(dev.whittle.engine.train.data.TrainingBatch batch) {
                return tiny.loss(batch);
            }

            @Override
            public double trainingFlopsPerToken(int contextLength) {
                return 0;
            }

            @Override
            public long activationBytes(int sequences, int length) {
                return Runtime.getRuntime().maxMemory();
            }
        };
        Trainer trainer = new Trainer(huge, new TokenWindows(byteStream(2), null, 16, 2, 7), config(3, 1, null, 0));
        assertThatThrownBy(() -> trainer.run(Progress.NONE, s -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a micro-batch of 2 x 16 tokens needs");
        assertThat(trainer.losses()).isEmpty();
    }

    @Test
    void aCheckpointIsOneStateFileAndOneTensorFileWithNothingHalfWrittenLeft(@TempDir Path dir) throws Exception {
        TinyLanguageModel model = new TinyLanguageModel(128, 8, 3);
        run(new Trainer(model, new TokenWindows(byteStream(2), null, 16, 2, 7), config(6, 1, dir, 2)), Progress.NONE);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("training-state-0000000006.safetensors", TrainingCheckpoint.STATE_FILE);
        }
        TinyLanguageModel other = new TinyLanguageModel(64, 8, 3);
        assertThatThrownBy(() -> TrainingCheckpoint.restore(dir, other.parameters(),
                new AdamW(other.parameters(), AdamW.Config.languageModel())))
                .hasMessageContaining("weights/model.embed_tokens.weight");
    }
}
