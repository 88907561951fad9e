package dev.whittle.engine.merge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a MERGE stage is asked to do: the recipe (named by {@code method}, the JSON discriminator, with mergekit's
 * names) with only its own fields, and the {@code models} merged with the stage's input model (the job's model, or
 * the model the stage before wrote). The merge order is the input first, then {@code models} as listed: one weight
 * each, in that order. Bounds are Bean Validation annotations, checked where the request comes in; {@link #problems()}
 * adds the rules between fields. Defaults are filled in by each record's constructor. {@link #recipe()} is the
 * engine's {@link MergeMethod} that {@link ModelMerge} runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "method")
@JsonSubTypes({
        @JsonSubTypes.Type(value = MergeParameters.Linear.class, name = MergeParameters.Linear.NAME),
        @JsonSubTypes.Type(value = MergeParameters.Slerp.class, name = MergeParameters.Slerp.NAME),
        @JsonSubTypes.Type(value = MergeParameters.Ties.class, name = MergeParameters.Ties.NAME)})
@Schema(description = "A merge recipe (mergekit's names) and its parameters; `method` says which.",
        discriminatorProperty = "method",
        oneOf = {MergeParameters.Linear.class, MergeParameters.Slerp.class, MergeParameters.Ties.class},
        discriminatorMapping = {
                @DiscriminatorMapping(value = MergeParameters.Linear.NAME, schema = MergeParameters.Linear.class),
                @DiscriminatorMapping(value = MergeParameters.Slerp.NAME, schema = MergeParameters.Slerp.class),
                @DiscriminatorMapping(value = MergeParameters.Ties.NAME, schema = MergeParameters.Ties.class)})
public sealed interface MergeParameters {

    /** The other models, by id or name, merged with the input in this order. */
    List<String> models();

    /** The base model of a recipe that takes task vectors against one, by id or name; null for the others. */
    default String base() {
        return null;
    }

    /** The engine's recipe for the input followed by {@link #models()}; call only once {@link #problems()} is empty. */
    MergeMethod recipe();

    /** What is wrong between the fields; empty when nothing is. */
    default List<MergeProblem> problems() {
        List<MergeProblem> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < models().size(); i++) {
            String model = models().get(i);
            if (model == null || model.isBlank()) {
                problems.add(new MergeProblem("models[" + i + "]", "must name a model (id or name)"));
            } else if (!seen.add(model)) {
                problems.add(new MergeProblem("models[" + i + "]", "'" + model + "' is listed twice"));
            }
        }
        return problems;
    }

    // Descriptions of the fields several recipes share, for their OpenAPI schemas.
    String MODELS = "The models merged with the stage's input model (the job's model, or the model the stage before "
            + "wrote), by id or name. Every one must have the input's architecture, tensor names and shapes.";
    String WEIGHTS = "One weight per merged model: the input model's first, then one per entry of models, in order. "
            + "Non-negative with a positive sum; default: all 1.";

    /** The method's name, as {@code method} gives it. */
    default String name() {
        for (JsonSubTypes.Type type : MergeParameters.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() == getClass()) {
                return type.name();
            }
        }
        throw new IllegalStateException(getClass() + " is not a listed method");
    }

    /** {@code sum(w_i theta_i) / sum(w_i)} over the input and {@code models}. */
    @Schema(description = "Linear: the weighted mean of every tensor.")
    record Linear(
            @ArraySchema(arraySchema = @Schema(description = MODELS, example = "[\"student-b\"]"), minItems = 1)
            @NotEmpty List<String> models,
            @ArraySchema(arraySchema = @Schema(description = WEIGHTS, example = "[0.5, 0.5]"),
                    schema = @Schema(minimum = "0")) List<Double> weights) implements MergeParameters {

        public static final String NAME = "linear";

        public Linear {
            models = copyOf(models);
            weights = weights == null ? equalWeights(models) : copyOf(weights);
        }

        @Override
        public List<MergeProblem> problems() {
            List<MergeProblem> problems = new ArrayList<>(MergeParameters.super.problems());
            problems.addAll(weightProblems(models, weights));
            return problems;
        }

        @Override
        public MergeMethod recipe() {
            return new MergeMethod.Linear(weights);
        }
    }

    /** Spherical interpolation from the input ({@code t = 0}) to the one other model ({@code t = 1}). */
    @Schema(description = "SLERP: spherical interpolation, tensor by tensor, from the input model (t = 0) to the "
            + "one model listed (t = 1); linear where the two are nearly parallel.")
    record Slerp(
            @ArraySchema(arraySchema = @Schema(description = MODELS + " SLERP takes exactly one.",
                    example = "[\"student-b\"]"), minItems = 1, maxItems = 1)
            @Size(min = 1, max = 1, message = "slerp merges the input with exactly one other model")
            List<String> models,
            @Schema(description = "Where between the input (0) and the other model (1).", defaultValue = "0.5",
                    example = "0.5", minimum = "0", maximum = "1")
            @DecimalMin("0") @DecimalMax("1") Double t) implements MergeParameters {

        public static final String NAME = "slerp";
        public static final double DEFAULT_T = 0.5;

        public Slerp {
            models = copyOf(models);
            t = t == null ? DEFAULT_T : t;
        }

        @Override
        public MergeMethod recipe() {
            return new MergeMethod.Slerp(t);
        }
    }

    /** TIES-merging against {@code base}: see {@link MergeMethod.Ties}. */
    @Schema(description = "TIES: task vectors against the base, each trimmed to its density fraction of largest "
            + "magnitudes, signs elected by weighted mass, the agreeing entries averaged and added to the base.")
    record Ties(
            @ArraySchema(arraySchema = @Schema(description = MODELS, example = "[\"student-b\"]"), minItems = 1)
            @NotEmpty List<String> models,
            @ArraySchema(arraySchema = @Schema(description = WEIGHTS, example = "[1, 1]"),
                    schema = @Schema(minimum = "0")) List<Double> weights,
            // The exclusive 0 is Bean Validation's and the description's: swagger reads an exclusive bound of 0 as unset.
            @Schema(description = "Fraction of each task vector's entries kept (largest magnitudes), in (0, 1].",
                    defaultValue = "1", example = "0.5", minimum = "0", maximum = "1")
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double density,
            @Schema(description = "The model the task vectors are taken against (e.g. the pruned model both "
                    + "students were trained from), by id or name.", example = "pruned-base",
                    requiredMode = Schema.RequiredMode.REQUIRED)
            @NotBlank String base) implements MergeParameters {

        public static final String NAME = "ties";
        public static final double DEFAULT_DENSITY = 1.0;

        public Ties {
            models = copyOf(models);
            weights = weights == null ? equalWeights(models) : copyOf(weights);
            density = density == null ? DEFAULT_DENSITY : density;
        }

        @Override
        public List<MergeProblem> problems() {
            List<MergeProblem> problems = new ArrayList<>(MergeParameters.super.problems());
            problems.addAll(weightProblems(models, weights));
            return problems;
        }

        @Override
        public MergeMethod recipe() {
            return new MergeMethod.Ties(density, weights);
        }
    }

    /** A list as given (nulls kept, for {@link #problems()} to name), or empty when left out. */
    private static <T> List<T> copyOf(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** One weight of 1 for the input and each listed model. */
    private static List<Double> equalWeights(List<String> models) {
        return Collections.nCopies(models.size() + 1, 1.0);
    }

    private static List<MergeProblem> weightProblems(List<String> models, List<Double> weights) {
        List<MergeProblem> problems = new ArrayList<>();
        if (weights.size() != models.size() + 1) {
            problems.add(new MergeProblem("weights", "give " + (models.size() + 1) + " weights, one for the input "
                    + "model and one for each of the " + models.size() + " in models; got " + weights.size()));
        }
        for (int i = 0; i < weights.size(); i++) {
            if (weights.get(i) == null) {
                problems.add(new MergeProblem("weights[" + i + "]", "must be a number"));
            } else if (weights.get(i) < 0) {
                problems.add(new MergeProblem("weights[" + i + "]", "must be at least 0"));
            }
        }
        if (weights.stream().allMatch(w -> w != null && w <= 0)) {
            problems.add(new MergeProblem("weights", "at least one weight must be positive"));
        }
        return problems;
    }
}
