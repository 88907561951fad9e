package dev.whittle.engine.train.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.train.distill.AnswerCheck;
import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.engine.train.ops.LogitDistillation;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
import java.util.List;

/**
 * What a DISTILL (recovery fine-tune) is asked to do, as the API's stage and the worker read it: the method (named
 * by {@code method}, the JSON discriminator) with only its own fields, the examples, the adapter and the
 * hyper-parameters. Bounds are Bean Validation annotations checked where a request comes in; {@link #problems()}
 * adds the rules between fields and {@link #problems(ModelConfig)} those against the student. Defaults are filled
 * in by each record's constructor. Finding the dataset and the teacher is the caller's (the worker's registry).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "method")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DistillParameters.Sft.class, name = DistillParameters.Sft.NAME),
        @JsonSubTypes.Type(value = DistillParameters.SelfDistill.class, name = DistillParameters.SelfDistill.NAME),
        @JsonSubTypes.Type(value = DistillParameters.Logits.class, name = DistillParameters.Logits.NAME)})
@Schema(description = "A recovery method and its parameters; `method` says which.", discriminatorProperty = "method",
        oneOf = {DistillParameters.Sft.class, DistillParameters.SelfDistill.class, DistillParameters.Logits.class},
        discriminatorMapping = {
                @DiscriminatorMapping(value = DistillParameters.Sft.NAME, schema = DistillParameters.Sft.class),
                @DiscriminatorMapping(value = DistillParameters.SelfDistill.NAME,
                        schema = DistillParameters.SelfDistill.class),
                @DiscriminatorMapping(value = DistillParameters.Logits.NAME, schema = DistillParameters.Logits.class)})
public sealed interface DistillParameters permits DistillParameters.Sft, DistillParameters.Taught {

    /** The method's name, as {@code method} gives it. */
    default String name() {
        for (JsonSubTypes.Type type : DistillParameters.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() == getClass()) {
                return type.name();
            }
        }
        throw new IllegalStateException(getClass() + " is not a listed method");
    }

    DistillData data();

    DistillAdapter adapter();

    DistillTraining training();

    /** What is wrong between the fields, without the model; empty when nothing is. */
    default List<DistillProblem> problems() {
        List<DistillProblem> problems = new ArrayList<>(data().problems());
        problems.addAll(training().problems());
        return problems;
    }

    /** What stops these parameters running on the student {@code config} describes; empty when nothing does. */
    default List<DistillProblem> problems(ModelConfig config) {
        return adapter().problems(config);
    }

    /** A teacher's vocabulary that differs from the student's (logits cannot be compared, nor tokens shared). */
    static List<DistillProblem> vocabularyProblems(ModelConfig student, ModelConfig teacher, String teacherName) {
        return student.vocabSize() == teacher.vocabSize() ? List.of() : List.of(new DistillProblem("teacher",
                "the teacher '" + teacherName + "' has a vocabulary of " + teacher.vocabSize()
                        + " tokens, the student " + student.vocabSize() + "; teacher and student must share one"));
    }

    // Descriptions of the fields every method shares, for their OpenAPI schemas.
    String DATA = "The examples: a registered JSONL dataset of prompt/response lines or of conversations in chat "
            + "form (rendered with the model's chat template and trained on the final assistant turn), or a built-in "
            + "recovery set.";
    String ADAPTER = "full (default) or lora.";
    String TRAINING = "Hyper-parameters; every field has a default.";
    String TEACHER = "The teacher model, by id or name; default the dense root of the student's lineage (the "
            + "registered model it was pruned from, followed to the first ancestor).";

    /** The methods with a teacher. */
    sealed interface Taught extends DistillParameters permits SelfDistill, Logits {
        /** The teacher's id or name; null: the dense root of the student's lineage. */
        String teacher();
    }

    @Schema(description = "sft: cross-entropy on the dataset's responses (loss on the response tokens only; for "
            + "conversations, on the final assistant turn's tokens).")
    record Sft(
            @Schema(description = DATA, requiredMode = Schema.RequiredMode.REQUIRED) @NotNull @Valid DistillData data,
            @Schema(description = ADAPTER) @Valid DistillAdapter adapter,
            @Schema(description = TRAINING) @Valid DistillTraining training) implements DistillParameters {

        public static final String NAME = "sft";

        public Sft {
            adapter = adapter == null ? DistillAdapter.FULL : adapter;
            training = training == null ? DistillTraining.DEFAULT : training;
        }
    }

    @Schema(description = "self-distill: the teacher answers every prompt first (greedy); where the check passes its "
            + "answer replaces the dataset's, then the student is trained on the result by cross-entropy. The "
            + "regenerated examples are registered as a dataset of their own. For conversations the teacher continues "
            + "the rendered prompt, its answer replaces the final assistant turn, and the registered set keeps the "
            + "messages form.")
    record SelfDistill(
            @Schema(description = TEACHER) String teacher,
            @Schema(description = DATA, requiredMode = Schema.RequiredMode.REQUIRED) @NotNull @Valid DistillData data,
            @Schema(description = "What the teacher is given: {prompt} and optionally {response} (the original "
                    + "answer, as SDFT does) are replaced by the example's fields (for a conversation, the rendered "
                    + "prompt and the final assistant turn's text); default the prompt alone.",
                    example = "Reference answer:{response}\\n{prompt}") String template,
            @Schema(description = "The longest regenerated response, in tokens.", defaultValue = "64")
            @Min(1) @Max(8192) Integer maxNewTokens,
            // the default in words: generators write a schema default into string literals, newline and all
            @Schema(description = "Where a regenerated response ends besides the end-of-sequence token; default: a "
                    + "newline, [\"\\n\"].") List<String> stopStrings,
            @Schema(description = "Which teacher answers are kept: final-answer (the original's final answer, after its "
                    + "last ####, or all of it, appears in the teacher's, SQuAD-normalised), or always.",
                    defaultValue = "final-answer") Check check,
            @Schema(description = ADAPTER) @Valid DistillAdapter adapter,
            @Schema(description = TRAINING) @Valid DistillTraining training) implements Taught {

        public static final String NAME = "self-distill";

        public SelfDistill {
            maxNewTokens = maxNewTokens == null ? 64 : maxNewTokens;
            stopStrings = stopStrings == null ? List.of("\n") : List.copyOf(stopStrings);
            check = check == null ? Check.FINAL_ANSWER : check;
            adapter = adapter == null ? DistillAdapter.FULL : adapter;
            training = training == null ? DistillTraining.DEFAULT : training;
        }

        @Override
        public List<DistillProblem> problems() {
            List<DistillProblem> problems = new ArrayList<>(Taught.super.problems());
            if (template != null && !template.contains(SelfDistillation.PROMPT)) {
                problems.add(new DistillProblem("template", "must contain " + SelfDistillation.PROMPT
                        + " where the prompt goes"));
            }
            return problems;
        }

        /** The engine's regeneration settings. */
        public SelfDistillation.Config regeneration() {
            return new SelfDistillation.Config(template, maxNewTokens, stopStrings, check.check());
        }
    }

    @Schema(description = "logits: KL divergence from the teacher's next-token distribution at temperature T "
            + "(scaled by T^2), optionally mixed with cross-entropy: alpha CE + (1 - alpha) T^2 KL (Minitron: alpha 0). "
            + "The teacher runs beside the student on each micro-batch (exact KL over the whole vocabulary; no "
            + "top-k cache).")
    record Logits(
            @Schema(description = TEACHER) String teacher,
            @Schema(description = DATA, requiredMode = Schema.RequiredMode.REQUIRED) @NotNull @Valid DistillData data,
            @Schema(description = "Softmax temperature of teacher and student.", defaultValue = "1.0")
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("100") Double temperature,
            @Schema(description = "Weight of cross-entropy on the responses; 1 - alpha goes to the KL term.",
                    defaultValue = "0.0")
            @DecimalMin("0") @DecimalMax("1") Double alpha,
            @Schema(description = ADAPTER) @Valid DistillAdapter adapter,
            @Schema(description = TRAINING) @Valid DistillTraining training) implements Taught {

        public static final String NAME = "logits";

        public Logits {
            temperature = temperature == null ? 1.0 : temperature;
            alpha = alpha == null ? 0.0 : alpha;
            adapter = adapter == null ? DistillAdapter.FULL : adapter;
            training = training == null ? DistillTraining.DEFAULT : training;
        }

        public LogitDistillation.Config distillation() {
            return new LogitDistillation.Config(temperature, alpha);
        }
    }

    /** Which regenerated answers self-distillation keeps. */
    enum Check {
        FINAL_ANSWER("final-answer"), ALWAYS("always");

        private final String id;

        Check(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        public AnswerCheck check() {
            return this == FINAL_ANSWER ? AnswerCheck.finalAnswerAppears() : AnswerCheck.always();
        }
    }
}
