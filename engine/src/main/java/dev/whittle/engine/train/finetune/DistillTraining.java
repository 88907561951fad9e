package dev.whittle.engine.train.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.train.data.ExampleBatches;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyper-parameters of a DISTILL's fine-tune, with bounds and defaults. The length of the run is {@code steps}
 * updates or {@code epochs} passes (one of them; 100 steps when neither is given); what depends on the length
 * (warm-up, validation and checkpoint intervals) defaults to a fraction of it, resolved by {@link #settings}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "Hyper-parameters of the fine-tune; every field has a default.")
public record DistillTraining(
        @Schema(description = "Peak learning rate (AdamW).", defaultValue = "2e-5", example = "1e-4")
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double learningRate,
        @Schema(description = "cosine: warm-up, then cosine decay to minLearningRate; constant: warm-up, then the peak.",
                defaultValue = "cosine")
        Schedule schedule,
        @Schema(description = "Where the cosine decay ends (the constant schedule ignores it); default a tenth of "
                + "learningRate.")
        @DecimalMin("0") @DecimalMax("1") Double minLearningRate,
        @Schema(description = "Updates of linear warm-up; default 5% of the run.") @Min(0) Integer warmupSteps,
        @Schema(description = "Optimiser updates; give this or epochs (default 100 when neither).", example = "200")
        @Min(1) @Max(10_000_000) Integer steps,
        @Schema(description = "Passes over the training examples instead of steps: the run makes as many updates as "
                + "feed about epochs x the training tokens (batchTokens x gradientAccumulation per update).",
                example = "2")
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1000") Double epochs,
        @Schema(description = "Tokens per micro-batch (examples packed up to it).", defaultValue = "4096")
        @Min(2) @Max(1_048_576) Integer batchTokens,
        @Schema(description = "The longest example fed, in tokens (longer responses are cut); at most batchTokens "
                + "(clipped to the model's context).", defaultValue = "1024")
        @Min(2) @Max(1_048_576) Integer maxLength,
        @Schema(description = "Micro-batches per update.", defaultValue = "1") @Min(1) @Max(4096) Integer gradientAccumulation,
        @Schema(description = "Global gradient-norm clipping.", defaultValue = "1.0")
        @DecimalMin(value = "0", inclusive = false) Double maxGradNorm,
        @Schema(description = "AdamW decoupled weight decay.", defaultValue = "0") @DecimalMin("0") @DecimalMax("1")
        Double weightDecay,
        @Schema(description = "Seed of the data order, the held-out split and LoRA's initialisation.", defaultValue = "0")
        Long seed,
        @Schema(description = "Fraction of the examples held out for the validation loss.", defaultValue = "0.05")
        @DecimalMin("0") @DecimalMax(value = "0.5") Double validationFraction,
        @Schema(description = "Updates between validation losses; default a tenth of the run.") @Min(1) Integer validateEvery,
        @Schema(description = "Updates between checkpoints in the job's work folder (what a restarted job resumes "
                + "from); default a tenth of the run.") @Min(1) Integer checkpointEvery) {

    public static final int DEFAULT_STEPS = 100;

    public DistillTraining {
        learningRate = learningRate == null ? 2e-5 : learningRate;
        schedule = schedule == null ? Schedule.COSINE : schedule;
        minLearningRate = minLearningRate == null ? learningRate / 10 : minLearningRate;
        batchTokens = batchTokens == null ? 4096 : batchTokens;
        maxLength = maxLength == null ? Math.min(1024, batchTokens) : maxLength;
        gradientAccumulation = gradientAccumulation == null ? 1 : gradientAccumulation;
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        seed = seed == null ? 0L : seed;
        validationFraction = validationFraction == null ? 0.05 : validationFraction;
    }

    /** Every default. */
    public static final DistillTraining DEFAULT = new DistillTraining(null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    /** How the learning rate moves after the warm-up. */
    public enum Schedule {
        COSINE("cosine"), CONSTANT("constant");

        private final String id;

        Schedule(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /** What is wrong between the fields. */
    List<DistillProblem> problems() {
        List<DistillProblem> problems = new ArrayList<>();
        if (steps != null && epochs != null) {
            problems.add(new DistillProblem("training.epochs", "give steps or epochs, not both"));
        }
        if (maxLength > batchTokens) {
            problems.add(new DistillProblem("training.maxLength", "is " + maxLength + ", more than batchTokens "
                    + batchTokens));
        }
        if (minLearningRate > learningRate) {
            problems.add(new DistillProblem("training.minLearningRate", "is above learningRate " + learningRate));
        }
        if (warmupSteps != null && steps != null && warmupSteps > steps) {
            problems.add(new DistillProblem("training.warmupSteps", "is " + warmupSteps + ", more than the "
                    + steps + " steps"));
        }
        return problems;
    }

    /**
     * The updates the run makes: {@code steps}, or for {@code epochs} the updates that feed about epochs x
     * {@code trainingTokens} (the training examples' tokens, each clipped to maxLength).
     */
    public long steps(long trainingTokens) {
        if (steps != null) {
            return steps;
        }
        if (epochs == null) {
            return DEFAULT_STEPS;
        }
        long perUpdate = (long) batchTokens * gradientAccumulation;
        return Math.max(1, (long) Math.ceil(epochs * trainingTokens / perUpdate));
    }

    /**
     * The engine's settings for a run of {@code steps} updates on a model of {@code context} positions (maxLength
     * is clipped to it), its weights stored as {@code outputDtype}.
     */
    public FineTune.Settings settings(long steps, int context, DType outputDtype) {
        long warmup = warmupSteps != null ? Math.min(warmupSteps, steps) : Math.max(1, steps / 20);
        double min = schedule == Schedule.CONSTANT ? learningRate : minLearningRate;
        long validate = validateEvery != null ? validateEvery : Math.max(1, steps / 10);
        long checkpoint = checkpointEvery != null ? checkpointEvery : Math.max(1, steps / 10);
        return new FineTune.Settings(steps, learningRate, min, warmup, batchTokens, Math.min(maxLength, context),
                ExampleBatches.Layout.PACKED, gradientAccumulation, maxGradNorm, weightDecay, seed, validationFraction,
                validate, checkpoint, outputDtype);
    }
}
