package dev.whittle.api.jobs;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import dev.whittle.worker.jobs.JobOutput;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * A job to run: a recipe of stages on a registered model.
 *
 * @param name        a name for people (optional)
 * @param model       the input model, by id or by name
 * @param stages      the recipe: stages run in order, each {@code {"type": ..., parameters...}}
 * @param labels      free key/value labels to find the job by
 * @param callbackUrl where to POST the job's final JSON when it ends (http/https, allowed hosts only)
 * @param maxAttempts how many times the job may be claimed (a worker that dies mid-job costs an attempt)
 * @param output      the model the job writes: its name
 */
@Schema(description = "A job: a recipe of stages to run on a registered model.")
public record JobRequest(
        @Size(max = 200) @Schema(description = "A name for people", example = "prune whittle-ref") String name,
        @NotBlank @Schema(description = "Model id or name", example = "whittle-ref") String model,
        @NotNull @Size(min = 1, max = 32)
        @Schema(description = "Stages run in order, each an object with a type and that type's parameters",
                example = "[{\"type\":\"INSPECT\"}]") List<JsonNode> stages,
        @Size(max = 32) @Schema(description = "Free key/value labels to find the job by (GET /jobs?label=key:value)",
                example = "{\"team\":\"nlp\"}") Map<String, String> labels,
        @Size(max = 2000) @Schema(description = "Where to POST the job's final JSON when it ends (http/https, allowed hosts "
                + "only)", example = "http://127.0.0.1:9000/hooks/whittle") String callbackUrl,
        @Min(1) @Max(10) @Schema(description = "How many times the job may be claimed (a worker that dies mid-job costs "
                + "an attempt); default whittle.worker.max-attempts", example = "3") Integer maxAttempts,
        @Valid @Schema(description = "The model the job writes, if a stage writes one: {\"name\": ...} to register it "
                + "under that name (1-128 letters, digits, '.', '_', '-'; default <input>-<stage>-<job id prefix>)",
                example = "{\"name\":\"whittle-ref-wanda50\"}") JobOutput output) {
}
