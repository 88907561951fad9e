package dev.whittle.api.experiments;

import java.util.List;
import java.util.Map;

import dev.whittle.worker.evaluate.EvaluateStage;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * A sweep: a recipe template, the axes that vary it, and the evaluation every trial ends with.
 *
 * @param stages          the template: the stages of every trial before its evaluation (PRUNE, DISTILL, ...)
 * @param axes            field -> values; a trial per combination, each value written into the template (a field
 *                        of the first stage, or {@code N.field} of stage N); a null value leaves the field out, an
 *                        object value sets each of its fields
 * @param evaluation      the EVALUATE stage's parameters (suite or tasks, limit, seed) without {@code baseline}:
 *                        trials are compared with the experiment's model, evaluated once as the baseline trial
 * @param maxParallel     how many trials may be queued or running at once
 * @param maxFailedTrials how many trials may fail before the experiment fails and cancels the rest
 */
@Schema(description = "An experiment: a grid of trials (the template with each combination of axis values, then the "
        + "evaluation) on one model, compared with that model's own evaluation.")
public record ExperimentRequest(
        @Size(max = 200) @Schema(description = "A name for people", example = "kick sweep") String name,
        @NotBlank @Schema(description = "The dense model, by id or name", example = "whittle-ref") String model,
        @NotNull @Size(min = 1, max = 16)
        @Schema(description = "The recipe template: stages run before each trial's evaluation, each an object with a "
                + "type and that type's parameters (the axes fill in the fields they vary)",
                example = "[{\"type\":\"PRUNE\",\"method\":\"magnitude\",\"sparsity\":0.5}]") List<JsonNode> stages,
        @NotNull @Size(min = 1, max = 8)
        @Schema(description = "Axis -> values: a trial per combination. An axis names a field of the first stage "
                + "(`sparsity`) or of stage N (`1.steps`); a null value leaves the field out, an object value sets each of its "
                + "fields (a method with its own parameters: {\"method\": \"wanda\", \"calibration\": {...}}). Combinations the stages "
                + "refuse (sparsity 0.3 with nm 2:4) are skipped and listed, as long as every value is valid in some "
                + "combination.",
                example = "{\"method\":[\"magnitude\",\"wanda\",\"sparsegpt\"],\"sparsity\":[0.3,0.5,0.7]}")
        Map<String, List<JsonNode>> axes,
        @NotNull
        @Schema(description = "The EVALUATE stage every trial ends with (tasks or suite, limit, seed, ...); no "
                + "baseline: trials are compared with the experiment's model", implementation = EvaluateStage.Parameters.class,
                example = "{\"tasks\":[\"ref-multiple-choice\"],\"limit\":20}") JsonNode evaluation,
        @Min(1) @Max(64) @Schema(description = "How many trials may be queued or running at once",
                defaultValue = "2", example = "2") Integer maxParallel,
        @Min(0) @Schema(description = "How many trials may fail before the experiment fails and cancels the rest; "
                + "default: all of them (the experiment runs every trial)", example = "3") Integer maxFailedTrials) {

    public static final int DEFAULT_MAX_PARALLEL = 2;
}
