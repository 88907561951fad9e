package dev.whittle.engine.train.distill;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestExamples;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.train.DecoderParameters;
import dev.whittle.engine.train.DecoderTraining;
import dev.whittle.engine.train.Trainer;
import dev.whittle.engine.train.data.ExampleBatches;
import dev.whittle.engine.train.data.SupervisedExample;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.ops.LogitDistillation;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import dev.whittle.engine.train.optim.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Supervised fine-tuning and logit distillation on a real decoder, through the trainer. */
class DistillationTrainingTest {

    @TempDir
    Path tmp;

    private static final TestModels.Options SMALL = TestModels.options().layers(2).hidden(32).heads(4).kvHeads(2)
            .intermediate(48).vocab(TestTokenizers.MIN_VOCAB);

    private Decoder decoder(String name, long seed) throws IOException {
        Path dir = tmp.resolve(name);
        TestModels.write(dir, Family.LLAMA, seed, SMALL);
        return DecoderLoader.load(dir, Progress.NONE);
    }

    private static Trainer.Config config(long steps, Path checkpoints) {
        return new Trainer.Config(steps, 2, new LearningRateSchedule(3e-3, 3e-4, 2, steps),
                AdamW.Config.languageModel(), 1.0, checkpoints, 3, 1, 0);
    }

    private Trainer distillation(Decoder student, Decoder teacher, SupervisedExample.Split split, long steps,
                                 Path checkpoints) {
        DecoderTraining model = new DecoderTraining(student, DecoderParameters.of(student),
                new TeacherLogits(teacher, student.vocabSize(), new LogitDistillation.Config(2, 0.5)));
        return new Trainer(model, new ExampleBatches(split.training(), 96, 48, ExampleBatches.Layout.PACKED, 4),
                config(steps, checkpoints))
                .validateOn(ExampleBatches.inOrder(split.heldOut(), 96, 48, ExampleBatches.Layout.PACKED), 2);
    }

    @Test
    void aRunKilledAfterItsLastCheckpointResumesToExactlyTheUninterruptedRun() throws IOException {
        SupervisedExample.Split split = SupervisedExample.split(TestExamples.animals(), 0.25, 1);
        Decoder teacher = decoder("teacher", 5);
        Decoder whole = decoder("whole", 23);
        Trainer uninterrupted = distillation(whole, teacher, split, 8, tmp.resolve("a"));
        List<Trainer.Step> steps = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        uninterrupted.run(new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
                messages.add(done + "/" + total + " " + message);
            }
        }, steps::add);

        // The worker dies during update 8: the last checkpoint (every 3 updates) is at 6, nothing saved after it.
        Path dir = tmp.resolve("b");
        Decoder killedStudent = decoder("killed", 23);
        Trainer killed = distillation(killedStudent, teacher, split, 8, dir);
        assertThatThrownBy(() -> killed.run(Progress.NONE, s -> {
            if (s.step() == 7) {
                throw new IllegalStateException("worker lost");
            }
        })).hasMessage("worker lost");

        Decoder resumedStudent = decoder("resumed", 23);
        Trainer resumed = distillation(resumedStudent, teacher, split, 8, dir);
        resumed.run(Progress.NONE, s -> { });

        assertThat(resumed.losses()).containsExactlyElementsOf(uninterrupted.losses());
        List<Parameter> expected = DecoderParameters.of(whole).all();
        List<Parameter> actual = DecoderParameters.of(resumedStudent).all();
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).value()).as(expected.get(i).name()).containsExactly(expected.get(i).value());
        }
        assertThat(steps.get(1).validationLoss()).isFinite();
        assertThat(steps.get(0).validationLoss()).isNaN();
        assertThat(messages.getLast()).startsWith("8/8 loss ").contains("validation loss ", "tokens/s", "s left");
    }

    @Test
    void aStudentIdenticalToItsTeacherGetsNoGradientFromPureDistillation() throws IOException {
        Decoder student = decoder("student", 7);
        Decoder teacher = decoder("teacher", 7);
        DecoderTraining model = new DecoderTraining(student, DecoderParameters.of(student),
                new TeacherLogits(teacher, student.vocabSize(), new LogitDistillation.Config(2, 0)));
        TrainingBatch batch = ExampleBatches.inOrder(TestExamples.animals(), 200, 48, ExampleBatches.Layout.PACKED).getFirst();
        double loss = model.accumulateGradients(batch, 1f / batch.scoredTokens());
        assertThat(loss).isCloseTo(0, within(1e-5 * batch.scoredTokens()));
        for (Parameter p : model.parameters().all()) {
            for (float g : p.grad()) {
                assertThat(g).as(p.name()).isCloseTo(0f, within(1e-6f));
            }
        }
    }

    @Test
    void pureDistillationBringsTheStudentsDistributionTowardTheTeachers() throws IOException {
        Decoder teacher = decoder("teacher", 5);
        Decoder student = decoder("student", 23);
        DecoderTraining model = new DecoderTraining(student, DecoderParameters.of(student),
                new TeacherLogits(teacher, student.vocabSize(), new LogitDistillation.Config(1, 0)));
        List<Trainer.Step> steps = new ArrayList<>();
        new Trainer(model, new ExampleBatches(TestExamples.animals(), 96, 48, ExampleBatches.Layout.PACKED, 2), config(20, null))
                .run(Progress.NONE, steps::add);
        assertThat(steps.getLast().loss()).isLessThan(0.5 * steps.getFirst().loss());
    }

    @Test
    void aTeacherWithAnotherVocabularyIsRefusedNamingBothSizes() throws IOException {
        Decoder teacher = decoder("teacher", 5);
        assertThatThrownBy(() -> new TeacherLogits(teacher, 300, new LogitDistillation.Config(1, 0)))
                .hasMessageContaining("259").hasMessageContaining("300");
    }
}
