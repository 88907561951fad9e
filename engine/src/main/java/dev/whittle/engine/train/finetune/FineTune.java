package dev.whittle.engine.train.finetune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.train.DecoderParameters;
import dev.whittle.engine.train.DecoderTraining;
import dev.whittle.engine.train.LogitLoss;
import dev.whittle.engine.train.Trainer;
import dev.whittle.engine.train.data.ExampleBatches;
import dev.whittle.engine.train.data.SupervisedExample;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.distill.TeacherLogits;
import dev.whittle.engine.train.lora.LoraConfig;
import dev.whittle.engine.train.lora.LoraModel;
import dev.whittle.engine.train.ops.LogitDistillation;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import dev.whittle.engine.train.optim.Parameter;
import dev.whittle.engine.train.optim.ParameterSet;
import dev.whittle.engine.train.optim.SparsityMask;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fine-tunes the model in a folder on prompt/response examples and writes the result as a new model folder.
 * <pre>{@code
 * FineTune.Result r = FineTune.run(new FineTune.Request(modelDir, examples,
 *         new FineTune.Objective.Distillation(teacherDir, new LogitDistillation.Config(2, 0.5)),
 *         new FineTune.Adapter.Lora(new LoraConfig(16, 32, 0.05, List.of("q_proj", "v_proj"), seed)),
 *         FineTune.Settings.defaults(steps, seed), workDir, outputDir, adapterDir, "org/base-model"),
 *         progress, step -> curve.add(step));
 * }</pre>
 * Every weight matrix with exact zeros (a pruned model) trains under the mask of those zeros, so they stay zero;
 * a LoRA merge applies the same mask. Checkpoints go to {@code workDir} every {@code checkpointEvery} updates; a
 * run started again on the same request (after a crash, on another worker) continues from the last one and ends
 * with the weights the uninterrupted run would have.
 */
public final class FineTune {

    private FineTune() {
    }

    /** What the student learns from. */
    public sealed interface Objective {
        /** Cross-entropy on the responses (SFT, and self-distillation on regenerated responses). */
        record CrossEntropy() implements Objective {
        }

        /** KL from the teacher's next-token distribution, mixed with cross-entropy by {@code alpha}. */
        record Distillation(Path teacher, LogitDistillation.Config config) implements Objective {
        }
    }

    /** Which weights learn. */
    public sealed interface Adapter {
        /** Every weight (pruned entries fixed at zero). */
        record Full() implements Adapter {
        }

        /** LoRA adapters on the targets; the result is merged into the weights and written as a PEFT folder. */
        record Lora(LoraConfig config) implements Adapter {
        }
    }

    /**
     * @param tokenBudget     tokens per micro-batch; {@code accumulation} micro-batches make an update
     * @param maxLength       the longest example fed (longer responses are cut)
     * @param heldOutFraction examples held out for the validation loss, measured every {@code validateEvery}
     * @param checkpointEvery updates between checkpoints in the work folder
     * @param outputDtype     how the written weights are stored
     */
    public record Settings(long steps, double learningRate, double minLearningRate, long warmupSteps, int tokenBudget,
                           int maxLength, ExampleBatches.Layout layout, int accumulation, double maxGradNorm,
                           double weightDecay, long seed, double heldOutFraction, long validateEvery,
                           long checkpointEvery, DType outputDtype) {

        /** Packed batches of 4096 tokens up to 1024 long, lr 2e-5 to 2e-6 after 5% warm-up, 5% held out. */
        public static Settings defaults(long steps, long seed) {
            return new Settings(steps, 2e-5, 2e-6, Math.max(1, steps / 20), 4096, 1024, ExampleBatches.Layout.PACKED,
                    1, 1.0, 0.0, seed, 0.05, Math.max(1, steps / 10), Math.max(1, steps / 10), DType.F32);
        }
    }

    /**
     * @param adapterDir   where a LoRA run writes its PEFT adapter folder (ignored for a full fine-tune)
     * @param baseModelName the adapter's {@code base_model_name_or_path}
     */
    public record Request(Path model, List<SupervisedExample> examples, Objective objective, Adapter adapter,
                          Settings settings, Path workDir, Path output, Path adapterDir, String baseModelName) {
        public Request {
            examples = List.copyOf(examples);
        }
    }

    /** The loss of every update, the final held-out loss, how many examples trained and were cut out. */
    public record Result(List<Double> losses, double validationLoss, int trainingExamples, int heldOutExamples,
                         int skippedExamples, Path model, Path adapterDir) {
    }

    /** Runs the request; each update is passed to {@code onStep} (its validation loss when measured). */
    public static Result run(Request request, Progress progress, Consumer<Trainer.Step> onStep) throws IOException {
        Settings s = request.settings();
        Decoder student = DecoderLoader.load(request.model(), progress);
        SupervisedExample.Split split = SupervisedExample.split(request.examples(), s.heldOutFraction(), s.seed());
        ExampleBatches data = new ExampleBatches(split.training(), s.tokenBudget(), s.maxLength(), s.layout(), s.seed());
        List<TrainingBatch> heldOut = split.heldOut().isEmpty() ? List.of()
                : ExampleBatches.inOrder(split.heldOut(), s.tokenBudget(), s.maxLength(), s.layout());

        LoraModel lora = request.adapter() instanceof Adapter.Lora l ? LoraModel.attach(student, l.config()) : null;
        Decoder trained = lora != null ? lora.decoder() : student;
        ParameterSet parameters = lora != null ? lora.parameters() : keepingSparsity(DecoderParameters.of(student));
        LogitLoss loss = switch (request.objective()) {
            case Objective.CrossEntropy ce -> LogitLoss.CROSS_ENTROPY;
            case Objective.Distillation d -> new TeacherLogits(DecoderLoader.load(d.teacher(), progress),
                    student.vocabSize(), d.config());
        };
        AdamW.Config adam = new AdamW.Config(0.9, 0.999, 1e-8, s.weightDecay());
        Trainer.Config config = new Trainer.Config(s.steps(), s.accumulation(),
                new LearningRateSchedule(s.learningRate(), s.minLearningRate(), s.warmupSteps(), s.steps()), adam,
                s.maxGradNorm(), request.workDir().resolve("checkpoints"), s.checkpointEvery(), 1, 0);
        Trainer trainer = new Trainer(new DecoderTraining(trained, parameters, loss), data, config);
        if (!heldOut.isEmpty()) {
            trainer.validateOn(heldOut, s.validateEvery());
        }
        List<Double> validation = new ArrayList<>();
        trainer.run(progress, step -> {
            if (!Double.isNaN(step.validationLoss())) {
                validation.add(step.validationLoss());
            }
            onStep.accept(step);
        });

        Decoder result = lora != null ? lora.merged() : student;
        ModelFolderWriter.to(request.output()).config(DecoderTensors.config(result).with("torch_dtype",
                        s.outputDtype().torchName()))
                .copyFilesFrom(request.model()).metadata(Map.of("whittle", "fine-tune")).progress(progress)
                .write(DecoderTensors.of(result, s.outputDtype()));
        if (lora != null) {
            lora.writePeftAdapter(request.adapterDir(), request.baseModelName());
        }
        double last = validation.isEmpty() ? Double.NaN : validation.getLast();
        return new Result(trainer.losses(), last, data.exampleCount(), split.heldOut().size(), data.skipped(),
                request.output(), lora != null ? request.adapterDir() : null);
    }

    /** Every weight matrix that holds exact zeros keeps them: what a pruned model's fine-tune must do. */
    static ParameterSet keepingSparsity(ParameterSet parameters) {
        return parameters.map(name -> true, p -> {
            if (p.shape().length < 2 || !p.isTrainable()) {
                return p;
            }
            SparsityMask mask = SparsityMask.ofZeros(p.value());
            return mask.prunedCount() == 0 ? p : p.withMask(mask);
        });
    }
}
